"""Closed-loop referrals: create, send (with the 42 CFR Part 2 consent gate and the
disclosure log), and the status lifecycle with its history."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.dates import add_business_days
from casemgmt.lib.errors import Conflict
from clients.models import Client, Consent
from clients.selectors import (
    DisclosureCheck,
    client_has_substance_use_diagnosis,
    consent_allows_disclosure,
)
from clients.services import timeline_record

from ..models import (
    CLOSED_REFERRAL_STATUSES,
    CompletionConfirmation,
    Disclosure,
    FollowUpReason,
    FollowUpStatus,
    Referral,
    ReferralEvent,
    ReferralOutcome,
    ReferralStatus,
    Service,
    ServiceStatus,
    Urgency,
)
from .followups import followup_create, followups_close_for

S = ReferralStatus
# Allowed moves. A no-show can be scheduled again; the other closed states are final.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SENT, S.CANCELLED},
    S.SENT: {S.RECEIVED, S.ACCEPTED, S.DECLINED, S.CANCELLED},
    S.RECEIVED: {S.ACCEPTED, S.DECLINED, S.CANCELLED},
    S.ACCEPTED: {S.SCHEDULED, S.DECLINED, S.CANCELLED},
    S.SCHEDULED: {S.COMPLETED, S.NO_SHOW, S.CANCELLED},
    S.NO_SHOW: {S.SCHEDULED},
    S.COMPLETED: set(),
    S.DECLINED: set(),
    S.CANCELLED: set(),
}
# Statuses that mean the receiving organisation answered: the response follow-up is done.
RESPONSES = {S.RECEIVED, S.ACCEPTED, S.DECLINED}
# Business days (Monday to Friday; public holidays are not known) to answer, per urgency.
RESPONSE_BUSINESS_DAYS: dict[str, int] = {
    Urgency.ROUTINE: 3,
    Urgency.URGENT: 1,
    Urgency.EMERGENT: 0,
}
DISCLOSURE_PURPOSE = "treatment"
DISCLOSED_INFORMATION = (
    "Referral: name, date of birth, contact details, reason for referral, and substance "
    "use information relevant to the referral."
)
NO_DISCLOSURE_REASON_NEEDED = (
    "This client has a substance use diagnosis, so a referral is taken to share it "
    "(42 CFR Part 2). Say why this one shares none, or tick 'Shares substance use "
    "information'."
)


@transaction.atomic
def referral_create(
    *,
    actor: User,
    client: Client,
    reason: str,
    service: Service | None = None,
    provider_name: str = "",
    urgency: str = Urgency.ROUTINE,
    goal_id: int | None = None,
    discloses_substance_use: bool = True,
    no_disclosure_reason: str = "",
) -> Referral:
    """A draft referral to a directory service or a free-text provider.

    For a client with a substance use diagnosis a referral is presumed to share it:
    saying it does not needs ``no_disclosure_reason`` (audited), and the packet then
    leaves out the reason and every substance use field."""
    errors: dict[str, list[str]] = {}
    discloses_substance_use = bool(discloses_substance_use)
    no_disclosure_reason = "" if discloses_substance_use else (no_disclosure_reason or "").strip()
    if (
        not discloses_substance_use
        and not no_disclosure_reason
        and client_has_substance_use_diagnosis(client=client)
    ):
        errors["no_disclosure_reason"] = [NO_DISCLOSURE_REASON_NEEDED]
    provider_name = (provider_name or "").strip()
    if service is None and not provider_name:
        errors["service"] = ["Choose a service from the directory, or name the provider."]
    if service is not None and provider_name:
        errors["provider_name"] = ["Choose a directory service or a provider, not both."]
    if service is not None and service.status == ServiceStatus.INACTIVE:
        errors["service"] = [f"{service.name} is inactive in the directory."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why the client is referred."]
    if goal_id is not None:
        from ..selectors import plan_goals

        if goal_id not in {pk for pk, _ in plan_goals(client=client)}:
            errors["goal_id"] = ["Choose a goal of the client's current care plan."]
    if urgency not in Urgency.values:
        errors["urgency"] = ["Choose routine, urgent or emergent."]
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        client=client,
        service=service,
        provider_name=provider_name,
        reason=reason.strip(),
        urgency=urgency,
        goal_id=goal_id,
        discloses_substance_use=discloses_substance_use,
        no_disclosure_reason=no_disclosure_reason,
        created_by=actor,
    )
    ReferralEvent.objects.create(referral=referral, to_status=S.DRAFT, actor=actor)
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=referral,
        client_id=client.pk,
        detail={"discloses_substance_use": discloses_substance_use}
        | ({"no_disclosure_reason_given": True} if no_disclosure_reason else {}),
    )
    timeline_record(
        client=client,
        kind="referral",
        summary=f"Referral drafted to {referral.recipient_name}",
        actor=actor,
        obj=referral,
        link=reverse("referrals:referral_detail", args=[client.pk, referral.pk]),
    )
    return referral


def _check_move(referral: Referral, to: str) -> None:
    if to not in S.values:
        raise ValidationError({"status": [f"Unknown status '{to}'."]})
    if to not in TRANSITIONS[referral.status]:
        allowed = ", ".join(sorted(S(s).label.lower() for s in TRANSITIONS[referral.status]))
        raise Conflict(
            f"A {referral.get_status_display().lower()} referral cannot become "
            f"{S(to).label.lower()}. Allowed next: {allowed or 'nothing (it is closed)'}.",
            field="status",
        )


def _record_move(referral: Referral, previous: str, actor: User, note: str) -> None:
    ReferralEvent.objects.create(
        referral=referral, from_status=previous, to_status=referral.status, note=note, actor=actor
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        client_id=referral.client_id,
        detail={"fields": ["status"], "to": referral.status},
    )
    timeline_record(
        client=referral.client_id,
        kind="referral",
        summary=f"Referral to {referral.recipient_name}: {S(previous).label} → "
        f"{referral.get_status_display()}",
        actor=actor,
        obj=referral,
        link=reverse("referrals:referral_detail", args=[referral.client_id, referral.pk]),
    )


def referral_consent_check(referral: Referral, when: datetime | None = None) -> DisclosureCheck:
    """Whether a 42 CFR Part 2 consent covers ``referral``'s recipient and purpose on
    ``when`` (default: now): a directory organisation is matched by its id among the
    consent's recipients chosen from the directory, else by name."""
    return consent_allows_disclosure(
        client=referral.client,
        recipient=referral.recipient_name,
        when=when,
        purpose=DISCLOSURE_PURPOSE,
        recipient_directory_id=referral.service.organization_id if referral.service else None,
    )


def _consent_for(referral: Referral, when: datetime, *, refused: str) -> Consent | None:
    """The 42 CFR Part 2 gate of every path by which a referral leaves the program (send,
    packet PDF, printable packet): a referral that shares substance use information needs
    an active consent covering its recipient and purpose, else ``Conflict`` with the
    reason. ``None`` when the referral shares none (no consent needed)."""
    if not referral.discloses_substance_use:
        return None
    check = referral_consent_check(referral, when)
    if not check.allowed or check.consent is None:
        raise Conflict(
            f"{refused}: {check.reason} Record the client's 42 CFR Part 2 consent for "
            f"{referral.recipient_name}, or untick 'shares substance use information' "
            "if the referral shares none.",
            field="consent",
        )
    return check.consent


def disclosure_record(
    *, actor: User, referral: Referral, consent: Consent, when: datetime, how: str
) -> Disclosure:
    """Enter one disclosure of ``referral``'s substance use information (sent, packet
    printed) in the client's accounting of disclosures: to whom, why, what went out,
    under which consent. A referral sharing none is not a Part 2 disclosure (audited as
    the print or move it is, not entered here)."""
    return Disclosure.objects.create(
        client=referral.client,
        referral=referral,
        recipient=referral.recipient_name,
        purpose=f"Referral for {DISCLOSURE_PURPOSE} ({how}): {referral.reason}"[:255],
        information=DISCLOSED_INFORMATION,
        consent_id=consent.pk,
        consent_summary=f"42 CFR Part 2 consent signed {consent.signed_on:%Y-%m-%d}",
        disclosed_at=when,
        disclosed_by=actor,
    )


def disclosure_record_api(
    *,
    actor: User,
    client: Client,
    recipient: str,
    consent: Consent,
    information: str,
    when: datetime,
    channel: str = "FHIR R4 API",
) -> Disclosure:
    """Enter one disclosure of ``client``'s substance use information read through an
    API by an outside organisation's account (``recipient``: that organisation's name)
    in the client's accounting of disclosures, under the Part 2 ``consent`` that allowed
    it. ``information`` names what went out (resource types and ids), never values."""
    return Disclosure.objects.create(
        client=client,
        recipient=recipient[:255],
        purpose=f"Read by {recipient} through the {channel}"[:255],
        information=information,
        consent_id=consent.pk,
        consent_summary=f"42 CFR Part 2 consent signed {consent.signed_on:%Y-%m-%d}",
        disclosed_at=when,
        disclosed_by=actor,
    )


@transaction.atomic
def referral_packet_disclose(*, actor: User, referral: Referral, how: str) -> Disclosure | None:
    """Gate and account for a referral packet leaving the program (PDF or printable
    page), whatever the referral's status (a draft too): refused (``Conflict``) without
    the consent it needs; else audited as a print and, when it shares substance use
    information, entered in the accounting of disclosures (returned)."""
    now = timezone.now()
    referral = Referral.objects.select_related("client", "service__organization").get(
        pk=referral.pk
    )
    consent = _consent_for(referral, now, refused="Not printed")
    disclosure = (
        disclosure_record(actor=actor, referral=referral, consent=consent, when=now, how=how)
        if consent is not None
        else None
    )
    audit_record(
        user=actor,
        action=AuditAction.PRINT,
        obj=referral,
        client_id=referral.client_id,
        detail={
            "packet": how,
            "disclosure": disclosure.pk if disclosure else None,
            "discloses_substance_use": referral.discloses_substance_use,
        },
    )
    return disclosure


@transaction.atomic
def referral_send(*, actor: User, referral: Referral, note: str = "") -> Referral:
    """Send a draft. If it shares substance use information with an outside
    organisation, an active 42 CFR Part 2 consent naming the recipient is required
    (``clients.selectors.consent_allows_disclosure``); without one, sending is refused
    (409) with the reason, and nothing is saved. The disclosure is logged. A follow-up
    for the response is due after 3 business days (1 when urgent, same day emergent),
    counted from the team's local date, skipping weekends and the team's public holidays
    (``Team.public_holidays``)."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("client__team", "service__organization", "client__primary_case_manager")
        .get(pk=referral.pk)
    )
    _check_move(referral, S.SENT)
    now = timezone.now()
    consent = _consent_for(referral, now, refused="Not sent")
    previous = referral.status
    team = referral.client.team
    today = team.local_date(now)
    referral.status = S.SENT
    referral.sent_at = now
    referral.consent_id = consent.pk if consent else None
    referral.response_due_on = add_business_days(
        today,
        RESPONSE_BUSINESS_DAYS[referral.urgency],
        holidays=team.public_holidays(range(today.year, today.year + 2)),
    )
    referral.save(
        update_fields=["status", "sent_at", "consent_id", "response_due_on", "updated_at"]
    )
    _record_move(referral, previous, actor, note)
    if consent is not None:
        disclosure_record(actor=actor, referral=referral, consent=consent, when=now, how="sent")
    followup_create(
        actor=actor,
        client=referral.client,
        assignee=None,
        reason=FollowUpReason.REFERRAL_RESPONSE,
        title=f"Check {referral.recipient_name} answered the referral",
        due_on=referral.response_due_on,
        referral=referral,
        escalate_on=referral.response_due_on + timedelta(days=1),
    )
    return referral


@transaction.atomic
def referral_move(
    *,
    actor: User,
    referral: Referral,
    status: str,
    note: str = "",
    outcome: str = "",
    completion_confirmation: str = "",
    appointment_at: datetime | None = None,
) -> Referral:
    """Every move except sending. Closing (completed, declined, no-show, cancelled)
    needs an outcome; completing needs how completion was confirmed (closed loop).

    A referral is completed once the client has received the service, so completing one
    whose appointment is on a later day (the team's local date) is refused, naming
    ``appointment_at``. When the appointment took place on another day than booked,
    completing with ``appointment_at`` (not in the future) records when it did."""
    if status == S.SENT:
        return referral_send(actor=actor, referral=referral, note=note)
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("client__team")
        .get(pk=referral.pk)
    )
    _check_move(referral, status)
    errors: dict[str, list[str]] = {}
    booked = referral.appointment_at
    if status == S.COMPLETED:
        outcome = outcome or ReferralOutcome.GOT_SERVICE
        if completion_confirmation not in CompletionConfirmation.values:
            errors["completion_confirmation"] = [
                "Say how completion was confirmed: a referral is closed-loop only when the "
                "client's receipt of the service is confirmed."
            ]
        team = referral.client.team
        if appointment_at is not None:
            if appointment_at > timezone.now():
                errors["appointment_at"] = [
                    "When the appointment took place cannot be in the future."
                ]
        elif booked is not None and team.local_date(booked) > team.local_date():
            errors["appointment_at"] = [
                f"The appointment is on {team.local_date(booked):%a %b %-d, %Y}, after "
                "today: a referral is completed once the client has received the service. "
                "Complete it after the appointment or record a no-show; if it took place "
                "on another day, give the date and time it took place."
            ]
    elif completion_confirmation:
        errors["completion_confirmation"] = ["Only a completed referral takes a confirmation."]
    if status in CLOSED_REFERRAL_STATUSES:
        if outcome not in ReferralOutcome.values:
            errors["outcome"] = ["Choose the outcome."]
    elif outcome:
        errors["outcome"] = ["Only a closed referral takes an outcome."]
    if status == S.SCHEDULED and appointment_at is None:
        errors["appointment_at"] = ["Give the appointment date and time."]
    if errors:
        raise ValidationError(errors)
    previous = referral.status
    referral.status = status
    fields = ["status", "updated_at"]
    if status == S.SCHEDULED or (status == S.COMPLETED and appointment_at is not None):
        referral.appointment_at = appointment_at
        fields.append("appointment_at")
    if status == S.COMPLETED and appointment_at is not None and booked != appointment_at:
        team = referral.client.team
        took_place = f"Appointment took place {team.local_date(appointment_at):%b %-d, %Y}"
        if booked is not None:
            took_place += f" (booked for {team.local_date(booked):%b %-d, %Y})"
        note = f"{took_place}. {note or ''}".strip()
    if status in CLOSED_REFERRAL_STATUSES:
        referral.outcome = outcome
        referral.completion_confirmation = completion_confirmation
        referral.closed_at = timezone.now()
        fields += ["outcome", "completion_confirmation", "closed_at"]
    elif previous in CLOSED_REFERRAL_STATUSES:  # a no-show scheduled again
        referral.outcome, referral.closed_at = "", None
        fields += ["outcome", "closed_at"]
    referral.save(update_fields=fields)
    _record_move(referral, previous, actor, (note or "").strip())
    if status in RESPONSES or status == S.SCHEDULED:
        followups_close_for(
            actor=actor,
            referral=referral,
            status=FollowUpStatus.DONE,
            outcome_note=f"Referral {S(status).label.lower()}.",
        )
    elif status == S.CANCELLED:
        followups_close_for(
            actor=actor,
            referral=referral,
            status=FollowUpStatus.CANCELLED,
            outcome_note="Referral cancelled.",
        )
    return referral
