"""Forms for assessments. The instrument form is generated from the instrument's
definition: one question per item, its published wording and answer options as radio
buttons. Forms check shape only; scoring and its rules are the engine's, the rest is in
``assessments.services``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from casemgmt.lib.forms import StyledForm, version_field
from clients.models import Client

from .instruments import InstrumentDefinition
from .models import (
    ASAM_DIMENSIONS_BY_EDITION,
    ASAM_EDITION_SHORT,
    ASAM_LEVELS,
    ASAM_RATINGS,
    AsamEdition,
    ComprehensiveAssessment,
    InstrumentResponse,
    SocialNeed,
    StageOfChange,
    SubstancePattern,
    SubstanceRoute,
)
from .services import SECTIONS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
_ITEM_MESSAGE = re.compile(r"^item (\d+): (.*)$")


def _plain(value) -> str:
    return str(value)


class AnswerChoiceField(forms.ChoiceField):
    """Radio buttons whose value the engine checks (so every item's problem is reported in
    one pass, in the engine's words)."""

    def validate(self, value):
        forms.Field.validate(self, value)


class InstrumentForm(StyledForm):
    """One administration of ``definition``. Answers to items the skip rule skips are
    dropped here (the page hides them); everything else goes to the engine as given."""

    administered_at = forms.DateTimeField(
        label="Date and time given",
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={"required": "Enter when the instrument was given."},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Context for the result, e.g. read aloud, interpreter used.",
    )

    def __init__(self, *args, definition: InstrumentDefinition, client: Client, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "administered_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.client = client
        if definition.requires_sex:
            recorded = client.sex_at_birth in ("female", "male")
            self.fields["sex"] = forms.ChoiceField(
                label="Sex for the scoring cut-off",
                choices=[("female", "Female"), ("male", "Male")],
                required=not recorded,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose female or male for the cut-off."},
                help_text=(
                    f"{definition.name} is positive at 3 or more for women and 4 or more for "
                    "men. "
                    + (
                        f"Recorded sex at birth: {client.get_sex_at_birth_display()}."
                        if recorded
                        else "The client's sex at birth is recorded as "
                        f"{(client.get_sex_at_birth_display() or 'not recorded').lower()}: "
                        "choose female or male explicitly."
                    )
                ),
            )
            if recorded:
                self.initial.setdefault("sex", client.sex_at_birth)
        for item in definition.items:
            rated = all(isinstance(o.value, int) for o in item.options)
            self.fields[f"item_{item.number}"] = AnswerChoiceField(
                label=f"Item {item.number}",
                choices=[
                    (_plain(o.value), f"{o.label} ({o.points})" if rated else o.label)
                    for o in item.options
                ],
                required=False,
                widget=forms.RadioSelect,
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"

    def clean_administered_at(self):
        value = self.cleaned_data["administered_at"]
        if value and value > timezone.now() + timedelta(minutes=5):
            raise ValidationError("The time given cannot be in the future.")
        return value

    def item_rows(self):
        """(item, bound field, critical item or None) for the template."""
        critical = {c.item: c for c in self.definition.critical_items}
        return [
            (item, self[f"item_{item.number}"], critical.get(item.number))
            for item in self.definition.items
        ]

    @property
    def shows_points(self) -> bool:
        return any(isinstance(o.value, int) for i in self.definition.items for o in i.options)

    def answers(self) -> list:
        """Typed answers in item order; None for unanswered or skipped items."""
        values: dict[int, object] = {}
        for item in self.definition.items:
            raw = self.cleaned_data.get(f"item_{item.number}") or ""
            option = next((o for o in item.options if _plain(o.value) == raw), None)
            values[item.number] = option.value if option else (raw or None)
            rule = item.asked_if
            if rule is not None and values.get(rule.item) != rule.answer:
                values[item.number] = None  # not asked: the skip rule drops the answer
        return [values[item.number] for item in self.definition.items]

    def show_error(self, error: ValidationError) -> None:
        """Put the engine's or service's messages next to the item or field they name."""
        for field, messages in error.message_dict.items():
            for message in messages:
                match = _ITEM_MESSAGE.match(message) if field == "answers" else None
                if match and f"item_{match.group(1)}" in self.fields:
                    text = match.group(2)
                    self.add_error(f"item_{match.group(1)}", text[:1].upper() + text[1:] + ".")
                elif field in self.fields:
                    self.add_error(field, message)
                else:
                    self.add_error(None, message)


# --------------------------------------------------------------- comprehensive assessment
SECTION_BY_KEY = {key: (title, names) for key, title, names in SECTIONS}


LEVEL_FIELDS = ("level_indicated", "level_arranged")


def _level_choices() -> list:
    """One group of options per edition; an option's value names its edition ("4:3.5"),
    so a level chosen from the other edition's group is refused, not silently read as the
    same number of the edition chosen. Works without JavaScript."""
    return [
        ("", "Not decided yet"),
        *[
            (AsamEdition(edition).label, [(f"{edition}:{c}", label) for c, label in levels])
            for edition, levels in ASAM_LEVELS.items()
        ],
    ]


class AsamSectionForm(StyledForm):
    """The ASAM section: the edition, then levels from that edition's group."""

    def clean(self):
        data = super().clean()
        edition = data.get("asam_edition") or ""
        for name in LEVEL_FIELDS:
            value = data.get(name) or ""
            if not value:
                continue
            group, _, code = value.partition(":")
            data[name] = code
            if edition and group != edition:
                self.add_error(
                    name,
                    f"Level {code} is a level of the {ASAM_EDITION_SHORT[group]}, and "
                    f"the edition chosen above is the {ASAM_EDITION_SHORT[edition]}: "
                    "choose a level from that edition's list, or change the edition.",
                )
        return data


def section_initial(key: str, assessment: ComprehensiveAssessment) -> dict[str, Any]:
    """The section's saved values as its form shows them."""
    _, names = SECTION_BY_KEY[key]
    initial = {n: getattr(assessment, n) for n in names}
    for name in LEVEL_FIELDS:
        if initial.get(name):
            initial[name] = f"{assessment.asam_edition}:{initial[name]}"
    return initial


def section_form_class(key: str, edition: str = AsamEdition.THIRD) -> type[forms.Form]:
    """A form for one section of the comprehensive assessment; the ASAM section labels
    the dimensions as ``edition`` names them."""
    _, names = SECTION_BY_KEY[key]
    fields: dict[str, forms.Field] = {}
    for name in names:
        if name == "social_needs":
            fields[name] = forms.MultipleChoiceField(
                label="Social needs",
                choices=SocialNeed.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text="Tick what the client needs help with now.",
            )
            continue
        model_field = ComprehensiveAssessment._meta.get_field(name)
        assert isinstance(model_field, models.Field)  # SECTIONS names columns only
        field = model_field.formfield()
        assert field is not None  # and none of them is hidden from forms
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 3
        field.required = False
        fields[name] = field
    base: type[forms.Form] = StyledForm
    if key == "asam":
        base = AsamSectionForm
        fields["asam_edition"] = forms.ChoiceField(
            label="ASAM Criteria edition",
            choices=AsamEdition.choices,
            error_messages={"required": "Choose the edition the levels come from."},
            help_text=(
                "The edition the dimensions are rated and the levels chosen by. The 4th "
                "edition renamed the six dimensions and the levels (no separate "
                "withdrawal management levels)."
            ),
        )
        dimensions = ASAM_DIMENSIONS_BY_EDITION.get(edition, ASAM_DIMENSIONS_BY_EDITION["3"])
        for number, name in dimensions:
            rating = cast(forms.ChoiceField, fields[f"asam_d{number}"])
            rating.label = f"Dimension {number}: {name}"
            rating.choices = [("", "Not rated yet"), *ASAM_RATINGS]
            fields[f"asam_d{number}_notes"].label = f"Dimension {number} notes"
            fields[f"asam_d{number}_notes"].widget.attrs["rows"] = 2
        for name in LEVEL_FIELDS:
            fields[name] = forms.ChoiceField(
                label=str(fields[name].label)[:1].upper() + str(fields[name].label)[1:],
                choices=_level_choices(),
                required=False,
                help_text="From the list of the edition chosen above.",
            )
        fields["level_difference_reason"].help_text = "Required when the levels differ."
    if key == "stages":
        for name in ("stage_mental_health", "stage_substance_use"):
            cast(forms.ChoiceField, fields[name]).choices = [
                ("", "Not assessed yet"),
                *StageOfChange.choices,
            ]
            fields[name].help_text = (
                "Precontemplation: not considering change; contemplation: ambivalent; "
                "preparation: planning; action: changing now; maintenance: sustaining it."
            )
    if key == "person":
        fields["client_goals"].help_text = "Write them as the client says them."
    fields["edit_version"] = version_field()  # what the editor loaded (optimistic lock)
    return type(f"{key.title()}SectionForm", (base,), fields)


def section_values(form: forms.Form) -> dict:
    """The section's values as ``assessment_update`` takes them (``edit_version`` apart)."""
    values = {}
    for name, value in form.cleaned_data.items():
        if name == "edit_version":
            continue
        values[name] = "" if value is None and name.startswith(("stage_", "level_")) else value
    return values


class SubstanceForm(StyledForm):
    substance = forms.CharField(
        max_length=80, error_messages={"required": "Name the substance."}, label="Substance"
    )
    age_first_use = forms.IntegerField(
        label="Age at first use", required=False, min_value=3, max_value=100
    )
    pattern = forms.ChoiceField(
        label="Pattern of use",
        choices=[("", "Choose…"), *SubstancePattern.choices],
        error_messages={"required": "Choose the pattern of use."},
    )
    route = forms.ChoiceField(
        label="Route",
        choices=[("", "Choose…"), *SubstanceRoute.choices],
        error_messages={"required": "Choose the route."},
    )
    last_use = forms.DateField(
        label="Last use",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    withdrawal_history = forms.CharField(
        label="Withdrawal history",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Past withdrawal symptoms, seizures, delirium tremens, detox stays.",
    )


class _ResponseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _response_label(obj)


class LinkResponsesForm(StyledForm):
    responses = _ResponseChoiceField(
        queryset=InstrumentResponse.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Screening results to include",
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["responses"])
        field.queryset = InstrumentResponse.objects.filter(client=client).order_by(
            "-administered_at"
        )


def _response_label(response: InstrumentResponse) -> str:
    when = timezone.localtime(response.administered_at)
    return f"{response.definition.name}: {response.score_text}, {when:%b %d, %Y}"
