from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..instruments.base import Scoring, Sex

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
    source = serializers.CharField()


class OptionSerializer(serializers.Serializer):
    value = OptionValueField()
    label = serializers.CharField()
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
    label = serializers.CharField()


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
