"""Reads for care plans, scoped to the user's reach through ``clients.selectors``.

Others may call: ``plans_due_for_review(*, user, as_of=None)``,
``client_has_current_safety_plan(*, client)``, ``careplan_current(*, client)``,
``safety_plan_current(*, client)``, ``plan_measure_counts(*, team_ids, as_of)`` (the
dashboard's plan measures).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.lib.sql import ids_subquery, in_teams
from clients.models import Client, RiskFlagKind
from clients.selectors import client_ids_in_reach, open_risk_flag_exists

from .models import (
    OPEN_STATUSES,
    CarePlan,
    Goal,
    GoalProgress,
    Intervention,
    PlanReview,
    PlanSignature,
    PlanStatus,
    RelapsePreventionPlan,
    SafetyPlan,
    Stage,
    StageSuggestion,
)


def careplan_list_in_reach(*, user: User) -> QuerySet[CarePlan]:
    """Plans of clients in reach of ``user``."""
    return CarePlan.objects.filter(client__in=client_ids_in_reach(user=user)).select_related(
        "client", "author", "approver"
    )


def plans_awaiting_approval(
    *, user: User, team_ids: list[int] | None | bool = False
) -> QuerySet[CarePlan]:
    """Plans submitted for approval of the clients of the teams ``user`` supervises (an
    admin: every team), the longest waiting first: the supervisor's approval queue.
    ``team_ids``: those teams when the caller has them (``supervised_team_ids``)."""
    from casemgmt.accounts.selectors import supervised_team_ids

    plans = CarePlan.objects.filter(status=PlanStatus.AWAITING_APPROVAL)
    if team_ids is False or team_ids is True:
        team_ids = supervised_team_ids(user=user)
    if team_ids is not None:
        plans = plans.filter(client__team_id__in=team_ids)
    return plans.select_related("client", "client__team", "author", "submitted_by").order_by(
        "submitted_at", "pk"
    )


def careplan_list(*, client: Client) -> QuerySet[CarePlan]:
    """All versions of a client's plan, newest first."""
    return CarePlan.objects.filter(client=client).select_related("author", "approver")


def goal_list_in_reach(*, user: User) -> QuerySet[Goal]:
    """Goals of the plans of every client in reach of ``user``, with plan, client and
    problem (for reads by id, e.g. the FHIR API)."""
    return Goal.objects.filter(plan__client__in=client_ids_in_reach(user=user)).select_related(
        "plan__client__team", "problem"
    )


def goal_list(*, client: Client) -> QuerySet[Goal]:
    """The goals of a client's plans that are not superseded (a superseded version's
    goals were carried into the next one), newest plan first."""
    return (
        Goal.objects.filter(plan__client=client)
        .exclude(plan__status=PlanStatus.SUPERSEDED)
        .select_related("plan", "problem")
        .order_by("-plan__version", "order", "id")
    )


def _goal_prefetch() -> Prefetch[str, QuerySet[Goal], str]:
    return Prefetch(
        "goals",
        queryset=Goal.objects.select_related("problem").prefetch_related(
            "objectives",
            "notes",
            Prefetch(
                "interventions",
                queryset=Intervention.objects.select_related("responsible__user"),
            ),
        ),
    )


def _active_signatures() -> Prefetch[str, QuerySet[PlanSignature], str]:
    """``plan.active_signatures`` (declared on CarePlan): the signatures not voided."""
    return Prefetch(
        "signatures",
        queryset=PlanSignature.objects.filter(voided_at__isnull=True),
        to_attr="active_signatures",
    )


def careplan_full(queryset: QuerySet[CarePlan]) -> QuerySet[CarePlan]:
    """Everything a plan page, the API and the PDF show, in a fixed number of queries."""
    return queryset.select_related(
        "client", "client__team", "author", "approver", "submitted_by"
    ).prefetch_related(
        "problems",
        _goal_prefetch(),
        _active_signatures(),
        Prefetch(
            "reviews",
            queryset=PlanReview.objects.select_related("reviewer").prefetch_related(
                Prefetch("progress", queryset=GoalProgress.objects.select_related("goal"))
            ),
        ),
    )


def careplan_get(*, client: Client, plan_id: int) -> CarePlan:
    """One version of the client's plan with all it holds, or 404."""
    try:
        return careplan_full(CarePlan.objects.filter(client=client)).get(pk=plan_id)
    except CarePlan.DoesNotExist:
        raise Http404("No such care plan") from None


def careplan_current(*, client: Client) -> CarePlan | None:
    """The plan to show first: the open draft/submitted version, else the active one."""
    plans = CarePlan.objects.filter(
        client=client, status__in=[*OPEN_STATUSES, PlanStatus.ACTIVE]
    ).order_by("-version")
    return plans.first()


def careplan_active(*, client: Client) -> CarePlan | None:
    return CarePlan.objects.filter(client=client, status=PlanStatus.ACTIVE).first()


def plans_due_for_review(*, user: User, as_of: date | None = None) -> QuerySet[CarePlan]:
    """Active plans of clients in reach whose review is due by ``as_of`` (default: within
    the next 7 days), soonest first."""
    as_of = as_of or timezone.localdate() + timedelta(days=7)
    return (
        careplan_list_in_reach(user=user)
        .filter(status=PlanStatus.ACTIVE, review_due__lte=as_of)
        .order_by("review_due", "pk")
    )


def safety_plan_current(*, client: Client) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(client=client, superseded_at__isnull=True).first()


def safety_plan_versions(*, client: Client) -> QuerySet[SafetyPlan]:
    return SafetyPlan.objects.filter(client=client).select_related("created_by")


def relapse_plan_current(*, client: Client) -> RelapsePreventionPlan | None:
    return RelapsePreventionPlan.objects.filter(client=client, superseded_at__isnull=True).first()


def relapse_plan_versions(*, client: Client) -> QuerySet[RelapsePreventionPlan]:
    return RelapsePreventionPlan.objects.filter(client=client).select_related("created_by")


def client_has_current_safety_plan(*, client: Client) -> bool:
    return SafetyPlan.objects.filter(client=client, superseded_at__isnull=True).exists()


def _has_active_suicide_flag(client: Client) -> bool:
    flags = getattr(client, "active_flags", None)
    if flags is not None:
        return any(f.kind == RiskFlagKind.SUICIDE for f in flags)
    return client.risk_flags.filter(kind=RiskFlagKind.SUICIDE, cleared_at__isnull=True).exists()


def no_safety_plan_warning(client: Client) -> str | None:
    """The chart banner warning: a suicide risk flag and no current safety plan. With the
    flags prefetched (chart pages), one query at most."""
    if _has_active_suicide_flag(client) and not client_has_current_safety_plan(client=client):
        return "No safety plan"
    return None


def stage_key(text: str | None) -> str | None:
    """'Pre-contemplation' -> 'precontemplation'; unknown -> None."""
    if not text:
        return None
    squashed = re.sub(r"[^a-z]", "", text.lower())
    for value in Stage.values:
        if squashed == value.replace("_", ""):
            return value
    return None


def stage_suggestions(*, stages: dict[str, str | None]) -> dict[str, list[StageSuggestion]]:
    """Fitting interventions per disorder, given the stage of change of each
    (``{"mental_health": "contemplation", "substance_use": "action"}``), in one query."""
    keys = {disorder: stage_key(stage) for disorder, stage in stages.items()}
    wanted = {k for k in keys.values() if k}
    result: dict[str, list[StageSuggestion]] = {d: [] for d in keys}
    if not wanted:
        return result
    rows = list(StageSuggestion.objects.filter(is_active=True, stage__in=wanted))
    for disorder, key in keys.items():
        result[disorder] = [s for s in rows if s.stage == key and s.disorder in ("", disorder)]
    return result


# --------------------------------------------------------------------------- the diff
def careplan_outline(plan: CarePlan) -> list[str]:
    """A plan as lines of text, the form the version diff compares (prefetched plan)."""
    lines = [
        f"Start: {plan.effective_date:%Y-%m-%d}",
        f"What matters to the client: {plan.what_matters}",
        f"Preferences: {plan.preferences}",
        f"Client took part: {'yes' if plan.client_participated else 'no'}",
        f"Client agrees: {'yes' if plan.client_agrees else 'no'}",
    ]
    if plan.integration_exception:
        lines.append(f"Why not both disorders: {plan.integration_exception}")
    goals_by_problem: dict[int, list[Goal]] = {}
    for goal in plan.goals.all():
        goals_by_problem.setdefault(goal.problem_id, []).append(goal)
    for problem in plan.problems.all():
        tags = f" [{problem.disorders_label}]" if problem.disorders_label else ""
        lines.append(f"Need ({problem.get_domain_display()}){tags}: {problem.description}")
        for goal in goals_by_problem.get(problem.pk, []):
            lines.append(
                f"  Goal: {goal.text} ({goal.get_goal_type_display()}, by "
                f"{goal.target_date:%Y-%m-%d}, {goal.get_status_display().lower()})"
            )
            for objective in goal.objectives.all():
                by = f" (by {objective.target_date:%Y-%m-%d})" if objective.target_date else ""
                lines.append(f"    Objective: {objective.text}{by}")
            for i in goal.interventions.all():
                who = i.responsible.display_name if i.responsible is not None else "unassigned"
                until = f" to {i.end_date:%Y-%m-%d}" if i.end_date else ""
                lines.append(
                    f"    Intervention: {i.get_category_display()}"
                    f"{' — ' + i.description if i.description else ''}; {i.frequency}; {who}; "
                    f"from {i.start_date:%Y-%m-%d}{until}"
                )
    return lines


def careplan_diff(*, old: CarePlan, new: CarePlan) -> list[tuple[str, str]]:
    """What changed between two versions: (``"added"|"removed"|"same"``, line) pairs."""
    result = []
    for line in difflib.ndiff(careplan_outline(old), careplan_outline(new)):
        tag, text = line[:2], line[2:]
        if tag == "+ ":
            result.append(("added", text))
        elif tag == "- ":
            result.append(("removed", text))
        elif tag == "  ":
            result.append(("same", text))
    return result


# ------------------------------------------------------------------ measures (dashboard)
# Each measure's rule is written once; the counts and the drill-down (who is in the
# denominator but not the numerator) both read it. Active clients join their active plan
# (one per client by constraint, so the join adds no rows): one pass over clients and
# plans. "Goals for both" reads the flags a plan gets when it becomes active.
_CURRENT_PLAN = "p.review_due >= %(as_of)s"
_GOALS_FOR_BOTH = "p.goals_cover_mental_health AND p.goals_cover_substance_use"
_ACTIVE_WITH_PLAN = """
FROM {client} c
LEFT JOIN {plan} p ON p.client_id = c.id AND p.status = 'active'
WHERE c.status = 'active' {reach}
"""
_PLAN_MEASURES_SQL = (
    f"""SELECT count(*) FILTER (WHERE {_CURRENT_PLAN}), count(*),
       count(*) FILTER (WHERE c.is_dual_diagnosis AND {_GOALS_FOR_BOTH}),
       count(*) FILTER (WHERE c.is_dual_diagnosis)"""
    + _ACTIVE_WITH_PLAN
)
_PLAN_GAP_SQL = {
    "current_plan": f"SELECT c.id {_ACTIVE_WITH_PLAN} AND NOT coalesce({_CURRENT_PLAN}, false)",
    "dual_both_goals": f"SELECT c.id {_ACTIVE_WITH_PLAN} AND c.is_dual_diagnosis "
    f"AND NOT coalesce({_GOALS_FOR_BOTH}, false)",
}


def _plan_sql(sql: str, team_ids: Iterable[int] | None, as_of: date) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"as_of": as_of}
    reach = in_teams(team_ids, params)
    return sql.format(client=Client._meta.db_table, plan=CarePlan._meta.db_table, reach=reach), (
        params
    )


def _suicide_flagged(team_ids: Iterable[int] | None) -> QuerySet[Client]:
    """Clients with an active suicide risk flag (the safety-plan measure's denominator)."""
    clients = Client.objects.filter(open_risk_flag_exists(kinds=[RiskFlagKind.SUICIDE]))
    return clients if team_ids is None else clients.filter(team_id__in=team_ids)


def current_safety_plan_exists() -> Exists:
    """The client (outer queryset) has a current (not superseded) safety plan."""
    return Exists(SafetyPlan.objects.filter(client=OuterRef("pk"), superseded_at__isnull=True))


def plan_measure_counts(*, team_ids: list[int] | None, as_of: date) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of the plan measures for the clients of ``team_ids`` (all
    teams: None). Two queries whatever the number of clients:

    - ``current_plan``: active clients whose active plan is not overdue for review;
    - ``dual_both_goals``: active dual-diagnosis clients whose active plan has goals for
      both disorders;
    - ``suicide_safety_plan``: clients with an active suicide risk flag and a current
      (not superseded) safety plan.
    """
    sql, params = _plan_sql(_PLAN_MEASURES_SQL, team_ids, as_of)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        current_n, active_n, both_n, dual_n = cursor.fetchone()
    safety_n = _suicide_flagged(team_ids).aggregate(
        n=Count("pk", filter=Q(current_safety_plan_exists())), d=Count("pk")
    )
    return {
        "current_plan": (current_n, active_n),
        "dual_both_goals": (both_n, dual_n),
        "suicide_safety_plan": (safety_n["n"], safety_n["d"]),
    }


def plan_measure_gap(
    *, key: str, team_ids: list[int] | None, as_of: date
) -> QuerySet[Client, Mapping[str, Any]]:
    """The clients a plan measure counts in its denominator but not its numerator (who
    to look at), as a subquery of ids. ``key`` as in ``plan_measure_counts``."""
    if key == "suicide_safety_plan":
        return _suicide_flagged(team_ids).exclude(current_safety_plan_exists()).values("pk")
    sql, params = _plan_sql(_PLAN_GAP_SQL[key], team_ids, as_of)
    return Client.objects.filter(pk__in=ids_subquery(sql, params)).values("pk")


# "Has a current plan", once: the team dashboard's "Without a current plan", the quality
# measure "Active clients with a current plan" and both drill-downs read this rule (the
# measure's SQL is ``_CURRENT_PLAN`` above: the same condition on the joined active plan).
CURRENT_PLAN_DEFINITION = (
    "an active (approved) care plan whose review date is today or later, so not overdue for review"
)


def current_plan_exists(*, as_of: date) -> Exists:
    """The client (outer queryset) has a current plan (``CURRENT_PLAN_DEFINITION``) on
    ``as_of``."""
    return Exists(
        CarePlan.objects.filter(
            client=OuterRef("pk"), status=PlanStatus.ACTIVE, review_due__gte=as_of
        )
    )


# Conditions on a Client queryset (``Exists`` on the outer client), for the dashboard.
def active_plan_exists(*, review_due_before: date | None = None) -> Exists:
    """The client has an active care plan (whose review was due before
    ``review_due_before``, when given)."""
    plans = CarePlan.objects.filter(client=OuterRef("pk"), status=PlanStatus.ACTIVE)
    if review_due_before is not None:
        plans = plans.filter(review_due__lt=review_due_before)
    return Exists(plans)
