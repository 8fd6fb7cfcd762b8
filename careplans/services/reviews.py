"""Plan reviews: progress per goal and a note; the next review falls due again after the
team's cadence."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict

from ..models import CarePlan, GoalProgress, PlanReview, PlanStatus, Progress
from .plans import _locked_plan, _on_timeline, review_days_for


@transaction.atomic
def review_record(
    *,
    actor: User,
    plan: CarePlan,
    note: str,
    progress: dict[int, Any],
    reviewed_on: date | None = None,
) -> PlanReview:
    """Record a review of the active plan. ``progress`` maps every goal id of the plan to
    a ``Progress`` value, or to ``{"progress": ..., "comment": ...}``."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict(
            f"Only the active plan is reviewed; this one is {plan.get_status_display().lower()}.",
            field="note",
        )
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = ["Write a short note on how the plan is going."]
    reviewed_on = reviewed_on or timezone.localdate()
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = ["The review date cannot be in the future."]
    goal_ids = set(plan.goals.values_list("pk", flat=True))
    rows: dict[int, tuple[str, str]] = {}
    for key, value in (progress or {}).items():
        try:
            goal_id = int(key)
        except (TypeError, ValueError):
            goal_id = None
        entry = value if isinstance(value, dict) else {"progress": value}
        if goal_id not in goal_ids:
            errors.setdefault("progress", []).append(f"Goal {key} is not in this plan.")
        elif entry.get("progress") not in Progress.values:
            errors.setdefault("progress", []).append(f"Choose the progress for goal {key}.")
        else:
            rows[goal_id] = (entry["progress"], (entry.get("comment") or "").strip())
    missing = goal_ids - set(rows)
    if missing and "progress" not in errors:
        errors["progress"] = ["Record the progress of every goal."]
    if errors:
        raise ValidationError(errors)
    review = PlanReview.objects.create(
        plan=plan, reviewed_on=reviewed_on, note=note, reviewer=actor
    )
    GoalProgress.objects.bulk_create(
        GoalProgress(review=review, goal_id=gid, progress=p, comment=c)
        for gid, (p, c) in sorted(rows.items())
    )
    plan.review_due = reviewed_on + timedelta(days=review_days_for(plan.client))
    plan.save(update_fields=["review_due", "updated_at"])
    audit_record(user=actor, action=AuditAction.CREATE, obj=review, client_id=plan.client_id)
    _on_timeline(
        plan=plan,
        actor=actor,
        summary=f"Care plan version {plan.version} reviewed; "
        f"next review {plan.review_due:%b %d, %Y}",
        obj=review,
    )
    return review
