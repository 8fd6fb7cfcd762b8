"""Forms for care-plan pages. They check shape and types; the rules live in the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q

from casemgmt.lib.forms import StyledForm, version_field
from clients.models import CareTeamMember

from .models import (
    CarePlan,
    Domain,
    GoalStatus,
    GoalType,
    InterventionCategory,
    Progress,
    RelapsePreventionPlan,
    SafetyPlan,
    SignatureMethod,
    SignatureRole,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label: str, rows: int = 3, required: bool = True, help_text: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PlanForm(StyledForm):
    edit_version = version_field()
    effective_date = forms.DateField(label="Plan starts on", widget=DATE)
    what_matters = _text("What matters to the client", required=False)
    preferences = _text("The client's preferences", required=False)
    client_participated = forms.BooleanField(
        label="The client took part in writing this plan", required=False
    )
    client_agrees = forms.BooleanField(label="The client agrees with this plan", required=False)
    integration_exception = _text(
        "Why the plan does not address both disorders (only if it does not)",
        required=False,
        help_text=str(CarePlan._meta.get_field("integration_exception").help_text),
    )

    @classmethod
    def for_plan(cls, plan: CarePlan, data=None):
        initial = {f: getattr(plan, f) for f in cls.base_fields}
        return cls(data, initial=initial)


class ProblemForm(StyledForm):
    domain = forms.ChoiceField(label="Domain", choices=[("", "Choose…"), *Domain.choices])
    description = _text("The need, as the client and team see it")
    concerns_mental_health = forms.BooleanField(
        label="Concerns the mental health disorder", required=False
    )
    concerns_substance_use = forms.BooleanField(
        label="Concerns the substance use disorder", required=False
    )


class GoalForm(StyledForm):
    problem = forms.TypedChoiceField(label="Need this goal answers", coerce=int, choices=[])
    text = _text("Goal, in the client's own words", rows=2)
    goal_type = forms.ChoiceField(
        label="Type of goal", choices=[("", "Choose…"), *GoalType.choices]
    )
    target_date = forms.DateField(label="Target date", widget=DATE)

    def __init__(self, *args, plan: CarePlan, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["problem"]).choices = [
            (p.pk, f"{p.get_domain_display()}: {p.description[:70]}") for p in plan.problems.all()
        ]


class ProblemEditForm(ProblemForm):
    edit_version = version_field()


class GoalEditForm(StyledForm):
    edit_version = version_field()
    text = _text("Goal, in the client's own words", rows=2)
    goal_type = forms.ChoiceField(label="Type of goal", choices=GoalType.choices)
    target_date = forms.DateField(label="Target date", widget=DATE)
    status = forms.ChoiceField(label="Status", choices=GoalStatus.choices)


class ObjectiveForm(StyledForm):
    text = _text("Measurable objective", rows=2, help_text="What will be seen, how much, by when.")
    target_date = forms.DateField(label="Target date", widget=DATE, required=False)


class ObjectiveEditForm(ObjectiveForm):
    edit_version = version_field()


class _MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_role_display()})"


class InterventionForm(StyledForm):
    category = forms.ChoiceField(
        label="Kind of intervention", choices=[("", "Choose…"), *InterventionCategory.choices]
    )
    description = _text("What will be done", rows=2, required=False)
    responsible = _MemberChoiceField(
        label="Responsible", queryset=CareTeamMember.objects.none(), required=False
    )
    frequency = forms.CharField(label="How often", max_length=100, help_text="e.g. weekly")
    start_date = forms.DateField(
        label="Starts", widget=DATE, required=False, help_text="Empty: when the plan starts."
    )
    end_date = forms.DateField(label="Ends", widget=DATE, required=False)

    def __init__(self, *args, client, current_responsible_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["responsible"])
        # Current care-team members, plus the one already named (editing an intervention
        # whose person has since left the team must not silently drop them).
        field.queryset = CareTeamMember.objects.filter(
            Q(ended_on__isnull=True) | Q(pk=current_responsible_id), client=client
        ).select_related("user")


class InterventionEditForm(InterventionForm):
    edit_version = version_field()


class SignForm(StyledForm):
    role = forms.ChoiceField(label="Who is signing", choices=SignatureRole.choices)
    typed_name = forms.CharField(label="Full name, typed", max_length=150)
    method = forms.ChoiceField(label="How", choices=SignatureMethod.choices)
    signed_on = forms.DateField(label="Date", widget=DATE, required=False)


class ReturnForm(StyledForm):
    comments = _text("What needs to change")


class CloseForm(StyledForm):
    reason = _text("Why the plan is closed", rows=2)


class ReviewForm(StyledForm):
    reviewed_on = forms.DateField(label="Reviewed on", widget=DATE, required=False)
    note = _text("How the plan is going")

    def __init__(self, *args, plan: CarePlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(plan.goals.all())
        for goal in self.goals:
            self.fields[f"progress_{goal.pk}"] = forms.ChoiceField(
                label=f"Progress: {goal.text[:80]}",
                choices=[("", "Choose…"), *Progress.choices],
            )
            self.fields[f"comment_{goal.pk}"] = forms.CharField(
                label=f"Comment on “{goal.text[:40]}”", required=False, max_length=500
            )
        # Fields added after StyledFormMixin ran: style them the same way.
        for name in self.fields:
            widget = self.fields[name].widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def progress(self) -> dict:
        return {
            g.pk: {
                "progress": self.cleaned_data.get(f"progress_{g.pk}"),
                "comment": self.cleaned_data.get(f"comment_{g.pk}", ""),
            }
            for g in self.goals
        }


class LinkNotesForm(StyledForm):
    notes = forms.MultipleChoiceField(
        label="Contact notes that addressed this goal",
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notes"].choices = choices


def _plan_form(model, labels_required: set[str]):
    # The version the editor loaded (0: none yet), so a save over a newer one is refused.
    fields: dict[str, forms.Field] = {"version": version_field(min_value=0)}
    for name in model.FIELDS:
        model_field = model._meta.get_field(name)
        fields[name] = _text(
            str(model_field.verbose_name[:1].upper() + model_field.verbose_name[1:]),
            rows=3,
            required=name in labels_required,
            help_text="One per line.",
        )
    return type(f"{model.__name__}Form", (StyledForm,), fields)


SafetyPlanForm = _plan_form(SafetyPlan, {f for f in SafetyPlan.FIELDS if f != "reasons_for_living"})
RelapsePlanForm = _plan_form(RelapsePreventionPlan, set(RelapsePreventionPlan.FIELDS))


def safety_form_people(form: forms.Form, client) -> None:
    """Add to a safety plan form the client's support network (active related persons
    in it) to pick for step 4, "People I can ask for help"; step 4 may then be left empty
    when someone is picked (the service adds their lines and checks the step)."""
    from clients.selectors import related_person_list

    people = [
        (p.pk, f"{p.name} ({p.relationship_label}){f', {p.phone}' if p.phone else ''}")
        for p in related_person_list(client=client).filter(
            inactive_on__isnull=True, in_support_network=True
        )
    ]
    if not people:
        return
    fields = dict(form.fields)
    picked = forms.TypedMultipleChoiceField(
        label="Add people from Family & contacts to step 4",
        choices=people,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each one is added to “People I can ask for help” with their phone.",
    )
    form.fields = {}
    for name, field in fields.items():
        form.fields[name] = field
        if name == "people_to_ask":
            form.fields["related_person_ids"] = picked
            field.required = False
