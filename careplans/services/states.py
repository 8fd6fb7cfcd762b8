"""Writes for the states of a care plan: signatures (which lock it), submit / approve /
return, revise (next version as a draft copy) and close."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.accounts.selectors import user_supervises_team
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.services import notification_create, notifications_mark_done

from ..models import (
    CarePlan,
    Goal,
    GoalStatus,
    PlanSignature,
    PlanStatus,
    SignatureMethod,
    SignatureRole,
)
from .plans import (
    _errors,
    _locked_plan,
    _on_timeline,
    _text,
    _today,
    careplan_create,
    plan_link,
    review_days_for,
)


def _audit_change(actor: User, plan: CarePlan, **detail: Any) -> None:
    """Audit a change of ``plan``'s state or signatures (``detail``: what changed)."""
    audit_record(
        user=actor, action=AuditAction.UPDATE, obj=plan, client_id=plan.client_id, detail=detail
    )


def _notify(
    plan: CarePlan, recipients: Iterable[User], *, kind: str, title: str, body: str
) -> None:
    """An in-app notification about ``plan`` to each recipient, linking to the plan."""
    link = plan_link(plan)
    for recipient in recipients:
        notification_create(recipient=recipient, kind=kind, title=title, body=body, link=link)


@transaction.atomic
def careplan_sign(
    *,
    actor: User,
    plan: CarePlan,
    role: str,
    typed_name: str,
    method: str,
    signed_on: date | None = None,
) -> PlanSignature:
    """Record the client's or the case manager's signature. A signed plan is locked."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(
            f"Only a draft is signed; this plan is {plan.get_status_display().lower()}.",
            field="role",
        )
    errors: dict[str, list[str]] = {}
    if role not in SignatureRole.values:
        errors["role"] = ["Say who is signing: the client or the case manager."]
    typed_name = _text(typed_name, "typed_name", "Type the signer's full name.", errors)
    if method not in SignatureMethod.values:
        errors["method"] = ["Choose how the plan was signed."]
    signed_on = signed_on or _today()
    if signed_on > _today():
        errors["signed_on"] = ["The signature date cannot be in the future."]
    _errors(errors)
    if plan.signatures.filter(role=role, voided_at__isnull=True).exists():
        raise Conflict(
            f"The {SignatureRole(role).label.lower()} has already signed this version.",
            field="role",
        )
    if role == SignatureRole.CLIENT and not plan.client_agrees:
        raise Conflict(
            "Record that the client agrees with the plan before they sign it.", field="role"
        )
    signature = PlanSignature.objects.create(
        plan=plan,
        role=role,
        typed_name=typed_name,
        signed_on=signed_on,
        method=method,
        recorded_by=actor,
    )
    _audit_change(actor, plan, signed=role, method=method)
    return signature


def integration_rule_met(plan: CarePlan) -> bool:
    """A dual-diagnosis client's plan has a goal for each disorder, or a reason why not."""
    if not plan.client.is_dual_diagnosis or plan.integration_exception.strip():
        return True
    goals = plan.goals.exclude(status=GoalStatus.DISCONTINUED)
    return (
        goals.filter(problem__concerns_mental_health=True).exists()
        and goals.filter(problem__concerns_substance_use=True).exists()
    )


@transaction.atomic
def careplan_submit(*, actor: User, plan: CarePlan) -> CarePlan:
    """Send a draft to the team's supervisors for approval (each is notified)."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(f"This plan is {plan.get_status_display().lower()}: it cannot be submitted.")
    if not plan.goals.exists():
        raise ValidationError({"goals": ["Add at least one goal before submitting."]})
    if not integration_rule_met(plan):
        raise ValidationError(
            {
                "integration_exception": [
                    "This client has both a mental health and a substance use disorder: add a "
                    "goal for each, or record why the plan does not address one of them."
                ]
            }
        )
    plan.status = PlanStatus.AWAITING_APPROVAL
    plan.submitted_by = actor
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    _audit_change(actor, plan, status=plan.status)
    _notify(
        plan,
        plan.client.team.supervisors.exclude(pk=actor.pk),
        kind="approval",
        # In-app only (no email: an email never names a client).
        title=f"Care plan v{plan.version} for {plan.client.display_name} "
        f"({plan.client.client_number}) awaits your approval",
        body=f"Submitted by {actor.display_name}.",
    )
    _on_timeline(
        plan=plan, actor=actor, summary=f"Care plan version {plan.version} submitted for approval"
    )
    return plan


def _require_supervisor(actor: User, plan: CarePlan, doing: str) -> None:
    if not user_supervises_team(user=actor, team=plan.client.team):
        raise PermissionDenied(f"Only a supervisor of {plan.client.team.name} can {doing} plans.")


def careplan_coverage_refresh(*, plan_ids: list[int] | None = None) -> None:
    """Store on each plan whether its goals address mental health and substance use (a
    goal whose need concerns the disorder). Done when a plan becomes active, as its goals
    are locked from then on; ``plan_ids=None`` recomputes every plan (after a bulk load).
    One UPDATE."""
    goals = Goal.objects.filter(plan=OuterRef("pk"))
    plans = CarePlan.objects.all() if plan_ids is None else CarePlan.objects.filter(pk__in=plan_ids)
    plans.update(
        goals_cover_mental_health=Exists(goals.filter(problem__concerns_mental_health=True)),
        goals_cover_substance_use=Exists(goals.filter(problem__concerns_substance_use=True)),
    )


@transaction.atomic
def careplan_approve(*, actor: User, plan: CarePlan) -> CarePlan:
    """Make a submitted plan active; the previous active version becomes superseded.
    The review is due after the team's cadence (default 90 days)."""
    plan = _locked_plan(plan)
    _require_supervisor(actor, plan, "approve")
    if plan.status != PlanStatus.AWAITING_APPROVAL:
        raise Conflict(
            f"This plan is {plan.get_status_display().lower()}: only a submitted plan is approved."
        )
    if actor.pk in (plan.author_id, plan.submitted_by_id):
        raise Conflict("You wrote or submitted this plan: another supervisor must approve it.")
    superseded = list(
        CarePlan.objects.select_for_update()
        .filter(client_id=plan.client_id, status=PlanStatus.ACTIVE)
        .exclude(pk=plan.pk)
    )
    for old in superseded:
        old.status = PlanStatus.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
        _audit_change(actor, old, status=old.status)
    today = _today()
    plan.status = PlanStatus.ACTIVE
    plan.approver = actor
    plan.approved_at = timezone.now()
    plan.review_due = max(plan.effective_date, today) + timedelta(days=review_days_for(plan.client))
    plan.save(update_fields=["status", "approver", "approved_at", "review_due", "updated_at"])
    careplan_coverage_refresh(plan_ids=[plan.pk])
    _audit_change(actor, plan, status=plan.status)
    notifications_mark_done(link=plan_link(plan), kinds=["approval"])  # the work is done
    _notify(
        plan,
        (
            User.objects.get(pk=user_id)
            for user_id in {u for u in (plan.author_id, plan.submitted_by_id) if u is not None}
        ),
        kind="info",
        title=f"Care plan v{plan.version} approved",
        body=f"Approved by {actor.display_name}. Review due {plan.review_due:%b %d, %Y}.",
    )
    _on_timeline(
        plan=plan,
        actor=actor,
        summary=f"Care plan version {plan.version} approved; "
        f"review due {plan.review_due:%b %d, %Y}",
    )
    return plan


@transaction.atomic
def careplan_return(*, actor: User, plan: CarePlan, comments: str) -> CarePlan:
    """Send a submitted plan back to draft with comments. Its signatures are voided (kept
    as history): the changed plan is signed again."""
    plan = _locked_plan(plan)
    _require_supervisor(actor, plan, "return")
    comments = (comments or "").strip()
    if not comments:
        raise ValidationError({"comments": ["Say what needs to change."]})
    if plan.status != PlanStatus.AWAITING_APPROVAL:
        raise Conflict(
            f"This plan is {plan.get_status_display().lower()}: only a submitted plan is returned.",
            field="comments",
        )
    plan.status = PlanStatus.DRAFT
    plan.return_comments = comments
    plan.save(update_fields=["status", "return_comments", "updated_at"])
    voided = plan.signatures.filter(voided_at__isnull=True).update(voided_at=timezone.now())
    _audit_change(actor, plan, status="returned", signatures_voided=voided)
    notifications_mark_done(link=plan_link(plan), kinds=["approval"])
    _notify(
        plan,
        (
            User.objects.get(pk=user_id)
            for user_id in {u for u in (plan.author_id, plan.submitted_by_id) if u is not None}
            - {actor.pk}
        ),
        kind="info",
        title=f"Care plan v{plan.version} returned for changes",
        body=comments[:500],
    )
    _on_timeline(
        plan=plan, actor=actor, summary=f"Care plan version {plan.version} returned for changes"
    )
    return plan


@transaction.atomic
def careplan_revise(*, actor: User, plan: CarePlan) -> CarePlan:
    """Start the next version as a draft copied from the active plan."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict(
            f"Only the active plan is revised; this one is {plan.get_status_display().lower()}."
        )
    return careplan_create(actor=actor, client=plan.client)


@transaction.atomic
def careplan_close(*, actor: User, plan: CarePlan, reason: str) -> CarePlan:
    """Close a plan (client discharged, plan abandoned). It stays readable."""
    plan = _locked_plan(plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the plan is closed."]})
    if plan.status in (PlanStatus.SUPERSEDED, PlanStatus.CLOSED):
        raise Conflict(f"This plan is already {plan.get_status_display().lower()}.", field="reason")
    plan.status = PlanStatus.CLOSED
    plan.closed_at = timezone.now()
    plan.close_reason = reason
    plan.save(update_fields=["status", "closed_at", "close_reason", "updated_at"])
    _audit_change(actor, plan, status=plan.status)
    _on_timeline(plan=plan, actor=actor, summary=f"Care plan version {plan.version} closed")
    return plan
