"""Serializers for the care-plan API: shapes and types only; the rules are in the services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import serializers

from casemgmt.lib.locking import MAX_VERSION, version_input

if TYPE_CHECKING:
    from clients.models import ContactNote

from ..models import (
    CarePlan,
    Domain,
    Goal,
    GoalProgress,
    GoalStatus,
    GoalType,
    Intervention,
    InterventionCategory,
    Objective,
    PlanReview,
    PlanSignature,
    Problem,
    Progress,
    RelapsePreventionPlan,
    SafetyPlan,
    SignatureMethod,
    SignatureRole,
)


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "goal", "text", "target_date", "edit_version"]
        read_only_fields = fields


class InterventionSerializer(serializers.ModelSerializer):
    responsible_name = serializers.CharField(
        source="responsible.display_name", default=None, read_only=True
    )

    class Meta:
        model = Intervention
        fields = [
            "id",
            "goal",
            "category",
            "description",
            "responsible",
            "responsible_name",
            "frequency",
            "start_date",
            "end_date",
            "edit_version",
        ]
        read_only_fields = fields


class GoalSerializer(serializers.ModelSerializer):
    objectives = ObjectiveSerializer(many=True, read_only=True)
    interventions = InterventionSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "plan",
            "problem",
            "text",
            "goal_type",
            "target_date",
            "status",
            "carried_from",
            "edit_version",
            "objectives",
            "interventions",
        ]
        read_only_fields = fields


class GoalWithNotesSerializer(GoalSerializer):
    notes: serializers.PrimaryKeyRelatedField[ContactNote] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta(GoalSerializer.Meta):
        fields = [*GoalSerializer.Meta.fields, "notes"]
        read_only_fields = fields


class ProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Problem
        fields = [
            "id",
            "plan",
            "domain",
            "description",
            "concerns_mental_health",
            "concerns_substance_use",
            "edit_version",
        ]
        read_only_fields = fields


class SignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanSignature
        fields = ["id", "role", "typed_name", "signed_on", "method", "recorded_by", "recorded_at"]
        read_only_fields = fields


class GoalProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = GoalProgress
        fields = ["goal", "progress", "comment"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    progress = GoalProgressSerializer(many=True, read_only=True)

    class Meta:
        model = PlanReview
        fields = ["id", "plan", "reviewed_on", "note", "reviewer", "created_at", "progress"]
        read_only_fields = fields


class CarePlanSerializer(serializers.ModelSerializer):
    problems = ProblemSerializer(many=True, read_only=True)
    goals = GoalSerializer(many=True, read_only=True)
    signatures = SignatureSerializer(source="active_signatures", many=True, read_only=True)
    is_signed = serializers.SerializerMethodField()

    class Meta:
        model = CarePlan
        fields = [
            "id",
            "client",
            "version",
            "status",
            "previous",
            "effective_date",
            "review_due",
            "author",
            "approver",
            "approved_at",
            "submitted_by",
            "submitted_at",
            "return_comments",
            "closed_at",
            "close_reason",
            "stage_mental_health",
            "stage_substance_use",
            "what_matters",
            "preferences",
            "client_participated",
            "client_agrees",
            "integration_exception",
            "is_signed",
            "edit_version",
            "signatures",
            "problems",
            "goals",
        ]
        read_only_fields = fields

    def get_is_signed(self, plan) -> bool:
        return bool(plan.active_signatures)


# ------------------------------------------------------------------------------ input
class CarePlanCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField(help_text="A client in your teams.")
    from_assessment = serializers.BooleanField(
        default=False, help_text="Start from the latest comprehensive assessment's findings."
    )
    effective_date = serializers.DateField(required=False)


class CarePlanUpdateSerializer(serializers.Serializer):
    edit_version = version_input()
    effective_date = serializers.DateField(required=False)
    what_matters = serializers.CharField(required=False, allow_blank=True)
    preferences = serializers.CharField(required=False, allow_blank=True)
    client_participated = serializers.BooleanField(required=False)
    client_agrees = serializers.BooleanField(required=False)
    integration_exception = serializers.CharField(required=False, allow_blank=True)


class SignInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(SignatureRole.choices)
    typed_name = serializers.CharField(allow_blank=True)
    method = serializers.ChoiceField(SignatureMethod.choices)
    signed_on = serializers.DateField(required=False)


class ReturnCommentsSerializer(serializers.Serializer):
    comments = serializers.CharField(allow_blank=True)


class CloseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ProblemCreateSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    domain = serializers.ChoiceField(Domain.choices)
    description = serializers.CharField(allow_blank=True)
    concerns_mental_health = serializers.BooleanField(default=False)
    concerns_substance_use = serializers.BooleanField(default=False)


class ProblemUpdateSerializer(serializers.Serializer):
    edit_version = version_input()
    domain = serializers.ChoiceField(Domain.choices, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    concerns_mental_health = serializers.BooleanField(required=False)
    concerns_substance_use = serializers.BooleanField(required=False)


class GoalCreateSerializer(serializers.Serializer):
    problem = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    goal_type = serializers.ChoiceField(GoalType.choices)
    target_date = serializers.DateField()


class GoalUpdateSerializer(serializers.Serializer):
    edit_version = version_input()
    text = serializers.CharField(allow_blank=True, required=False)
    goal_type = serializers.ChoiceField(GoalType.choices, required=False)
    target_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(GoalStatus.choices, required=False)


class LinkNotesSerializer(serializers.Serializer):
    notes = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class ObjectiveCreateSerializer(serializers.Serializer):
    goal = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    target_date = serializers.DateField(required=False, allow_null=True)


class ObjectiveUpdateSerializer(serializers.Serializer):
    edit_version = version_input()
    text = serializers.CharField(allow_blank=True, required=False)
    target_date = serializers.DateField(required=False, allow_null=True)


class InterventionCreateSerializer(serializers.Serializer):
    goal = serializers.IntegerField()
    category = serializers.ChoiceField(InterventionCategory.choices)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    responsible = serializers.IntegerField(required=False, allow_null=True)
    frequency = serializers.CharField(allow_blank=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)


class InterventionUpdateSerializer(serializers.Serializer):
    edit_version = version_input()
    category = serializers.ChoiceField(InterventionCategory.choices, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    responsible = serializers.IntegerField(required=False, allow_null=True)
    frequency = serializers.CharField(allow_blank=True, required=False)
    start_date = serializers.DateField(
        required=False, allow_null=True, help_text="null: when the plan starts."
    )
    end_date = serializers.DateField(required=False, allow_null=True)


class ProgressInputSerializer(serializers.Serializer):
    goal = serializers.IntegerField()
    progress = serializers.ChoiceField(Progress.choices)
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class ReviewCreateSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)
    reviewed_on = serializers.DateField(required=False)
    progress = ProgressInputSerializer(many=True)


class SafetyPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = SafetyPlan
        fields = [
            "id",
            "client",
            "version",
            "created_by",
            "created_at",
            "superseded_at",
            *SafetyPlan.FIELDS,
        ]
        read_only_fields = fields


class RelapsePlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = RelapsePreventionPlan
        fields = [
            "id",
            "client",
            "version",
            "created_by",
            "created_at",
            "superseded_at",
            *RelapsePreventionPlan.FIELDS,
        ]
        read_only_fields = fields


def _plan_input(model):
    fields = {
        "client": serializers.IntegerField(),
        "version": serializers.IntegerField(
            required=False,
            min_value=0,
            max_value=MAX_VERSION,
            help_text="The version you loaded (0: none yet): a save over a newer one is 409, "
            "naming who changed which fields. Omitted: not checked.",
        ),
    }
    for name in model.FIELDS:
        default = SafetyPlan.DEFAULT_CRISIS_LINES if name == "crisis_lines" else ""
        fields[name] = serializers.CharField(allow_blank=True, required=False, default=default)
    if model is SafetyPlan:
        fields["related_person_ids"] = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_VERSION),
            required=False,
            max_length=50,
            help_text="People from the client's related persons (`/api/v1/related-persons/`) "
            "to add to `people_to_ask`, one line each with their phone.",
        )
    return type(f"{model.__name__}CreateSerializer", (serializers.Serializer,), fields)


SafetyPlanCreateSerializer = _plan_input(SafetyPlan)
RelapsePlanCreateSerializer = _plan_input(RelapsePreventionPlan)


class PlanChangeSerializer(serializers.Serializer):
    change = serializers.ChoiceField(["added", "removed"])
    line = serializers.CharField()
