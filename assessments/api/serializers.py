from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casemgmt.lib.locking import version_input

from ..instruments.base import Scoring, Sex
from ..models import (
    ASAM_LEVELS,
    AsamEdition,
    ComprehensiveAssessment,
    InstrumentResponse,
    SubstanceUse,
)
from ..services import EDITABLE

_ANSWER_SCHEMA = {
    "oneOf": [{"type": "integer"}, {"type": "string", "enum": ["yes", "no"]}],
    "nullable": True,
    "description": "The point value printed on the form, 'yes'/'no', or null for an item "
    "the instrument's skip rule skips.",
}


@extend_schema_field(_ANSWER_SCHEMA)
class AnswerField(serializers.JSONField):
    """One answer as the caller sends it; the engine checks it against the item."""


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class OptionValueField(serializers.ReadOnlyField):
    pass


class InstrumentSummarySerializer(serializers.Serializer):
    """What the list shows for an instrument."""

    code = serializers.CharField()
    name = serializers.CharField()
    full_name = serializers.CharField()
    item_count = serializers.IntegerField()
    # Declared fields are moved aside by the serializer metaclass: no clash with Field.source.
    source = serializers.CharField()  # type: ignore[assignment]


class OptionSerializer(serializers.Serializer):
    value = OptionValueField()
    label = serializers.CharField()  # type: ignore[assignment]  # as `source` above
    points = serializers.IntegerField()


class AskedIfSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    answer = OptionValueField()


class ItemSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    options = OptionSerializer(many=True)
    asked_if = AskedIfSerializer(allow_null=True, help_text="Asked only when this holds.")


class BandSerializer(serializers.Serializer):
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # as `source` above


class CriticalItemSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    min_points = serializers.IntegerField()
    flag = serializers.CharField()


class InstrumentSerializer(InstrumentSummarySerializer):
    """One instrument with its items and answer options, as printed on the form."""

    instructions = serializers.CharField()
    items = ItemSerializer(many=True)
    scoring = serializers.ChoiceField(choices=[s.value for s in Scoring])
    bands = BandSerializer(many=True)
    cutoff = serializers.IntegerField(allow_null=True)
    cutoff_range = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="The cut-offs a program may choose, inclusive; null when fixed.",
    )
    critical_items = CriticalItemSerializer(many=True)
    cutoff_by_sex = serializers.DictField(child=serializers.IntegerField())
    requires_sex = serializers.BooleanField()
    subscales = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))


class ScoreInputSerializer(serializers.Serializer):
    """Types only; the rules (count, offered values, skip rule, sex) are in the engine."""

    answers = serializers.ListField(
        child=AnswerField(allow_null=True),
        allow_empty=True,
        max_length=100,  # the longest instrument has 20 items; bounds the work on bad input
        help_text="One value per item, in item order.",
    )
    sex = serializers.ChoiceField(
        choices=[s.value for s in Sex], required=False, help_text="Needed by audit_c only."
    )


class ScoreSerializer(serializers.Serializer):
    """The result of scoring; nothing is saved."""

    code = serializers.CharField()
    total = serializers.IntegerField(allow_null=True)
    band = serializers.CharField()
    positive = serializers.BooleanField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())
    subtotals = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="PCL-5 only: B, C, D, E."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not data.get("subtotals"):
            data.pop("subtotals", None)
        return data


# ------------------------------------------------------------------ instrument responses
class InstrumentResponseSerializer(serializers.ModelSerializer):
    """A saved response, scored by the server. ``amended_by`` is the correction, if any."""

    instrument_name = serializers.CharField(source="definition.name", read_only=True)
    answers = serializers.ListField(child=AnswerField(allow_null=True), read_only=True)
    administered_by_name = serializers.CharField(
        source="administered_by.display_name", read_only=True
    )
    amended_by = serializers.SerializerMethodField()
    band_meaning = serializers.CharField(
        source="band_text",
        read_only=True,
        help_text="The band as a reader should see it: AUDIT zones with their WHO meaning "
        "(Babor et al. 2001); the band itself for the other instruments.",
    )

    class Meta:
        model = InstrumentResponse
        fields = [
            "id",
            "client",
            "instrument",
            "instrument_name",
            "answers",
            "total",
            "band",
            "band_meaning",
            "positive",
            "flags",
            "subtotals",
            "sex_used",
            "administered_by",
            "administered_by_name",
            "administered_at",
            "amends",
            "amended_by",
            "notes",
            "source",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_amended_by(self, obj) -> int | None:
        try:
            return obj.amended_by.pk
        except obj.__class__.amended_by.RelatedObjectDoesNotExist:
            return None


class InstrumentResponseCreateSerializer(serializers.Serializer):
    """Types only: scoring and its rules are the engine's; totals sent are ignored."""

    client = serializers.IntegerField(help_text="A client in your teams.")
    instrument = serializers.CharField(help_text="An instrument code, e.g. phq9.")
    answers = serializers.ListField(
        child=AnswerField(allow_null=True),
        allow_empty=True,
        max_length=100,
        help_text="One value per item, in item order (as for the scoring endpoint).",
    )
    sex = serializers.ChoiceField(
        choices=[s.value for s in Sex],
        required=False,
        help_text="AUDIT-C only; defaults to the client's sex at birth when female or male.",
    )
    administered_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    amends = serializers.IntegerField(
        required=False, allow_null=True, help_text="The response this one corrects."
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


# --------------------------------------------------------------- comprehensive assessment
class SubstanceUseSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubstanceUse
        fields = [
            "id",
            "substance",
            "age_first_use",
            "pattern",
            "route",
            "last_use",
            "withdrawal_history",
        ]
        read_only_fields = ["id"]
        extra_kwargs: dict[str, dict[str, Any]] = {
            "pattern": {"validators": []},
            "route": {"validators": []},
        }


class ComprehensiveAssessmentSerializer(serializers.ModelSerializer):
    """A comprehensive assessment with its substance rows and linked results (ids).
    ``status`` is draft or completed; a completed one is locked (changes answer 409)."""

    substances = SubstanceUseSerializer(many=True, read_only=True)
    superseded_by = serializers.SerializerMethodField()
    level_indicated_label = serializers.CharField(
        read_only=True,
        help_text='The level indicated with its name and edition, e.g. "Level 3.5 Clinically '
        'managed high-intensity residential (ASAM 3rd ed.)"; empty when none.',
    )
    level_arranged_label = serializers.CharField(
        read_only=True, help_text="The level arranged, likewise."
    )

    class Meta:
        model = ComprehensiveAssessment
        fields = [
            "id",
            "client",
            "version",
            "status",
            "supersedes",
            "superseded_by",
            *sorted(EDITABLE),
            "level_indicated_label",
            "level_arranged_label",
            "substances",
            "responses",
            "created_by",
            "created_at",
            "updated_at",
            "completed_by",
            "completed_at",
            "edit_version",
        ]
        read_only_fields = fields

    def get_superseded_by(self, obj) -> int | None:
        try:
            return obj.superseded_by.pk
        except ComprehensiveAssessment.superseded_by.RelatedObjectDoesNotExist:
            return None


_LEVEL_HELP = (
    "A level code of the assessment's asam_edition. 3rd edition (2013): "
    + ", ".join(c for c, _ in ASAM_LEVELS[AsamEdition.THIRD])
    + "; 4th edition (2023): "
    + ", ".join(c for c, _ in ASAM_LEVELS[AsamEdition.FOURTH])
    + ". A level of the other edition is a 400 on this field."
)


def _update_field(name: str) -> serializers.Field:
    if name == "asam_edition":
        return serializers.CharField(
            required=False,
            help_text='"3": The ASAM Criteria, 3rd edition (2013); "4": 4th edition (2023). '
            "Both levels must come from this edition: send them with it when you change it.",
        )
    if name in ("level_indicated", "level_arranged"):
        return serializers.CharField(required=False, allow_blank=True, help_text=_LEVEL_HELP)
    if name == "social_needs":
        return serializers.ListField(child=serializers.CharField(), required=False)
    if name.startswith("asam_d") and not name.endswith("_notes"):
        return serializers.IntegerField(required=False, allow_null=True)
    return serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


ComprehensiveAssessmentUpdateSerializer = type(
    "ComprehensiveAssessmentUpdateSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "Types only; allowed values and the level-of-care reason rule are in "
        "``assessments.services``. Send only the fields you change, and the "
        "``edit_version`` you loaded: a save over a newer save of the same fields is 409.",
        **{name: _update_field(name) for name in sorted(EDITABLE)},
        "edit_version": version_input(),
    },
)


class AssessmentStartSerializer(serializers.Serializer):
    client = serializers.IntegerField(help_text="A client in your teams.")


class LinkResponsesSerializer(serializers.Serializer):
    responses = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of this client's results."
    )
