"""``/api/v1/careplans/`` and the parts of a plan: problems, goals, objectives,
interventions, reviews; safety and relapse-prevention plans.

Everything is scoped to the clients in the caller's reach (others are 404). State
changes are verbs: ``POST /careplans/{id}/submit/``, ``approve``, ``return``, ``sign``,
``revise``, ``close``; ``GET /careplans/{id}/pdf/?copy=client|clinical``. Objectives and
interventions are also PATCHed and DELETEd (removed from the draft). A change to a
plan that is not an unsigned draft is 409 with the reason; bad input is 400 naming the
field. Reads and prints are audited. A PATCH may carry the ``edit_version`` it loaded (or
``If-Match``): a save over a newer one is 409 naming who changed which fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from assessments.selectors import latest_assessment_findings
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.i18n import client_language, languages
from casemgmt.lib.locking import expected_version
from clients.api.public import AuditedReadMixin, client_in_payload
from clients.models import CareTeamMember
from clients.selectors import client_ids_in_reach

from .. import services
from ..models import (
    CarePlan,
    Goal,
    Intervention,
    Objective,
    PlanReview,
    Problem,
    RelapsePreventionPlan,
    SafetyPlan,
)
from ..pdf import COPIES, PAPERS, careplan_print, pdf_filename
from ..selectors import careplan_diff, careplan_full
from . import serializers as s

# A PATCH refused: the plan is not an unsigned draft, or (with ``changed_fields``,
# ``changes`` and the current ``edit_version``) someone saved it since your edit_version.
_CONFLICT = OpenApiResponse(
    description="The plan is not an unsigned draft (the reason in `detail`), or someone "
    "saved this since the `edit_version` you sent: `detail` names who changed which fields, "
    "with `changed_fields`, `changes` and the current `edit_version`."
)


@contextmanager
def _with_reason():
    try:
        yield
    except PermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None) from error


def _in_reach(request):
    return client_ids_in_reach(user=request.user)


def _pick(queryset, pk, field: str):
    """An object of a client in reach named in a payload; otherwise 400 naming ``field``."""
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise DRFValidationError({field: ["No such item in your teams."]}) from None


def _valid(serializer_class, request, *, partial: bool = False) -> dict[str, Any]:
    """The request's payload as ``serializer_class`` checks it (else 400 naming fields)."""
    data = serializer_class(data=request.data, partial=partial)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _filter(queryset, request, **params):
    for param, lookup in params.items():
        value = request.query_params.get(param, "")
        if value.isdigit():
            queryset = queryset.filter(**{lookup: int(value)})
    return queryset


# -------------------------------------------------------------------------- plans
@extend_schema(
    parameters=[OpenApiParameter("client", OpenApiTypes.INT, description="One client's plans")]
)
class CarePlanViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Care plans (every version) of clients in reach, with problems, goals, objectives,
    interventions and signatures."""

    serializer_class = s.CarePlanSerializer
    queryset = CarePlan.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = careplan_full(CarePlan.objects.filter(client__in=_in_reach(self.request)))
        return _filter(qs, self.request, client="client_id").order_by("client_id", "-version")

    def _fresh(self, plan):
        return s.CarePlanSerializer(self.get_queryset().get(pk=plan.pk)).data

    @extend_schema(request=s.CarePlanCreateSerializer, responses={201: s.CarePlanSerializer})
    def create(self, request, *args, **kwargs):
        data = s.CarePlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = client_in_payload(request, data.validated_data["client"])
        from_assessment = data.validated_data["from_assessment"]
        findings = latest_assessment_findings(client=client) if from_assessment else None
        plan = services.careplan_create(
            actor=request.user,
            client=client,
            findings=findings,
            effective_date=data.validated_data.get("effective_date"),
        )
        return Response(self._fresh(plan), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CarePlanUpdateSerializer,
        responses={200: s.CarePlanSerializer, 409: _CONFLICT},
    )
    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = _valid(s.CarePlanUpdateSerializer, request, partial=True)
        expected = expected_version(request, data)
        plan = services.careplan_update(
            actor=request.user, plan=plan, data=data, expected_version=expected
        )
        return Response(self._fresh(plan))

    @extend_schema(request=None, responses={200: s.CarePlanSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = services.careplan_submit(actor=request.user, plan=self.get_object())
        return Response(self._fresh(plan))

    @extend_schema(request=None, responses={200: s.CarePlanSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        with _with_reason():
            plan = services.careplan_approve(actor=request.user, plan=self.get_object())
        return Response(self._fresh(plan))

    @extend_schema(request=s.ReturnCommentsSerializer, responses={200: s.CarePlanSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        comments = _valid(s.ReturnCommentsSerializer, request)["comments"]
        with _with_reason():
            plan = services.careplan_return(
                actor=request.user, plan=self.get_object(), comments=comments
            )
        return Response(self._fresh(plan))

    @extend_schema(request=s.SignInputSerializer, responses={200: s.CarePlanSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        plan = self.get_object()
        values = _valid(s.SignInputSerializer, request)
        services.careplan_sign(actor=request.user, plan=plan, **values)
        return Response(self._fresh(plan))

    @extend_schema(request=None, responses={201: s.CarePlanSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        new = services.careplan_revise(actor=request.user, plan=self.get_object())
        return Response(self._fresh(new), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CloseReasonSerializer, responses={200: s.CarePlanSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        reason = _valid(s.CloseReasonSerializer, request)["reason"]
        plan = services.careplan_close(actor=request.user, plan=self.get_object(), reason=reason)
        return Response(self._fresh(plan))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.INT, description="Version to compare with (default: previous)"
            )
        ],
        responses={200: s.PlanChangeSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole diff, one page
    def changes(self, request, pk=None):
        """What changed from another version of the same client's plan to this one."""
        plan = self.get_object()
        wanted = request.query_params.get("from", "")
        version = int(wanted) if wanted.isdigit() else plan.version - 1
        old = self.get_queryset().filter(client_id=plan.client_id, version=version).first()
        if old is None:
            raise DRFValidationError({"from": ["No such version of this client's plan."]})
        audit_record(user=request.user, action=AuditAction.VIEW, obj=plan, client_id=plan.client_id)
        rows = careplan_diff(old=old, new=plan)
        return Response([{"change": kind, "line": line} for kind, line in rows if kind != "same"])

    @extend_schema(
        parameters=[
            OpenApiParameter("copy", str, enum=list(COPIES), default="client"),
            OpenApiParameter("paper", str, enum=list(PAPERS), default="letter"),
            OpenApiParameter(
                "language",
                str,
                enum=list(languages()),
                description="Language of the client copy (default: the client's preferred "
                "language when supported, else English); the clinical copy is English.",
            ),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        plan = self.get_object()
        copy = request.query_params.get("copy", "client")
        paper = request.query_params.get("paper", "letter")
        language = request.query_params.get("language") or client_language(plan.client)
        response = HttpResponse(
            careplan_print(
                actor=request.user, plan=plan, copy=copy, paper=paper, language=language
            ),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'inline; filename="{pdf_filename(plan, copy)}"'
        return response


# ------------------------------------------------------------------- plan parts
class _PartViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    def audit_client_id(self, obj) -> int:
        return obj.plan.client_id

    def _plans(self):
        return CarePlan.objects.filter(client__in=_in_reach(self.request))


@extend_schema(parameters=[OpenApiParameter("plan", OpenApiTypes.INT)])
class ProblemViewSet(_PartViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    serializer_class = s.ProblemSerializer
    queryset = Problem.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = Problem.objects.filter(plan__in=self._plans()).select_related("plan")
        return _filter(qs, self.request, plan="plan_id")

    @extend_schema(request=s.ProblemCreateSerializer, responses={201: s.ProblemSerializer})
    def create(self, request, *args, **kwargs):
        values = _valid(s.ProblemCreateSerializer, request)
        plan = _pick(self._plans(), values.pop("plan"), "plan")
        problem = services.problem_add(actor=request.user, plan=plan, **values)
        return Response(s.ProblemSerializer(problem).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProblemUpdateSerializer,
        responses={200: s.ProblemSerializer, 409: _CONFLICT},
    )
    def partial_update(self, request, *args, **kwargs):
        problem = self.get_object()
        data = _valid(s.ProblemUpdateSerializer, request, partial=True)
        expected = expected_version(request, data)
        problem = services.problem_update(
            actor=request.user, problem=problem, data=data, expected_version=expected
        )
        return Response(s.ProblemSerializer(problem).data)


@extend_schema(parameters=[OpenApiParameter("plan", OpenApiTypes.INT)])
class GoalViewSet(_PartViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    serializer_class = s.GoalWithNotesSerializer
    queryset = Goal.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = (
            Goal.objects.filter(plan__in=self._plans())
            .select_related("plan")
            .prefetch_related("objectives", "interventions__responsible__user", "notes")
        )
        return _filter(qs, self.request, plan="plan_id")

    def _fresh(self, goal):
        return s.GoalWithNotesSerializer(self.get_queryset().get(pk=goal.pk)).data

    @extend_schema(request=s.GoalCreateSerializer, responses={201: s.GoalWithNotesSerializer})
    def create(self, request, *args, **kwargs):
        values = _valid(s.GoalCreateSerializer, request)
        problem = _pick(
            Problem.objects.filter(plan__in=self._plans()).select_related("plan"),
            values.pop("problem"),
            "problem",
        )
        goal = services.goal_add(actor=request.user, problem=problem, **values)
        return Response(self._fresh(goal), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.GoalUpdateSerializer,
        responses={200: s.GoalWithNotesSerializer, 409: _CONFLICT},
    )
    def partial_update(self, request, *args, **kwargs):
        goal = self.get_object()
        data = _valid(s.GoalUpdateSerializer, request, partial=True)
        expected = expected_version(request, data)
        goal = services.goal_update(
            actor=request.user, goal=goal, data=data, expected_version=expected
        )
        return Response(self._fresh(goal))

    @extend_schema(request=s.LinkNotesSerializer, responses={200: s.GoalWithNotesSerializer})
    @action(detail=True, methods=["post"], url_path="link-notes")
    def link_notes(self, request, pk=None):
        goal = self.get_object()
        note_ids = _valid(s.LinkNotesSerializer, request)["notes"]
        services.goal_notes_link(actor=request.user, goal=goal, note_ids=note_ids)
        return Response(self._fresh(goal))


def _goals_in_reach(view):
    return Goal.objects.filter(plan__in=view._plans()).select_related("plan")


class _EditablePart:
    """PATCH and DELETE of an objective or intervention while its plan is an unsigned
    draft (else 409 with the reason); DELETE removes it from the draft (204)."""

    http_method_names: Sequence[str] = ["get", "post", "patch", "delete", "head", "options"]

    def audit_client_id(self, obj) -> int:
        return obj.goal.plan.client_id


@extend_schema(parameters=[OpenApiParameter("goal", OpenApiTypes.INT)])
class ObjectiveViewSet(_EditablePart, _PartViewSet):
    serializer_class = s.ObjectiveSerializer
    queryset = Objective.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = Objective.objects.filter(goal__plan__in=self._plans()).select_related("goal__plan")
        return _filter(qs, self.request, goal="goal_id")

    @extend_schema(request=s.ObjectiveCreateSerializer, responses={201: s.ObjectiveSerializer})
    def create(self, request, *args, **kwargs):
        values = _valid(s.ObjectiveCreateSerializer, request)
        goal = _pick(_goals_in_reach(self), values.pop("goal"), "goal")
        objective = services.objective_add(actor=request.user, goal=goal, **values)
        return Response(s.ObjectiveSerializer(objective).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ObjectiveUpdateSerializer,
        responses={200: s.ObjectiveSerializer, 409: _CONFLICT},
    )
    def partial_update(self, request, *args, **kwargs):
        objective = self.get_object()
        data = _valid(s.ObjectiveUpdateSerializer, request, partial=True)
        expected = expected_version(request, data)
        objective = services.objective_update(
            actor=request.user, objective=objective, data=data, expected_version=expected
        )
        return Response(s.ObjectiveSerializer(objective).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.objective_remove(actor=request.user, objective=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[OpenApiParameter("goal", OpenApiTypes.INT)])
class InterventionViewSet(_EditablePart, _PartViewSet):
    serializer_class = s.InterventionSerializer
    queryset = Intervention.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = Intervention.objects.filter(goal__plan__in=self._plans()).select_related(
            "goal__plan", "responsible__user"
        )
        return _filter(qs, self.request, goal="goal_id")

    def _responsible(self, goal, values) -> dict:
        """A care-team member of this client named by id (400 naming the field if not)."""
        if "responsible" in values and values["responsible"] is not None:
            values["responsible"] = _pick(
                CareTeamMember.objects.filter(client_id=goal.plan.client_id),
                values["responsible"],
                "responsible",
            )
        return values

    @extend_schema(
        request=s.InterventionCreateSerializer, responses={201: s.InterventionSerializer}
    )
    def create(self, request, *args, **kwargs):
        values = _valid(s.InterventionCreateSerializer, request)
        goal = _pick(_goals_in_reach(self), values.pop("goal"), "goal")
        values = self._responsible(goal, values)
        intervention = services.intervention_add(actor=request.user, goal=goal, **values)
        return Response(s.InterventionSerializer(intervention).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.InterventionUpdateSerializer,
        responses={200: s.InterventionSerializer, 409: _CONFLICT},
    )
    def partial_update(self, request, *args, **kwargs):
        intervention = self.get_object()
        data = _valid(s.InterventionUpdateSerializer, request, partial=True)
        expected = expected_version(request, data)
        values = self._responsible(intervention.goal, data)
        intervention = services.intervention_update(
            actor=request.user, intervention=intervention, data=values, expected_version=expected
        )
        return Response(s.InterventionSerializer(intervention).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.intervention_remove(actor=request.user, intervention=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[OpenApiParameter("plan", OpenApiTypes.INT)])
class ReviewViewSet(_PartViewSet, mixins.CreateModelMixin):
    serializer_class = s.ReviewSerializer
    queryset = PlanReview.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = (
            PlanReview.objects.filter(plan__in=self._plans())
            .select_related("plan")
            .prefetch_related("progress")
        )
        return _filter(qs, self.request, plan="plan_id")

    @extend_schema(request=s.ReviewCreateSerializer, responses={201: s.ReviewSerializer})
    def create(self, request, *args, **kwargs):
        values = _valid(s.ReviewCreateSerializer, request)
        plan = _pick(self._plans(), values.pop("plan"), "plan")
        progress = {
            row["goal"]: {"progress": row["progress"], "comment": row.get("comment", "")}
            for row in values.pop("progress")
        }
        review = services.review_record(actor=request.user, plan=plan, progress=progress, **values)
        return Response(
            s.ReviewSerializer(self.get_queryset().get(pk=review.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# ------------------------------------------------------------ safety and relapse
class _VersionedPlanViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Every version; ``?client=`` one client's, ``?current=true`` only current ones.
    Creating saves the client's next version."""

    model: type[SafetyPlan | RelapsePreventionPlan] = SafetyPlan
    input_serializer = s.SafetyPlanCreateSerializer
    save: Callable[..., SafetyPlan | RelapsePreventionPlan] = staticmethod(
        services.safety_plan_save
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        qs = self.model.objects.filter(client__in=_in_reach(self.request))
        if self.request.query_params.get("current") == "true":
            qs = qs.filter(superseded_at__isnull=True)
        return _filter(qs, self.request, client="client_id")

    def create(self, request, *args, **kwargs):
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        expected = expected_version(request, values, field="version")
        picked = values.pop("related_person_ids", None)
        extra = {"related_person_ids": picked} if picked else {}
        plan = self.save(
            actor=request.user, client=client, values=values, expected_version=expected, **extra
        )
        return Response(self.serializer_class(plan).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[OpenApiParameter("client", OpenApiTypes.INT), OpenApiParameter("current", bool)]
)
class SafetyPlanViewSet(_VersionedPlanViewSet):
    serializer_class = s.SafetyPlanSerializer
    queryset = SafetyPlan.objects.none()

    @extend_schema(request=s.SafetyPlanCreateSerializer, responses={201: s.SafetyPlanSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


@extend_schema(
    parameters=[OpenApiParameter("client", OpenApiTypes.INT), OpenApiParameter("current", bool)]
)
class RelapsePlanViewSet(_VersionedPlanViewSet):
    serializer_class = s.RelapsePlanSerializer
    queryset = RelapsePreventionPlan.objects.none()
    model = RelapsePreventionPlan
    input_serializer = s.RelapsePlanCreateSerializer
    save = staticmethod(services.relapse_plan_save)

    @extend_schema(request=s.RelapsePlanCreateSerializer, responses={201: s.RelapsePlanSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
