"""Writes of the portal: send and revoke links, open them (date of birth), record a
check-in's answers, act on a risk answer, acknowledge.

Each service runs in one transaction, writes the audit trail, and sends what leaves the
system through the outbox (``OutboxDraft``), so a message goes once, after commit. No
message text, outbox row, log line or task argument holds a token or client data: the
outbox row carries the link's id and the text says only "your care team" (the token is
derived when the message is rendered, ``portal.tokens``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import InstrumentResponse, ResponseSource
from assessments.selectors import instrument_get
from assessments.services import instrument_response_record
from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.models import NotificationKind, OutboxChannel
from casemgmt.notifications.services import OutboxDraft, notification_create, outbox_enqueue
from clients.models import Client, ClientStatus
from clients.services import risk_flag_set, timeline_record
from referrals.models import FollowUpReason, FollowUpStatus
from referrals.services import followup_close, followup_create

from .models import (
    AutoCheckIn,
    CheckIn,
    CheckInResult,
    CheckInStatus,
    DeliveryChannel,
    LinkPurpose,
    PortalLink,
    QuestionSet,
)
from .tokens import new_nonce, token_for, token_hash

#: Instruments a client may answer on their own (published self-report forms).
CHECKIN_INSTRUMENTS = ("phq9", "gad7", "audit_c")
SUICIDE_RISK = "suicide_risk"
RISK_FLAGS = ("suicide_risk", "overdose_risk")
CHECKIN_TEMPLATE = "portal/checkin"
PLAN_TEMPLATE = "portal/plan_link"


def _hours(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# ------------------------------------------------------------------------- sending
def _address(client: Client, channel: str) -> str:
    if channel == DeliveryChannel.SMS:
        if not (client.phone or "").strip():
            raise ValidationError(
                {"channel": ["No phone number on record: add one, or send by email."]}
            )
        return client.phone.strip()
    if channel == DeliveryChannel.EMAIL:
        if not (client.email or "").strip():
            raise ValidationError(
                {"channel": ["No email address on record: add one, or send by text message."]}
            )
        return client.email.strip()
    raise ValidationError({"channel": ["Choose text message (sms) or email."]})


def _link_create(
    *, actor: User | None, client: Client, purpose: str, channel: str, hours: int, max_uses: int
) -> PortalLink:
    nonce = new_nonce()
    return PortalLink.objects.create(
        client=client,
        purpose=purpose,
        nonce=nonce,
        token_hash=token_hash(token_for(nonce)),
        channel=channel,
        created_by=actor,
        expires_at=timezone.now() + timedelta(hours=hours),
        max_uses=max_uses,
    )


def _deliver(*, link: PortalLink, template: str, address: str) -> None:
    channel = OutboxChannel.SMS if link.channel == DeliveryChannel.SMS else OutboxChannel.EMAIL
    outbox_enqueue(
        drafts=[
            OutboxDraft(
                template=template,
                channel=channel,
                to_address=address,
                params={"link_id": link.pk},
            )
        ]
    )


def _client_open(client: Client) -> None:
    if client.status == ClientStatus.DISCHARGED:
        raise Conflict("The client is discharged: nothing can be sent to them.", field="client")


@transaction.atomic
def checkin_send(
    *,
    actor: User,
    client: Client,
    instruments: Sequence[str],
    channel: str,
    question_set: QuestionSet | None = None,
    automatic: bool = False,
) -> CheckIn:
    """Send the client a check-in: a link (by text message or email) to answer
    ``instruments`` (and ``question_set``) at home. The link opens after the client's
    date of birth, for ``PORTAL_CHECKIN_HOURS`` (72) hours, ``PORTAL_CHECKIN_MAX_USES``
    times."""
    errors: dict[str, list[str]] = {}
    codes = list(dict.fromkeys(instruments or []))
    unknown = [c for c in codes if c not in CHECKIN_INSTRUMENTS]
    if unknown:
        offered = ", ".join(instrument_get(c).name for c in CHECKIN_INSTRUMENTS)
        errors["instruments"] = [f"Choose from the self-report instruments: {offered}."]
    elif not codes and question_set is None:
        errors["instruments"] = ["Choose at least one instrument or a question set."]
    if "audit_c" in codes and client.sex_at_birth not in ("female", "male"):
        errors.setdefault("instruments", []).append(
            "AUDIT-C needs the client's sex at birth (female or male) for its cut-off: "
            "record it on the client's record first."
        )
    if question_set is not None and (
        not question_set.is_active or question_set.team_id not in (None, client.team_id)
    ):
        errors["question_set"] = ["Choose a question set of the client's team."]
    try:
        address = _address(client, channel)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    _client_open(client)
    link = _link_create(
        actor=actor,
        client=client,
        purpose=LinkPurpose.CHECKIN,
        channel=channel,
        hours=_hours("PORTAL_CHECKIN_HOURS", 72),
        max_uses=_hours("PORTAL_CHECKIN_MAX_USES", 5),
    )
    checkin = CheckIn.objects.create(
        client=client,
        link=link,
        instruments=codes,
        question_set=question_set,
        sent_by=actor,
        automatic=automatic,
    )
    _deliver(link=link, template=CHECKIN_TEMPLATE, address=address)
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=checkin,
        client_id=client.pk,
        detail={"channel": channel, "automatic": automatic},
    )
    names = [instrument_get(c).name for c in codes] + ([question_set.name] if question_set else [])
    timeline_record(
        client=client,
        kind="assessment",
        summary=f"Check-in sent by {DeliveryChannel(channel).label.lower()}: " + ", ".join(names),
        actor=actor,
        obj=checkin,
        link=reverse("portal:checkins", args=[client.pk]),
    )
    return checkin


@transaction.atomic
def link_revoke(*, actor: User, link: PortalLink) -> PortalLink:
    """Close a link for good; opening it afterwards says it was withdrawn."""
    link = PortalLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is not None:
        raise Conflict("This link was revoked already.")
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    if link.purpose == LinkPurpose.CHECKIN:
        CheckIn.objects.filter(link=link).exclude(status=CheckInStatus.COMPLETED).update(
            status=CheckInStatus.REVOKED
        )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=link,
        client_id=link.client_id,
        detail={"fields": ["revoked_at"]},
    )
    return link


def checkin_revoke(*, actor: User, checkin: CheckIn) -> CheckIn:
    if checkin.status == CheckInStatus.COMPLETED:
        raise Conflict("This check-in is completed: there is nothing left to revoke.")
    link_revoke(actor=actor, link=checkin.link)
    checkin.refresh_from_db()
    return checkin


@transaction.atomic
def plan_link_send(*, actor: User, client: Client, channel: str) -> PortalLink:
    """Send the client a standing link to their current plan and safety plan (and the
    PDFs). One standing link per client: an earlier one still open is revoked."""
    address = _address(client, channel)
    _client_open(client)
    for earlier in PortalLink.objects.filter(
        client=client, purpose=LinkPurpose.PLAN, revoked_at__isnull=True
    ):
        link_revoke(actor=actor, link=earlier)
    link = _link_create(
        actor=actor,
        client=client,
        purpose=LinkPurpose.PLAN,
        channel=channel,
        hours=24 * _hours("PORTAL_PLAN_LINK_DAYS", 180),
        max_uses=_hours("PORTAL_PLAN_LINK_MAX_USES", 200),
    )
    _deliver(link=link, template=PLAN_TEMPLATE, address=address)
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=link,
        client_id=client.pk,
        detail={"channel": channel, "purpose": "plan"},
    )
    timeline_record(
        client=client,
        kind="careplan",
        summary="Link to the plan and safety plan sent by "
        + DeliveryChannel(channel).label.lower(),
        actor=actor,
        obj=link,
        link=reverse("portal:checkins", args=[client.pk]),
    )
    return link


# ----------------------------------------------------------------------- throttling
_THROTTLE_SQL = """
INSERT INTO portal_portalthrottle (key, window_start, count)
VALUES (%(key)s, %(now)s, 1)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN portal_portalthrottle.window_start < %(start)s THEN 1
                 ELSE portal_portalthrottle.count + 1 END,
    window_start = CASE WHEN portal_portalthrottle.window_start < %(start)s THEN %(now)s
                        ELSE portal_portalthrottle.window_start END
RETURNING count
"""


def throttle_hit(*, key: str, limit: int, window_seconds: int, now: datetime | None = None) -> bool:
    """Count one request in ``key``'s window; True when it is over ``limit`` (refuse).
    One statement: two requests at once both count."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _THROTTLE_SQL,
            {"key": key, "now": now, "start": now - timedelta(seconds=window_seconds)},
        )
        row = cursor.fetchone()
    return int(row[0]) > limit


def address_key(address: str | None) -> str:
    """The bucket of a network address: its sha256 (the address is not stored)."""
    return "addr:" + hashlib.sha256((address or "unknown").encode()).hexdigest()[:40]


def throttled(*, address: str | None, link_id: int | None = None) -> bool:
    """Per address and per link: ``PORTAL_RATE_PER_ADDRESS`` / ``PORTAL_RATE_PER_LINK``
    requests in ``PORTAL_RATE_WINDOW_SECONDS``."""
    window = int(getattr(settings, "PORTAL_RATE_WINDOW_SECONDS", 600))
    over = throttle_hit(
        key=address_key(address),
        limit=int(getattr(settings, "PORTAL_RATE_PER_ADDRESS", 120)),
        window_seconds=window,
    )
    if link_id is not None:
        over = (
            throttle_hit(
                key=f"link:{link_id}",
                limit=int(getattr(settings, "PORTAL_RATE_PER_LINK", 60)),
                window_seconds=window,
            )
            or over
        )
    return over


# --------------------------------------------------------------------------- opening
@dataclass(frozen=True)
class LinkState:
    """What a presented token opens: ``ok`` with the link, or why not (``unknown``,
    ``expired``, ``revoked``, ``locked``, ``used``, ``completed``), never whose."""

    state: str
    link: PortalLink | None = None


def link_state(link: PortalLink | None, *, now: datetime | None = None) -> LinkState:
    now = now or timezone.now()
    if link is None:
        return LinkState("unknown")
    if link.revoked_at is not None:
        return LinkState("revoked")
    if link.locked_at is not None:
        return LinkState("locked")
    if link.expires_at <= now:
        return LinkState("expired")
    if link.purpose == LinkPurpose.CHECKIN:
        status = CheckIn.objects.filter(link=link).values_list("status", flat=True).first()
        if status == CheckInStatus.COMPLETED:
            return LinkState("completed")
    return LinkState("ok", link)


def link_find(token: str) -> PortalLink | None:
    """The link of a token: looked up by the token's hash, compared in constant time."""
    from .tokens import looks_like_token, token_matches

    if not looks_like_token(token):
        return None
    link = PortalLink.objects.filter(token_hash=token_hash(token)).first()
    if link is None or not token_matches(token, link.token_hash):
        return None
    return link


@transaction.atomic
def link_confirm_dob(*, link: PortalLink, date_of_birth: date | None) -> str:
    """Check the date of birth given for a link: "ok" (a use is counted), "wrong" (one
    failure more), "locked" (``PORTAL_DOB_TRIES`` wrong dates: the link is locked, the
    sender is told), or "used" (no use left). Every attempt is audited."""
    link = PortalLink.objects.select_for_update().select_related("client").get(pk=link.pk)
    if link_state(link).state != "ok":
        return link_state(link).state
    now = timezone.now()
    if date_of_birth is None or date_of_birth != link.client.date_of_birth:
        link.dob_failures += 1
        fields = ["dob_failures"]
        locked = link.dob_failures >= int(getattr(settings, "PORTAL_DOB_TRIES", 5))
        if locked:
            link.locked_at = now
            fields.append("locked_at")
        link.save(update_fields=fields)
        audit_record(
            user=None,
            action=AuditAction.VIEW,
            obj=link,
            client_id=link.client_id,
            detail={"via": "portal", "outcome": "locked" if locked else "wrong_date_of_birth"},
        )
        if locked and link.created_by is not None:
            notification_create(
                recipient=link.created_by,
                kind=NotificationKind.INFO,
                title="A client link was locked after 5 wrong dates of birth",
                body="Someone entered a wrong date of birth 5 times on a link you sent. "
                "It is locked; send a new one if the client still needs it.",
                link=reverse("portal:checkins", args=[link.client_id]),
                email=False,
            )
        return "locked" if locked else "wrong"
    if link.uses >= link.max_uses:
        return "used"
    link.uses += 1
    link.first_opened_at = link.first_opened_at or now
    link.last_opened_at = now
    link.dob_failures = 0
    link.save(update_fields=["uses", "first_opened_at", "last_opened_at", "dob_failures"])
    if link.purpose == LinkPurpose.CHECKIN:
        CheckIn.objects.filter(link=link, status=CheckInStatus.SENT).update(
            status=CheckInStatus.OPENED, opened_at=now
        )
    audit_record(
        user=None,
        action=AuditAction.VIEW,
        obj=link,
        client_id=link.client_id,
        detail={"via": "portal", "outcome": "opened", "purpose": link.purpose},
    )
    return "ok"


def portal_read_audit(*, link: PortalLink, what: str, action: str = AuditAction.VIEW) -> None:
    """One read by the client through their link (a page, a PDF)."""
    audit_record(
        user=None,
        action=action,
        obj=link,
        client_id=link.client_id,
        detail={"via": "portal", "what": what},
    )


# ------------------------------------------------------------------------- answering
def question_set_flags(question_set: QuestionSet, answers: list[Any]) -> list[str]:
    """Validate a question set's answers (one offered value per question); the risk
    flags its chosen options raise. ``ValidationError`` on ``answers`` naming the item."""
    questions = question_set.questions or []
    if not isinstance(answers, list) or len(answers) != len(questions):
        raise ValidationError({"answers": [f"Expected {len(questions)} answers."]})
    flags: list[str] = []
    messages = []
    for number, (question, answer) in enumerate(zip(questions, answers, strict=True), start=1):
        option = next((o for o in question["options"] if o["value"] == answer), None)
        if option is None:
            messages.append(f"item {number}: choose one of the answers offered")
            continue
        if option.get("risk") in RISK_FLAGS and option["risk"] not in flags:
            flags.append(option["risk"])
    if messages:
        raise ValidationError({"answers": messages})
    return flags


def _previous_total(response: InstrumentResponse) -> int | None:
    earlier = (
        InstrumentResponse.objects.filter(
            client=response.client_id,
            instrument=response.instrument,
            amended_by__isnull=True,
            total__isnull=False,
        )
        .exclude(pk=response.pk)
        .filter(administered_at__lte=response.administered_at)
        .order_by("-administered_at", "-id")
        .values_list("total", flat=True)
        .first()
    )
    return earlier


@transaction.atomic
def checkin_part_record(*, checkin: CheckIn, part: str, answers: list[Any]) -> CheckInResult:
    """Record one completed part (an instrument or the question set) of a check-in.

    Recorded once: a part answered again (double submit, the Back button, a second
    phone) returns the first result and changes nothing. Instruments are scored by the
    assessments engine and saved as a "client self-report" response (whose suicide-risk
    result sets the flag and notifies the case manager and supervisors); the question
    set's risk answers do the same here. A risk answer also opens the 60-minute
    acknowledgement (``_risk_act``). When the last part is in, the check-in completes."""
    checkin = (
        CheckIn.objects.select_for_update()
        .select_related("client__team", "link")
        .get(pk=checkin.pk)
    )
    existing = CheckInResult.objects.filter(checkin=checkin, part=part).first()
    if existing is not None:
        return existing
    if part not in checkin.parts:
        raise ValidationError({"part": ["This question is not part of the check-in."]})
    if checkin.status == CheckInStatus.REVOKED or link_state(checkin.link).state not in (
        "ok",
        "completed",
    ):
        raise Conflict("This link can no longer be used.")
    client = checkin.client
    response = None
    if part.startswith("set:"):
        assert checkin.question_set is not None
        flags = question_set_flags(checkin.question_set, answers)
    else:
        response = instrument_response_record(
            actor=checkin.sent_by,
            client=client,
            instrument=part,
            answers=answers,
            source=ResponseSource.CLIENT_SELF_REPORT,
            notes="Answered by the client at home (check-in).",
        )
        flags = [f for f in response.flags if f in RISK_FLAGS]
    try:
        with transaction.atomic():
            result = CheckInResult.objects.create(
                checkin=checkin,
                part=part,
                response=response,
                answers=list(answers) if response is None else [],
                flags=flags,
            )
    except IntegrityError:  # the row lock makes this unreachable; kept as the last guard
        return CheckInResult.objects.get(checkin=checkin, part=part)
    if flags:
        _risk_act(checkin=checkin, flags=flags, notified=response is not None)
    done = set(CheckInResult.objects.filter(checkin=checkin).values_list("part", flat=True))
    if set(checkin.parts) <= done:
        _complete(checkin)
    return result


def _risk_act(*, checkin: CheckIn, flags: list[str], notified: bool) -> None:
    """A risk answer: the flag, the team told at once (in-app and email; the engine's
    suicide-risk result did it already for an instrument), and a follow-up for the case
    manager due in ``PORTAL_RISK_ACK_MINUTES`` (60) that escalates to the team's
    supervisors if still open then (the reminder sweep, exactly once)."""
    client = checkin.client
    now = timezone.now()
    link = reverse("portal:checkin_detail", args=[client.pk, checkin.pk])
    if not notified:
        for flag in flags:
            risk_flag_set(
                actor=checkin.sent_by,
                client=client,
                kind=flag,
                reason="Risk answer in a check-in the client answered from home",
                source="portal",
            )
        recipients: dict[int, User] = {}
        if client.primary_case_manager is not None:
            recipients[client.primary_case_manager.pk] = client.primary_case_manager
        for supervisor in client.team.supervisors.filter(is_active=True):
            recipients.setdefault(supervisor.pk, supervisor)
        for user in recipients.values():
            notification_create(
                recipient=user,
                kind=NotificationKind.ESCALATION,
                title=f"Risk answer in a check-in: {client.display_name} ({client.client_number})",
                body="The client gave a risk answer in a check-in from home. Contact them "
                "today and review the safety plan.",
                link=link,
                email=True,
            )
    if checkin.risk_at is not None:
        return
    minutes = int(getattr(settings, "PORTAL_RISK_ACK_MINUTES", 60))
    deadline = timezone.localtime(now + timedelta(minutes=minutes), client.team.zone)
    followup = followup_create(
        actor=checkin.sent_by,
        client=client,
        assignee=client.primary_case_manager or checkin.sent_by,
        reason=FollowUpReason.GENERAL,
        title="Risk answer in a check-in: contact the client and acknowledge",
        due_on=deadline.date(),
        due_time=deadline.time().replace(second=0, microsecond=0),
        escalate_at=now + timedelta(minutes=minutes),
    )
    checkin.risk_at = now
    checkin.followup = followup
    checkin.save(update_fields=["risk_at", "followup"])


def _complete(checkin: CheckIn) -> None:
    now = timezone.now()
    results = list(checkin.results.select_related("response"))
    needs: list[str] = []
    if any(r.flags for r in results):
        needs.append("risk")
    for r in results:
        if r.response is None or r.response.total is None:
            continue
        previous = _previous_total(r.response)
        if previous is not None and r.response.total > previous:
            needs.append("worse")
            break
        if previous is None and r.response.positive:
            needs.append("positive")
            break
    checkin.status = CheckInStatus.COMPLETED
    checkin.completed_at = now
    checkin.needs_look = needs
    checkin.save(update_fields=["status", "completed_at", "needs_look"])
    summary = ", ".join(
        (r.response.definition.name + ": " + r.response.score_text)
        if r.response is not None
        else (checkin.question_set.name if checkin.question_set else "Questions")
        for r in results
    )
    timeline_record(
        client=checkin.client,
        kind="assessment",
        summary=f"Check-in answered by the client: {summary}"[:300],
        actor=None,
        obj=checkin,
        link=reverse("portal:checkin_detail", args=[checkin.client_id, checkin.pk]),
    )


@transaction.atomic
def checkin_acknowledge(*, actor: User, checkin: CheckIn) -> CheckIn:
    """The case manager (or a supervisor) has looked at the answers: off the Today list,
    and the risk follow-up closed, so no escalation follows."""
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if checkin.status != CheckInStatus.COMPLETED and checkin.risk_at is None:
        raise Conflict("Nothing to acknowledge yet: the check-in is not answered.")
    if checkin.acknowledged_at is not None:
        raise Conflict("This check-in was acknowledged already.")
    checkin.acknowledged_at = timezone.now()
    checkin.acknowledged_by = actor
    checkin.save(update_fields=["acknowledged_at", "acknowledged_by"])
    if checkin.followup is not None and checkin.followup.status == FollowUpStatus.OPEN:
        followup_close(
            actor=actor,
            followup=checkin.followup,
            status=FollowUpStatus.DONE,
            outcome_note="Check-in answers acknowledged.",
        )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=checkin,
        client_id=checkin.client_id,
        detail={"fields": ["acknowledged_at"]},
    )
    return checkin


def portal_message_link(link_id: int) -> str:
    """The full address a message carries for a link (rendered at send time)."""
    link = PortalLink.objects.filter(pk=link_id).only("nonce").first()
    if link is None:
        return ""
    site = str(settings.SITE_URL).rstrip("/")
    return site + reverse("portal:open", args=[token_for(link.nonce)])


# ------------------------------------------------------------- automatic check-ins
@transaction.atomic
def auto_checkin_set(*, actor: User, client: Client, channel: str | None) -> AutoCheckIn | None:
    """Turn automatic check-ins on (by ``channel``) or off (``None``) for a client."""
    existing = AutoCheckIn.objects.filter(client=client).first()
    if channel is None:
        if existing is not None:
            existing.delete()  # a setting, not clinical: the audit event keeps the record
            audit_record(
                user=actor,
                action=AuditAction.DELETE,
                object_type="portal.autocheckin",
                client_id=client.pk,
            )
        return None
    _address(client, channel)  # ValidationError on channel when there is no address
    row, _created = AutoCheckIn.objects.update_or_create(
        client=client, defaults={"channel": channel, "enabled_by": actor}
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=row,
        client_id=client.pk,
        detail={"fields": ["channel"]},
    )
    return row


def auto_checkins_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Send a check-in to each client with automatic check-ins whose self-report
    instruments are due by the re-administration schedule (``reassessments_due``), at
    most one every ``PORTAL_AUTO_MIN_DAYS`` (7) days and never while one is still open.
    Each client's row is locked while it is handled (``SKIP LOCKED``), so overlapping
    runs and a second run send nothing twice. Periodic (CELERY_BEAT_SCHEDULE)."""
    from assessments.selectors import reassessments_due

    now = now or timezone.now()
    quiet = timedelta(days=int(getattr(settings, "PORTAL_AUTO_MIN_DAYS", 7)))
    sent = skipped = 0
    ids = list(AutoCheckIn.objects.values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            row = (
                AutoCheckIn.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("client__team", "client__primary_case_manager")
                .filter(pk=pk)
                .first()
            )
            if row is None:
                continue
            client = row.client
            sender = client.primary_case_manager
            if (
                sender is None
                or not sender.is_active
                or (row.last_sent_at is not None and row.last_sent_at > now - quiet)
                or CheckIn.objects.filter(
                    client=client,
                    status__in=[CheckInStatus.SENT, CheckInStatus.OPENED],
                    link__revoked_at__isnull=True,
                    link__expires_at__gt=now,
                ).exists()
            ):
                skipped += 1
                continue
            due = [
                d.instrument
                for d in reassessments_due(
                    user=sender, as_of=client.team.local_date(now), client_id=client.pk
                )
                if d.instrument in CHECKIN_INSTRUMENTS
            ]
            if not due:
                skipped += 1
                continue
            try:
                checkin_send(
                    actor=sender,
                    client=client,
                    instruments=due,
                    channel=row.channel,
                    automatic=True,
                )
            except (ValidationError, Conflict):
                skipped += 1  # no address any more, discharged: the tab shows it
                continue
            row.last_sent_at = now
            row.save(update_fields=["last_sent_at"])
            sent += 1
    return {"sent": sent, "skipped": skipped}
