"""Synthetic history for demo clients: PHQ-9 series, care plans with goals, safety
plans, referrals, care transitions with follow-up visits, and follow-ups (10 a client:
500,000 at 50,000 clients). Bulk inserts in batches; only for clients that have none."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from assessments.models import InstrumentResponse
from assessments.services import instrument_summaries_refresh
from careplans.models import CarePlan, Goal, Problem, SafetyPlan
from careplans.services import careplan_coverage_refresh
from clients.models import Client, ClientStatus, ContactNote
from referrals.models import CareTransition, FollowUp, Referral, Service, ServiceStatus
from referrals.services.followups import followup_schedule

PHQ9_BANDS = [
    (4, "minimal"),
    (9, "mild"),
    (14, "moderate"),
    (19, "moderately severe"),
    (27, "severe"),
]
PROVIDERS = [
    "Harbor Detox",
    "Bayview Psychiatry",
    "New Leaf Housing",
    "Open Door Peer Center",
    "Northside Primary Care",
    "WorkFirst Employment",
]


def _band(total: int) -> str:
    return next(label for top, label in PHQ9_BANDS if total <= top)


def _aware(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


def seed_history(clients: list[Client], recorder, rng: random.Random, today: date) -> dict:
    """Create history for ``clients`` (already saved, with team and case manager)."""
    tz = ZoneInfo(timezone.get_default_timezone_name())
    responses, plans, notes, referrals, transitions, followups, safety = ([] for _ in range(7))
    plan_goals: list[tuple[CarePlan, bool]] = []
    # Most demo referrals go to a directory service (the seed loaded the directory first).
    service_ids = list(
        Service.objects.filter(status=ServiceStatus.ACTIVE).values_list("pk", flat=True)
    )
    for client in clients:
        manager = client.primary_case_manager_id or recorder.pk
        active = client.status == ClientStatus.ACTIVE
        # PHQ-9 series: baseline then improving (or not) every 30-60 days.
        if rng.random() < 0.6:
            total = rng.randint(6, 24)
            day = today - timedelta(days=rng.randint(200, 360))
            for _ in range(rng.randint(2, 4)):
                responses.append(
                    InstrumentResponse(
                        client=client,
                        instrument="phq9",
                        answers=[],
                        total=total,
                        band=_band(total),
                        positive=total >= 10,
                        flags=[],
                        administered_by_id=manager,
                        administered_at=_aware(day, 11, tz),
                    )
                )
                total = max(0, min(27, total + rng.randint(-6, 2)))
                day += timedelta(days=rng.randint(30, 60))
                if day >= today:
                    break
        if active and rng.random() < 0.8:
            plan = CarePlan(
                client=client,
                version=1,
                status="active",
                author_id=manager,
                effective_date=today - timedelta(days=rng.randint(10, 200)),
                review_due=today + timedelta(days=rng.randint(-20, 90)),
                client_participated=True,
                client_agrees=True,
            )
            plans.append(plan)
            plan_goals.append((plan, rng.random() < 0.85))
        if active and rng.random() < 0.05:
            safety.append(
                SafetyPlan(
                    client=client,
                    version=1,
                    created_by_id=manager,
                    warning_signs="Not sleeping\nStaying in my room",
                    internal_coping="Walk the dog",
                    social_distraction="Coffee shop on Main St",
                    people_to_ask="My sister",
                    professionals="My case manager",
                    environment_safe="Medications locked away",
                    reasons_for_living="My kids",
                )
            )
        # Referrals: most closed, some waiting.
        for _ in range(rng.randint(0, 2)):
            sent = timezone.now() - timedelta(days=rng.randint(1, 150))
            status = rng.choices(
                ["completed", "declined", "no_show", "sent", "scheduled"],
                weights=[50, 10, 10, 15, 15],
            )[0]
            closed = status in ("completed", "declined", "no_show")
            service_id = rng.choice(service_ids) if service_ids and rng.random() < 0.8 else None
            referrals.append(
                Referral(
                    client=client,
                    service_id=service_id,
                    provider_name="" if service_id else rng.choice(PROVIDERS),
                    reason="Demo referral",
                    status=status,
                    sent_at=sent,
                    response_due_on=(sent + timedelta(days=3)).date(),
                    closed_at=sent + timedelta(days=rng.randint(2, 30)) if closed else None,
                    completion_confirmation=rng.choice(["client", "provider", ""])
                    if status == "completed"
                    else "",
                    created_by_id=manager,
                    discloses_substance_use=False,
                )
            )
        # Care transitions with (often) a follow-up visit.
        if rng.random() < 0.15:
            measure, level = rng.choice(
                [
                    ("FUH", "inpatient_psych"),
                    ("FUM", "emergency"),
                    ("FUA", "emergency"),
                    ("FUI", "withdrawal_management"),
                ]
            )
            discharged = today - timedelta(days=rng.randint(1, 180))
            transitions.append(
                CareTransition(
                    client=client,
                    from_level=level,
                    to_level="community",
                    measure=measure,
                    # One transition per client: nothing supersedes or excludes it.
                    denominator="counted",
                    focus="substance_use" if measure in ("FUA", "FUI") else "mental_health",
                    facility="Demo General Hospital",
                    admitted_on=discharged - timedelta(days=5),
                    discharged_on=discharged,
                    recorded_by_id=manager,
                )
            )
            if rng.random() < 0.65:
                notes.append(
                    ContactNote(
                        client=client,
                        contact_at=_aware(discharged + timedelta(days=rng.randint(1, 12)), 10, tz),
                        contact_type="in_person",
                        duration_minutes=45,
                        data="Follow-up visit",
                        assessment="Stable",
                        plan="Continue",
                        author_id=manager,
                        signed_at=timezone.now(),
                        signed_by_id=manager,
                    )
                )
        # Ten follow-ups: history done or missed, one open for active clients.
        for i in range(10):
            if active and i == 9:
                due = today + timedelta(days=rng.randint(-3, 14))
                schedule = followup_schedule(due_on=due, due_time=None, tz=tz)
                followups.append(
                    FollowUp(
                        client=client,
                        assignee_id=manager,
                        reason="general",
                        title="Check in with client",
                        due_on=due,
                        status="open",
                        created_by_id=manager,
                        **schedule,
                    )
                )
                continue
            due = today - timedelta(days=rng.randint(10, 720))
            status = "missed" if rng.random() < 0.08 else "done"
            followups.append(
                FollowUp(
                    client=client,
                    assignee_id=manager,
                    reason="general",
                    title="Check in",
                    due_on=due,
                    due_at=_aware(due + timedelta(days=1), 0, tz),
                    status=status,
                    created_by_id=manager,
                    closed_at=_aware(due, 15, tz),
                )
            )
    InstrumentResponse.objects.bulk_create(responses, batch_size=5000)
    instrument_summaries_refresh()  # the bulk load bypassed the service
    CarePlan.objects.bulk_create(plans, batch_size=5000)
    problems, goals = [], []
    for plan, both in plan_goals:
        for mh in (True, False) if both else (True,):
            problems.append(
                Problem(
                    plan=plan,
                    domain="mental_health" if mh else "substance_use",
                    description="Demo need",
                    concerns_mental_health=mh,
                    concerns_substance_use=not mh,
                )
            )
    Problem.objects.bulk_create(problems, batch_size=5000)
    for problem in problems:
        goals.append(
            Goal(
                plan_id=problem.plan_id,
                problem=problem,
                text="In my own words",
                goal_type="recovery",
                target_date=today + timedelta(days=90),
            )
        )
    Goal.objects.bulk_create(goals, batch_size=5000)
    careplan_coverage_refresh()  # the bulk load bypassed approval
    SafetyPlan.objects.bulk_create(safety, batch_size=5000)
    Referral.objects.bulk_create(referrals, batch_size=5000)
    CareTransition.objects.bulk_create(transitions, batch_size=5000)
    ContactNote.objects.bulk_create(notes, batch_size=5000)
    FollowUp.objects.bulk_create(followups, batch_size=5000)
    return {
        "responses": len(responses),
        "plans": len(plans),
        "referrals": len(referrals),
        "transitions": len(transitions),
        "follow-ups": len(followups),
    }
