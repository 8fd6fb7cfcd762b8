"""Reads of comprehensive assessments, and what the newest completed one found (for the
care plan)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from casemgmt.accounts.models import User
from casemgmt.accounts.selectors import team_ids_in_reach
from clients.models import Client

from ..models import AssessmentStatus, ComprehensiveAssessment, InstrumentResponse, SocialNeed


def assessment_list(*, client: Client) -> QuerySet[ComprehensiveAssessment]:
    return ComprehensiveAssessment.objects.filter(client=client).select_related(
        "created_by", "completed_by"
    )


def assessment_get(*, client: Client, assessment_id: int) -> ComprehensiveAssessment:
    try:
        return (
            assessment_list(client=client)
            .prefetch_related(
                "substances",
                Prefetch(
                    "responses",
                    queryset=InstrumentResponse.objects.order_by("-administered_at"),
                ),
            )
            .get(pk=int(assessment_id))
        )
    except (ComprehensiveAssessment.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def assessment_list_in_reach(*, user: User) -> QuerySet[ComprehensiveAssessment]:
    qs = ComprehensiveAssessment.objects.select_related(
        "client", "created_by", "completed_by", "superseded_by"
    ).prefetch_related("substances", "responses")
    ids = team_ids_in_reach(user=user)
    return qs if ids is None else qs.filter(client__team_id__in=ids)


NEED_DOMAINS = (
    "mental_health",
    "substance_use",
    "physical_health",
    "housing",
    "work_education",
    "legal",
    "family_social",
    "crisis_safety",
)
# Social needs (the screening checklist) belong to these plan domains.
SOCIAL_NEED_DOMAIN = {
    SocialNeed.HOUSING: "housing",
    SocialNeed.FOOD: "housing",  # housing and basic needs
    SocialNeed.TRANSPORT: "work_education",
    SocialNeed.INCOME: "work_education",
    SocialNeed.LEGAL: "legal",
    SocialNeed.CHILDCARE: "family_social",
}


def latest_assessment_findings(*, client: Client) -> dict[str, Any] | None:
    """What the newest completed comprehensive assessment found, for the care plan.

    None when the client has no completed assessment. Else::

        {"assessment_id": int, "completed_at": datetime,
         "needs": [{"domain": str, "description": str}],   # at most one per domain
         "positive_screens": [{"code", "name", "band", "administered_at"}],
         "stages": {"mental_health": str | None, "substance_use": str | None},
         "level_of_care": str | None, "asam_edition": str}

    ``needs`` come from the "needs by domain" section, with the social needs checklist
    added to the domain each belongs to, and a crisis and safety need when a linked
    result raised suicide risk. ``domain`` is one of ``NEED_DOMAINS``.
    ``positive_screens`` are the linked results that screened positive or raised a
    critical flag (corrected ones left out), oldest first. ``level_of_care`` is the ASAM
    level arranged, or the level indicated when none is arranged yet, a code of the
    ASAM Criteria edition ``asam_edition`` ("3" or "4": "3.7" names different levels in
    each).
    """
    assessment = (
        ComprehensiveAssessment.objects.filter(client=client, status=AssessmentStatus.COMPLETED)
        .order_by("-completed_at", "-id")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=InstrumentResponse.objects.filter(amended_by__isnull=True).order_by(
                    "administered_at", "id"
                ),
            )
        )
        .first()
    )
    if assessment is None:
        return None
    screens = [r for r in assessment.responses.all() if r.positive or r.flags]
    social: dict[str, list[str]] = {}
    for value in assessment.social_needs or []:
        if value in SocialNeed.values:
            social.setdefault(SOCIAL_NEED_DOMAIN[value], []).append(SocialNeed(value).label.lower())
    needs = []
    for domain in NEED_DOMAINS:
        parts = []
        written = (getattr(assessment, f"need_{domain}") or "").strip()
        if written:
            parts.append(written)
        if domain in social:
            parts.append("Social needs: " + ", ".join(social[domain]) + ".")
        if domain == "crisis_safety" and not written:
            for r in screens:
                if "suicide_risk" in r.flags:
                    parts.append(
                        f"Screened for suicide risk on {r.definition.name} "
                        f"({r.administered_at:%Y-%m-%d}): keep a current safety plan."
                    )
                    break
        if parts:
            needs.append({"domain": domain, "description": " ".join(parts)})
    return {
        "assessment_id": assessment.pk,
        "completed_at": assessment.completed_at,
        "needs": needs,
        "positive_screens": [
            {
                "code": r.instrument,
                "name": r.definition.name,
                "band": r.band,
                "administered_at": r.administered_at,
            }
            for r in screens
        ],
        "stages": {
            "mental_health": assessment.stage_mental_health or None,
            "substance_use": assessment.stage_substance_use or None,
        },
        "level_of_care": assessment.level_arranged or assessment.level_indicated or None,
        "asam_edition": assessment.asam_edition,
    }
