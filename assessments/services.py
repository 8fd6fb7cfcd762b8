"""Writes for assessments: instrument responses (scored by the engine, never by the
caller), critical results, and the comprehensive assessment (draft -> completed -> new
version). Each service runs in one transaction, writes the audit trail and the client's
timeline, and queues email only on commit (through ``notification_create``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record, versioned_update
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.services import notification_create
from clients.models import Client
from clients.services import risk_flag_set, timeline_record

from .instruments import INSTRUMENTS, InstrumentDefinition, score
from .models import (
    ASAM_LEVELS,
    AsamEdition,
    AssessmentStatus,
    ComprehensiveAssessment,
    InstrumentResponse,
    InstrumentSummary,
    ResponseSource,
    SocialNeed,
    SubstanceUse,
)

CLOCK_SKEW = timedelta(minutes=5)
SUICIDE_RISK = "suicide_risk"


# ------------------------------------------------------------------ instrument responses
# One statement recomputes the summaries of some (or all) clients from their current
# responses; the migration that created the table ran the same statement for everyone.
SUMMARY_UPSERT_SQL = """
INSERT INTO {summary} (client_id, instrument, responses, first_response_id, first_at,
    first_total, latest_response_id, latest_at, latest_total, latest_band, previous_total,
    any_positive)
SELECT r.client_id, r.instrument, count(*),
       (array_agg(r.id ORDER BY r.administered_at, r.id))[1],
       min(r.administered_at),
       (array_agg(r.total ORDER BY r.administered_at, r.id))[1],
       (array_agg(r.id ORDER BY r.administered_at DESC, r.id DESC))[1],
       max(r.administered_at),
       (array_agg(r.total ORDER BY r.administered_at DESC, r.id DESC))[1],
       (array_agg(r.band ORDER BY r.administered_at DESC, r.id DESC))[1],
       (array_agg(r.total ORDER BY r.administered_at DESC, r.id DESC))[2],
       coalesce(bool_or(r.positive), false)
FROM {response} r
WHERE NOT EXISTS (SELECT 1 FROM {response} a WHERE a.amends_id = r.id) {where}
GROUP BY r.client_id, r.instrument
ON CONFLICT (client_id, instrument) DO UPDATE SET
    responses = EXCLUDED.responses,
    first_response_id = EXCLUDED.first_response_id,
    first_at = EXCLUDED.first_at,
    first_total = EXCLUDED.first_total,
    latest_response_id = EXCLUDED.latest_response_id,
    latest_at = EXCLUDED.latest_at,
    latest_total = EXCLUDED.latest_total,
    latest_band = EXCLUDED.latest_band,
    previous_total = EXCLUDED.previous_total,
    any_positive = EXCLUDED.any_positive
"""
_SUMMARY_LOCK = 74_001  # advisory-lock namespace (two-key form): one client at a time


def instrument_summaries_refresh(*, client_ids: list[int] | None = None) -> None:
    """Recompute ``InstrumentSummary`` rows from the current responses: of ``client_ids``,
    or of every client (``None``; after a bulk load such as the demo seed).

    Called by ``instrument_response_record`` in its transaction. A transaction-level
    advisory lock per client serialises two responses recorded at the same moment, so
    the second recomputation sees the first response (READ COMMITTED takes a new snapshot
    per statement) and no summary misses a response."""
    params: dict[str, Any] = {}
    where = ""
    with transaction.atomic(), connection.cursor() as cursor:
        if client_ids is None:
            cursor.execute(f"DELETE FROM {InstrumentSummary._meta.db_table}")
        else:
            ids = sorted(set(client_ids))
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, (id %% 2147483647)::int) "
                "FROM unnest(%s::bigint[]) AS id",
                [_SUMMARY_LOCK, ids],
            )
            where = "AND r.client_id = ANY(%(ids)s)"
            params["ids"] = ids
        cursor.execute(
            SUMMARY_UPSERT_SQL.format(
                summary=InstrumentSummary._meta.db_table,
                response=InstrumentResponse._meta.db_table,
                where=where,
            ),
            params,
        )


def _sex_for(definition: InstrumentDefinition, client: Client, sex: str | None) -> str | None:
    if not definition.requires_sex:
        return None
    if sex:
        return sex
    if client.sex_at_birth in ("female", "male"):
        return client.sex_at_birth
    recorded = client.get_sex_at_birth_display() or "not recorded"
    raise ValidationError(
        {
            "sex": [
                f"The client's sex at birth is {recorded.lower()}: choose female or male for "
                f"the {definition.name} cut-off (women >= 3, men >= 4)."
            ]
        }
    )


def _critical_source(definition: InstrumentDefinition, result: InstrumentResponse) -> str:
    if definition.code == "phq9":
        return "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered"
    return f"{definition.name} result: {result.band} risk"


@transaction.atomic
def instrument_response_record(
    *,
    actor: User,
    client: Client,
    instrument: str,
    answers: list[Any],
    sex: str | None = None,
    administered_at: datetime | None = None,
    amends: InstrumentResponse | None = None,
    notes: str = "",
    source: str = ResponseSource.STAFF,
) -> InstrumentResponse:
    """Score ``answers`` with the engine and save the response (never the caller's total).

    ``amends`` makes this a correction of an earlier response of the same client and
    instrument; a response is corrected once (correct the correction after that).
    A ``suicide_risk`` result sets the client's flag and notifies the case manager and the
    team's supervisors (in-app and by email, queued on commit).

    ``source`` ``client_self_report``: the client answered on their own (a portal
    check-in); ``actor`` is then the staff member who sent the check-in, and the audit
    event and the timeline say it was the client's own answer.
    """
    if source not in ResponseSource.values:
        raise ValidationError({"source": [f"Unknown source {source!r}."]})
    definition = INSTRUMENTS.get(instrument) if isinstance(instrument, str) else None
    if definition is None:
        raise ValidationError({"instrument": [f"Unknown instrument {instrument!r}."]})
    now = timezone.now()
    administered_at = administered_at or now
    if timezone.is_naive(administered_at):
        raise ValidationError({"administered_at": ["Give a time zone with the time."]})
    if administered_at > now + CLOCK_SKEW:
        raise ValidationError({"administered_at": ["The time given is in the future."]})
    if amends is not None:
        if amends.client_id != client.pk or amends.instrument != definition.code:
            raise ValidationError(
                {"amends": ["A correction must be for the same client and instrument."]}
            )
        if InstrumentResponse.objects.filter(amends=amends).exists():
            raise Conflict(
                "This response was corrected already: correct the newest one.", field="amends"
            )
    sex = _sex_for(definition, client, sex)
    result = score(definition, answers, sex)  # ValidationError naming the item

    try:
        with transaction.atomic():
            response = InstrumentResponse.objects.create(
                client=client,
                instrument=definition.code,
                answers=list(answers),
                total=result.total,
                band=result.band,
                positive=result.positive,
                flags=list(result.flags),
                subtotals=dict(result.subtotals),
                sex_used=sex or "",
                administered_by=actor,
                administered_at=administered_at,
                amends=amends,
                notes=(notes or "").strip(),
                source=source,
            )
    except IntegrityError:  # corrected at the same moment by someone else
        raise Conflict(
            "This response was corrected already: correct the newest one.", field="amends"
        ) from None
    instrument_summaries_refresh(client_ids=[client.pk])
    link = reverse("assessments:response_detail", args=[client.pk, response.pk])
    self_report = source == ResponseSource.CLIENT_SELF_REPORT
    audit_record(
        user=None if self_report else actor,
        action=AuditAction.CREATE,
        obj=response,
        client_id=client.pk,
        detail={"source": source} if self_report else None,
    )
    summary = f"{definition.name}: {response.score_text}"
    if self_report:
        summary += " (client self-report, check-in)"
    if amends is not None:
        summary += f" (corrects the result of {amends.administered_at:%Y-%m-%d})"
    timeline_record(
        client=client, kind="assessment", summary=summary, actor=actor, obj=response, link=link
    )
    if SUICIDE_RISK in result.flags:
        _critical_result_act(
            actor=actor, client=client, response=response, definition=definition, link=link
        )
    return response


def _critical_result_act(
    *,
    actor: User,
    client: Client,
    response: InstrumentResponse,
    definition: InstrumentDefinition,
    link: str,
) -> None:
    reason = _critical_source(definition, response)
    if response.is_self_report:
        reason += " by the client in a check-in from home"
    risk_flag_set(
        actor=actor, client=client, kind=SUICIDE_RISK, reason=reason, source=definition.code
    )
    recipients: dict[int, User] = {}
    if client.primary_case_manager is not None:
        recipients[client.primary_case_manager.pk] = client.primary_case_manager
    for supervisor in client.team.supervisors.filter(is_active=True):
        recipients.setdefault(supervisor.pk, supervisor)
    for user in recipients.values():
        notification_create(
            recipient=user,
            kind="escalation",
            title=f"Suicide risk: {client.display_name} ({client.client_number})",
            body=f"{reason} on {definition.name} ({response.score_text}). "
            "Check on the client's safety today and write or review the safety plan.",
            link=link,
            email=True,
        )


# --------------------------------------------------------------- comprehensive assessment
SECTIONS: list[tuple[str, str, list[str]]] = [
    (
        "history",
        "Presenting concerns and history",
        [
            "presenting_concerns",
            "psychiatric_history",
            "substance_use_summary",
            "medical",
            "medications",
            "trauma",
        ],
    ),
    (
        "life",
        "Life situation and supports",
        [
            "legal",
            "housing",
            "employment_education",
            "family_social",
            "social_needs",
            "social_needs_notes",
        ],
    ),
    (
        "person",
        "Strengths, culture and goals",
        ["strengths", "cultural_considerations", "client_goals"],
    ),
    ("stages", "Stage of change", ["stage_mental_health", "stage_substance_use"]),
    (
        "asam",
        "ASAM Criteria and level of care",
        [
            "asam_edition",
            *[f for n in range(1, 7) for f in (f"asam_d{n}", f"asam_d{n}_notes")],
            "level_indicated",
            "level_arranged",
            "level_difference_reason",
        ],
    ),
    (
        "needs",
        "Needs by domain",
        [
            "need_mental_health",
            "need_substance_use",
            "need_physical_health",
            "need_housing",
            "need_work_education",
            "need_legal",
            "need_family_social",
            "need_crisis_safety",
        ],
    ),
]
EDITABLE = {name for _, _, names in SECTIONS for name in names}
REQUIRED_TO_COMPLETE = {
    "presenting_concerns": "Describe the presenting concerns.",
    "client_goals": "Write down the client's own goals, in their words.",
    "stage_mental_health": "Choose the stage of change for mental health.",
    "stage_substance_use": "Choose the stage of change for substance use.",
    "level_indicated": "Choose the level of care the ASAM dimensions indicate.",
    "level_arranged": "Choose the level of care actually arranged.",
}


def _lock(assessment: ComprehensiveAssessment) -> None:
    """Lock the row for this transaction and read it afresh into the caller's object."""
    ComprehensiveAssessment.objects.select_for_update().filter(pk=assessment.pk).exists()
    assessment.refresh_from_db()


def _locked(assessment: ComprehensiveAssessment) -> None:
    if assessment.is_locked:
        raise Conflict("This assessment is completed and locked. Start a new version to change it.")


def _check_levels(values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Both levels come from the list of the assessment's ASAM edition (a 4th-edition level
    on a 3rd-edition assessment is refused on the level's field), and a level arranged
    other than the one indicated needs a reason."""
    if "asam_edition" in errors:
        return  # an edition that is not one: said already
    edition = values.get("asam_edition") or ""
    if edition not in ASAM_LEVELS:
        errors["asam_edition"] = [
            "Choose the ASAM Criteria edition: " + ", ".join(AsamEdition.values) + "."
        ]
        return
    allowed = dict(ASAM_LEVELS[edition])
    for name in ("level_indicated", "level_arranged"):
        code = values.get(name)
        if not code or code in allowed or name in errors:
            continue
        other = next((e for e, levels in ASAM_LEVELS.items() if code in dict(levels)), None)
        where = (
            f" is in {AsamEdition(other).label}; this assessment uses"
            if other
            else (" is not a level of")
        )
        errors[name] = [
            f"Level {code}{where} {AsamEdition(edition).label}: choose one of its levels"
            " (" + ", ".join(allowed) + ") or change the edition."
        ]
    if "level_indicated" in errors or "level_arranged" in errors:
        return  # the reason for a difference is asked once both levels are levels
    indicated, arranged = values.get("level_indicated"), values.get("level_arranged")
    if indicated and arranged and indicated != arranged:
        if not (values.get("level_difference_reason") or "").strip():
            errors.setdefault("level_difference_reason", []).append(
                f"Say why level {arranged} was arranged when {indicated} is indicated."
            )


def _check_values(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    model = ComprehensiveAssessment
    for name, value in data.items():
        if name == "social_needs":
            if not isinstance(value, list) or any(v not in SocialNeed.values for v in value):
                errors.setdefault(name, []).append(
                    "Choose from: " + ", ".join(SocialNeed.values) + "."
                )
            continue
        field = model._meta.get_field(name)
        if value in (None, ""):
            continue
        if isinstance(field, models.Field) and field.choices:
            allowed = [c[0] for c in field.choices]
            if value not in allowed:
                shown = ", ".join(str(a) for a in allowed)
                errors.setdefault(name, []).append(f"{value!r} is not one of: {shown}.")


@transaction.atomic
def assessment_start(*, actor: User, client: Client) -> ComprehensiveAssessment:
    """Open a draft. A client has at most one draft: if there is one, it is returned.
    The latest response of each instrument from the last 90 days is linked to start with."""
    draft = ComprehensiveAssessment.objects.filter(
        client=client, status=AssessmentStatus.DRAFT
    ).first()
    if draft is not None:
        return draft
    latest = ComprehensiveAssessment.objects.filter(
        client=client, status=AssessmentStatus.COMPLETED
    ).first()
    if latest is not None:
        return assessment_new_version(actor=actor, assessment=latest)
    assessment = ComprehensiveAssessment.objects.create(client=client, created_by=actor)
    recent = (
        InstrumentResponse.objects.filter(
            client=client,
            administered_at__gte=timezone.now() - timedelta(days=90),
            amended_by__isnull=True,
        )
        .order_by("instrument", "-administered_at")
        .distinct("instrument")
    )
    assessment.responses.set(list(recent))
    audit_record(user=actor, action=AuditAction.CREATE, obj=assessment, client_id=client.pk)
    timeline_record(
        client=client,
        kind="assessment",
        summary="Comprehensive assessment started (draft)",
        actor=actor,
        obj=assessment,
        link=reverse("assessments:assessment_detail", args=[client.pk, assessment.pk]),
    )
    return assessment


@transaction.atomic
def assessment_update(
    *,
    actor: User,
    assessment: ComprehensiveAssessment,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> ComprehensiveAssessment:
    """Save part of a draft (one section). A completed assessment is a ``Conflict``. With
    ``expected_version`` (the ``edit_version`` the editor loaded), a save over someone
    else's newer save of any of the same fields is refused with ``Conflict`` naming who
    changed which; saves of other sections meanwhile do not stand in the way."""
    _lock(assessment)
    _locked(assessment)
    unknown = set(data) - EDITABLE
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    errors: dict[str, list[str]] = {}
    _check_values(data, errors)
    merged = {f: getattr(assessment, f) for f in EDITABLE} | data
    _check_levels(merged, errors)
    if errors:
        raise ValidationError(errors)
    versioned_update(
        actor=actor,
        obj=assessment,
        values={name: data[name] for name in sorted(data)},
        expected_version=expected_version,
        what="this assessment",
        client_id=assessment.client_id,
        merge_other_fields=True,
    )
    return assessment


@transaction.atomic
def assessment_substance_add(
    *, actor: User, assessment: ComprehensiveAssessment, **values: Any
) -> SubstanceUse:
    _lock(assessment)  # a completion running at the same time cannot slip in
    _locked(assessment)
    errors: dict[str, list[str]] = {}
    if not (values.get("substance") or "").strip():
        errors["substance"] = ["Name the substance."]
    age = values.get("age_first_use")
    if age is not None and not 3 <= age <= 100:
        errors["age_first_use"] = ["Age at first use must be between 3 and 100."]
    last = values.get("last_use")
    if last and last > timezone.localdate():
        errors["last_use"] = ["The last use cannot be in the future."]
    for name in ("pattern", "route"):
        field = SubstanceUse._meta.get_field(name)
        choices = field.choices if isinstance(field, models.Field) else None
        if values.get(name) not in [c[0] for c in choices or ()]:
            errors[name] = [f"Choose the {name}."]
    if errors:
        raise ValidationError(errors)
    row = SubstanceUse.objects.create(
        assessment=assessment,
        substance=values["substance"].strip(),
        age_first_use=age,
        pattern=values["pattern"],
        route=values["route"],
        last_use=last,
        withdrawal_history=(values.get("withdrawal_history") or "").strip(),
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=assessment,
        client_id=assessment.client_id,
        detail={"fields": ["substances"]},
    )
    return row


@transaction.atomic
def assessment_substance_remove(*, actor: User, row: SubstanceUse) -> None:
    """Remove a row from a draft (a typo); a completed assessment keeps its rows."""
    _lock(row.assessment)
    _locked(row.assessment)
    assessment = row.assessment
    row.delete()
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=assessment,
        client_id=assessment.client_id,
        detail={"fields": ["substances"]},
    )


@transaction.atomic
def assessment_link_responses(
    *, actor: User, assessment: ComprehensiveAssessment, response_ids: list[int]
) -> ComprehensiveAssessment:
    _lock(assessment)
    _locked(assessment)
    responses = list(
        InstrumentResponse.objects.filter(client=assessment.client_id, pk__in=response_ids)
    )
    if len(responses) != len(set(response_ids)):
        raise ValidationError({"responses": ["Choose results of this client only."]})
    assessment.responses.set(responses)
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=assessment,
        client_id=assessment.client_id,
        detail={"fields": ["responses"]},
    )
    return assessment


@transaction.atomic
def assessment_complete(
    *, actor: User, assessment: ComprehensiveAssessment
) -> ComprehensiveAssessment:
    """Lock the assessment. Refuses (400, naming each field) what is still missing."""
    _lock(assessment)
    _locked(assessment)
    errors: dict[str, list[str]] = {}
    for name, message in REQUIRED_TO_COMPLETE.items():
        if getattr(assessment, name) in (None, ""):
            errors[name] = [message]
    for n in range(1, 7):
        if getattr(assessment, f"asam_d{n}") is None:
            errors[f"asam_d{n}"] = [f"Rate ASAM dimension {n} (0-4)."]
    _check_levels({f: getattr(assessment, f) for f in EDITABLE}, errors)
    if errors:
        raise ValidationError(errors)
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_by = actor
    assessment.completed_at = timezone.now()
    assessment.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=assessment,
        client_id=assessment.client_id,
        detail={"fields": ["status"]},
    )
    timeline_record(
        client=assessment.client_id,
        kind="assessment",
        summary=f"Comprehensive assessment completed (version {assessment.version})",
        actor=actor,
        obj=assessment,
        link=reverse("assessments:assessment_detail", args=[assessment.client_id, assessment.pk]),
    )
    return assessment


@transaction.atomic
def assessment_new_version(
    *, actor: User, assessment: ComprehensiveAssessment
) -> ComprehensiveAssessment:
    """A new draft copying a completed assessment; the completed one stays as it was."""
    if not assessment.is_locked:
        raise Conflict("Only a completed assessment gets a new version; edit this draft.")
    if ComprehensiveAssessment.objects.filter(
        client=assessment.client_id, status=AssessmentStatus.DRAFT
    ).exists():
        raise Conflict("This client already has a draft assessment: finish that one first.")
    if ComprehensiveAssessment.objects.filter(supersedes=assessment).exists():
        raise Conflict("This version was revised already: start from the newest one.")
    copy = ComprehensiveAssessment.objects.create(
        client_id=assessment.client_id,
        version=assessment.version + 1,
        supersedes=assessment,
        created_by=actor,
        **{name: getattr(assessment, name) for name in EDITABLE},
    )
    copy.responses.set(assessment.responses.all())
    SubstanceUse.objects.bulk_create(
        SubstanceUse(
            assessment=copy,
            substance=row.substance,
            age_first_use=row.age_first_use,
            pattern=row.pattern,
            route=row.route,
            last_use=row.last_use,
            withdrawal_history=row.withdrawal_history,
        )
        for row in assessment.substances.all()
    )
    audit_record(user=actor, action=AuditAction.CREATE, obj=copy, client_id=copy.client_id)
    timeline_record(
        client=copy.client_id,
        kind="assessment",
        summary=f"Comprehensive assessment: version {copy.version} started (draft)",
        actor=actor,
        obj=copy,
        link=reverse("assessments:assessment_detail", args=[copy.client_id, copy.pk]),
    )
    return copy
