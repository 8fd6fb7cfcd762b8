"""Writes of the interop app: HL7 v2 ADT intake.

``adt_receive`` stores every message as received and decides its ACK (AA, AE, AR; see
``interop.hl7v2.check``) in one transaction; only then is the ACK returned to the
transport (MLLP or HTTPS), and a Celery task is queued on commit to process it.
``adt_process`` claims a received row with a conditional update, so a message is
applied once however often it is queued or resent; the sweep re-queues received rows
that a lost nudge (broker down) left behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import Team, User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.broker import publish_quietly
from casemgmt.lib.errors import ApplicationError
from casemgmt.notifications.models import NotificationKind
from casemgmt.notifications.services import notification_create
from clients.models import Client, ClientStatus, RiskFlag, RiskFlagKind
from clients.selectors import client_possible_duplicates
from clients.services import client_create
from referrals.models import CareTransition, LevelOfCare, VisitFocus
from referrals.services import (
    transition_discharge,
    transition_discharge_cancel,
    transition_enter_in_error,
    transition_record,
    transition_update,
)

from .hl7v2 import Adt, Header, build_ack, check, parse, read_adt
from .models import AckCode, AdtMessage, AdtStatus, ClientIdentifier, FacilityMapping

logger = logging.getLogger(__name__)

INTERFACE_USERNAME = "hl7-adt-interface"
# The settings that open a care transition (a stay or an ED visit); others are noted only.
ACUTE_SETTINGS = {
    LevelOfCare.EMERGENCY,
    LevelOfCare.INPATIENT_PSYCH,
    LevelOfCare.WITHDRAWAL,
    LevelOfCare.RESIDENTIAL,
}
# Without a facility mapping: HL7 table 0004 patient class.
DEFAULT_LEVELS = {"E": LevelOfCare.EMERGENCY, "I": LevelOfCare.INPATIENT_PSYCH}


@dataclass(frozen=True)
class Receipt:
    ack: str  # the ACK message, segments ended by CR
    ack_code: str
    message_id: int | None
    duplicate: bool = False


def _max_bytes() -> int:
    return int(getattr(settings, "ADT_MAX_BYTES", 256 * 1024))


def interface_user() -> User:
    """The account the ADT interface acts as (audit trail, ``recorded_by``): it cannot
    sign in."""
    user, created = User.objects.get_or_create(
        username=INTERFACE_USERNAME,
        defaults={"first_name": "HL7 ADT", "last_name": "interface", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def adt_receive(*, raw: bytes | str, sender: str, nudge: bool = True) -> Receipt:
    """Store the message (always: accepted, in error or rejected), then return its ACK.

    A message whose sender and MSH-10 were seen before is not stored again: it gets the
    same answer as the first time and changes nothing. ``sender``: the transport and
    peer (``mllp 10.0.0.5``, ``api <username>``), never personal data. Without ``nudge``
    the caller queues the processing itself (``adt_nudge``, the MLLP listener does so
    after the ACK is on the wire); the sweep finds the message either way."""
    checked = check(raw, max_bytes=_max_bytes())
    header = checked.header
    max_bytes = _max_bytes()
    # Kept as received (only decoded; cut at the limit when over it).
    if isinstance(raw, bytes):
        try:
            text = raw[:max_bytes].decode("utf-8")
        except UnicodeDecodeError:
            text = raw[:max_bytes].decode("latin-1")
    else:
        text = raw[:max_bytes]
    status = AdtStatus.RECEIVED if checked.ack_code == AckCode.ACCEPT else AdtStatus.ERROR
    if header.control_id and checked.ack_code == AckCode.ACCEPT:
        earlier = _earlier(header)
        if earlier is not None:
            return _duplicate_receipt(earlier, header)
    try:
        with transaction.atomic():
            message = AdtMessage.objects.create(
                raw=text,
                received_via=sender[:100],
                sending_application=header.sending_application,
                sending_facility=header.sending_facility,
                control_id=header.control_id,
                message_type=header.message_type,
                event=header.event,
                message_at=header.message_at,
                status=status,
                ack_code=checked.ack_code,
                error=checked.error,
            )
            if status == AdtStatus.RECEIVED and nudge:
                transaction.on_commit(lambda: _nudge(message.pk))
    except IntegrityError:  # the same message, resent while the first was being stored
        earlier = _earlier(header)
        if earlier is None:
            raise
        return _duplicate_receipt(earlier, header)
    ack = build_ack(
        header, ack_code=checked.ack_code, error=checked.error, ack_id=f"ACK{message.pk}"
    )
    return Receipt(ack=ack, ack_code=checked.ack_code, message_id=message.pk)


def _earlier(header: Header) -> AdtMessage | None:
    return AdtMessage.objects.filter(
        sending_application=header.sending_application,
        sending_facility=header.sending_facility,
        control_id=header.control_id,
        ack_code=AckCode.ACCEPT,
    ).first()


def _duplicate_receipt(earlier: AdtMessage, header: Header) -> Receipt:
    ack = build_ack(
        header, ack_code=earlier.ack_code, error=earlier.error, ack_id=f"ACK{earlier.pk}"
    )
    return Receipt(ack=ack, ack_code=earlier.ack_code, message_id=earlier.pk, duplicate=True)


def adt_nudge(*, message_id: int) -> None:
    """Queue the processing of a stored message (broker errors are logged, not raised)."""
    _nudge(message_id)


def _nudge(message_id: int) -> None:
    from .tasks import adt_process as task  # tasks import services: import at call time

    publish_quietly(task, [message_id], recovery="the ADT sweep will queue it again")


def adt_sweep(*, older_than: timedelta = timedelta(seconds=60)) -> dict[str, int]:
    """Queue again the messages received but not processed (a nudge lost while the
    broker was down, a worker that died). Processing them twice is harmless."""
    ids = list(
        AdtMessage.objects.filter(
            status=AdtStatus.RECEIVED, received_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)[:1000]
    )
    for message_id in ids:
        _nudge(message_id)
    return {"requeued": len(ids)}


# ------------------------------------------------------------------------ processing
def adt_process(*, message_id: int) -> str:
    """Apply one received message. Claims the row (``FOR UPDATE SKIP LOCKED``, status
    received), so a second run, a resent message or a second worker does nothing. What
    the message changes is applied in a savepoint: on any error nothing of it stays,
    and the row is marked error with the reason. Returns the new status."""
    with transaction.atomic():
        message = (
            AdtMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=AdtStatus.RECEIVED)
            .first()
        )
        if message is None:
            return "skipped"
        try:
            with transaction.atomic():
                _apply(message)
        except (ValidationError, ApplicationError) as exc:
            message.status, message.error = AdtStatus.ERROR, _describe(exc)
        except Exception as exc:  # noqa: BLE001 - kept as an error row, never retried blind
            # The type only: an exception's text may quote the message (personal data).
            logger.error("ADT message %s failed in processing: %s", message.pk, type(exc).__name__)
            message.status = AdtStatus.ERROR
            message.error = f"Processing failed ({type(exc).__name__})."
        message.processed_at = timezone.now()
        message.save(update_fields=PROCESSING_FIELDS)
        return str(message.status)


PROCESSING_FIELDS = [
    "status",
    "error",
    "outcome",
    "processed_at",
    "review_reason",
    "client",
    "transition",
    "patient_class",
    "location",
    "visit_number",
    "diagnoses",
]


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())[:1000]
    return str(exc)[:1000]


def _apply(message: AdtMessage) -> None:
    parsed = parse(message.raw)
    adt = read_adt(parsed)
    message.patient_class = adt.patient_class
    message.location = adt.location
    message.visit_number = adt.visit_number
    message.diagnoses = adt.diagnoses
    client = message.client
    if client is None:
        client, why = _match(adt, message)
        if client is None:
            message.status, message.review_reason = AdtStatus.REVIEW, why
            return
        message.client = client
    adt = read_adt(parsed, tz=ZoneInfo(client.team.time_zone))
    _dispatch(message, adt, client)


def _match(adt: Adt, message: AdtMessage) -> tuple[Client | None, str]:
    """An exact identifier (``ClientIdentifier``), else one confident name and date of
    birth match through the clients' duplicate check (Soundex keys)."""
    for ident in adt.identifiers:
        row = (
            ClientIdentifier.objects.filter(
                kind=ident.kind, issuer=ident.issuer or message.sending_facility, value=ident.value
            )
            .select_related("client__team")
            .first()
        )
        if row is not None:
            return row.client, ""
    if not (adt.family_name and adt.given_name and adt.birth_date):
        return None, "No identifier on record, and no name and date of birth to match on."
    reach, elsewhere = client_possible_duplicates(
        user=interface_user(),
        first_name=adt.given_name,
        last_name=adt.family_name,
        date_of_birth=adt.birth_date,
    )
    candidates = reach + elsewhere
    if not candidates:
        return None, "No client with this name and date of birth."
    family, given = adt.family_name.casefold(), adt.given_name.casefold()
    exact = [
        c
        for c in candidates
        if c.last_name.strip().casefold() == family
        and given in {c.first_name.strip().casefold(), c.preferred_name.strip().casefold()}
    ]
    if len(candidates) == 1 and len(exact) == 1:
        _learn_identifiers(adt, message, exact[0], actor=None)
        return exact[0], ""
    return None, f"{len(candidates)} possible match(es) by name and date of birth: pick one."


def _learn_identifiers(
    adt: Adt, message: AdtMessage, client: Client, *, actor: User | None
) -> None:
    """Remember the sender's identifiers for the client, so the next message matches
    exactly. An identifier already given to another client is left alone."""
    for ident in adt.identifiers:
        ClientIdentifier.objects.get_or_create(
            kind=ident.kind[:2],
            issuer=ident.issuer or message.sending_facility,
            value=ident.value,
            defaults={"client": client, "recorded_by": actor},
        )


def _level(message: AdtMessage, adt: Adt) -> tuple[str, str, str] | None:
    """(level of care, focus, facility name) of the message's setting, or None."""
    rows = FacilityMapping.objects.filter(sending_facility=message.sending_facility)
    best: FacilityMapping | None = None
    best_rank = -1
    for row in rows:
        if row.patient_class and row.patient_class != adt.patient_class:
            continue
        if row.location_prefix and not adt.location.startswith(row.location_prefix):
            continue
        rank = (2 if row.location_prefix else 0) + (1 if row.patient_class else 0)
        if rank > best_rank:
            best, best_rank = row, rank
    if best is not None:
        return best.level_of_care, best.focus, best.facility_name or message.sending_facility
    level = DEFAULT_LEVELS.get(adt.patient_class)
    if level is None:
        return None
    return level, VisitFocus.MENTAL_HEALTH, message.sending_facility


def _local_date(when: datetime | None, client: Client, fallback: datetime | None) -> date:
    moment = when or fallback or timezone.now()
    return client.team.local_date(moment)


def _visit_transition(message: AdtMessage, client: Client) -> CareTransition | None:
    """The transition an earlier message of the same visit (PV1-19) opened."""
    if not message.visit_number:
        return None
    earlier = (
        AdtMessage.objects.filter(
            sending_facility=message.sending_facility,
            visit_number=message.visit_number,
            client=client,
            transition__isnull=False,
        )
        .exclude(pk=message.pk)
        .select_related("transition")
        .order_by("-id")
        .first()
    )
    found = earlier.transition if earlier else None
    if found is None or found.entered_in_error_at is not None:
        return None
    return found


def _dispatch(message: AdtMessage, adt: Adt, client: Client) -> None:
    message.status = AdtStatus.PROCESSED
    setting = _level(message, adt)
    if message.event in {"A01", "A04"}:
        _admit(message, adt, client, setting)
    elif message.event == "A03":
        _discharge(message, adt, client, setting)
    elif message.event in {"A02", "A08"}:
        _update(message, adt, client, setting)
    elif message.event == "A13":
        _cancel_discharge(message, client)
    elif message.event == "A11":
        _cancel_admit(message, client)
    else:
        message.outcome = f"{message.event} is kept, not acted on."


Setting = tuple[str, str, str] | None


def _open(
    message: AdtMessage,
    adt: Adt,
    client: Client,
    setting: tuple[str, str, str],
    *,
    discharged_on: date | None = None,
) -> CareTransition:
    level, focus, facility = setting
    admitted_on = _local_date(adt.admitted_at, client, adt.event_at)
    if discharged_on is not None and not adt.admitted_at:
        admitted_on = discharged_on
    return transition_record(
        actor=interface_user(),
        client=client,
        from_level=level,
        to_level=LevelOfCare.OUTPATIENT,
        facility=facility,
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        focus=focus,
        notes=f"Opened by HL7 {message.event} message {message.control_id}.",
    )


def _admit(message: AdtMessage, adt: Adt, client: Client, setting: Setting) -> None:
    existing = _visit_transition(message, client)
    if existing is not None:
        message.transition, message.outcome = existing, "Admission already on record."
        return
    if setting is None or setting[0] not in ACUTE_SETTINGS:
        message.outcome = "Not an inpatient, ED, withdrawal or residential setting."
        return
    typed = (
        CareTransition.objects.filter(
            client=client,
            from_level=setting[0],
            discharged_on__isnull=True,
            entered_in_error_at__isnull=True,
            admitted_on=_local_date(adt.admitted_at, client, adt.event_at),
        )
        .order_by("-id")
        .first()
    )
    if typed is not None:  # a case manager typed this admission in already
        message.transition, message.outcome = typed, "Admission already on record."
        return
    transition = _open(message, adt, client, setting)
    message.transition = transition
    message.outcome = f"Admitted: care transition opened ({transition.get_from_level_display()})."
    _notify_admission(client, transition)


def _discharge(message: AdtMessage, adt: Adt, client: Client, setting: Setting) -> None:
    discharged_on = _local_date(adt.discharged_at, client, adt.event_at)
    found = _visit_transition(message, client) or _open_transition(client, setting)
    if found is None:
        if setting is None or setting[0] not in ACUTE_SETTINGS:
            message.outcome = "Discharge from a setting that opens no transition."
            return
        message.transition = _open(message, adt, client, setting, discharged_on=discharged_on)
        message.outcome = "Discharged (no admission on record): follow-ups per the measure."
        return
    message.transition = found
    if found.discharged_on == discharged_on:
        message.outcome = "Discharge already on record."
        return
    transition_discharge(actor=interface_user(), transition=found, discharged_on=discharged_on)
    message.outcome = f"Discharged on {discharged_on:%Y-%m-%d}: follow-ups per the measure."


def _update(message: AdtMessage, adt: Adt, client: Client, setting: Setting) -> None:
    found = _visit_transition(message, client)
    if found is None:
        message.outcome = "No transition of this visit to update."
        return
    message.transition = found
    data: dict[str, object] = {}
    if setting is not None and setting[2] != found.facility:
        data["facility"] = setting[2]
    if adt.admitted_at:
        admitted_on = _local_date(adt.admitted_at, client, None)
        if admitted_on != found.admitted_on:
            data["admitted_on"] = admitted_on
    if data:
        transition_update(actor=interface_user(), transition=found, data=data)
        message.outcome = "Updated: " + ", ".join(sorted(data)) + "."
    else:
        message.outcome = "Nothing to update."


def _cancel_discharge(message: AdtMessage, client: Client) -> None:
    found = _visit_transition(message, client)
    if found is None:
        message.outcome = "No transition of this visit: nothing to cancel."
        return
    message.transition = found
    if found.discharged_on is None:
        message.outcome = "Not discharged: nothing to cancel."
        return
    transition_discharge_cancel(
        actor=interface_user(),
        transition=found,
        reason=f"HL7 A13 message {message.control_id}",
    )
    message.outcome = "Discharge cancelled: its follow-ups are cancelled, the history kept."


def _cancel_admit(message: AdtMessage, client: Client) -> None:
    """A11 (cancel admit/visit notification, HL7 v2.5.1 chapter 3.3.11): the admission an
    earlier message of this visit opened was sent in error. A transition the interface
    opened is marked entered in error (kept, out of every measure, its follow-ups
    cancelled). One a case manager recorded, or one already discharged (HL7 expects an
    A13 first), goes to the review queue for a person to decide."""
    found = _visit_transition(message, client)
    if found is None:
        message.outcome = "No admission of this visit on record: nothing to cancel."
        return
    message.transition = found
    if found.recorded_by_id != interface_user().pk:
        message.status = AdtStatus.REVIEW
        message.review_reason = (
            "Cancel admit received for a transition a person recorded: check it and mark "
            "it entered in error if the stay did not happen."
        )
        return
    if found.discharged_on is not None:
        message.status = AdtStatus.REVIEW
        message.review_reason = (
            "Cancel admit received for a stay already discharged (no cancel discharge "
            "came first): check the transition."
        )
        return
    transition_enter_in_error(
        actor=interface_user(),
        transition=found,
        reason=f"cancelled by HL7 A11 message {message.control_id}",
    )
    message.outcome = "Admission cancelled: the transition is marked entered in error."


def _open_transition(client: Client, setting: Setting) -> CareTransition | None:
    qs = CareTransition.objects.filter(
        client=client, discharged_on__isnull=True, entered_in_error_at__isnull=True
    )
    if setting is not None:
        qs = qs.filter(from_level=setting[0])
    return qs.order_by("-admitted_on", "-id").first()


def _notify_admission(client: Client, transition: CareTransition) -> None:
    """The case manager, and the team's supervisors when the client has an open suicide
    or overdose risk flag. Titles carry no name (notifications may be emailed)."""
    link = reverse("referrals:transition_detail", args=[client.pk, transition.pk])
    title = f"Admission reported: {transition.get_from_level_display()} ({client.client_number})"
    recipients: list[User] = []
    if client.primary_case_manager is not None:
        recipients.append(client.primary_case_manager)
    flagged = RiskFlag.objects.filter(
        client=client,
        kind__in=[RiskFlagKind.SUICIDE, RiskFlagKind.OVERDOSE],
        cleared_at__isnull=True,
    ).exists()
    if flagged:
        recipients += [u for u in client.team.supervisors.all() if u not in recipients]
    for user in recipients:
        notification_create(
            recipient=user,
            kind=NotificationKind.ESCALATION if flagged else NotificationKind.INFO,
            title=title,
            body="An HL7 admission message opened a care transition.",
            link=link,
        )


# ------------------------------------------------------------------------ review queue
@transaction.atomic
def adt_review_resolve(*, actor: User, message_id: int, client: Client) -> AdtMessage:
    """Link a message in the review queue to ``client`` (chosen by a person), remember
    the sender's identifiers for that client, and process it now."""
    message = AdtMessage.objects.select_for_update().get(pk=message_id)
    if message.status != AdtStatus.REVIEW:
        raise ValidationError({"message": ["This message is not waiting for review."]})
    if message.client_id is not None and message.client_id != client.pk:
        raise ValidationError({"client": ["This message is already linked to another client."]})
    adt = read_adt(parse(message.raw))
    _learn_identifiers(adt, message, client, actor=actor)
    message.client = client
    message.status = AdtStatus.RECEIVED
    message.review_reason = ""
    message.resolved_by, message.resolved_at = actor, timezone.now()
    message.save(update_fields=["client", "status", "review_reason", "resolved_by", "resolved_at"])
    audit_record(user=actor, action=AuditAction.UPDATE, obj=message, client_id=client.pk)
    adt_process(message_id=message.pk)
    message.refresh_from_db()
    return message


def _name(value: str) -> str:
    """HL7 senders often write names in capitals (``QUILLFEATHER``): shown as a name."""
    value = " ".join(value.split())
    return value.title() if value.isupper() else value


@transaction.atomic
def adt_review_create_client(*, actor: User, message_id: int, team: Team) -> AdtMessage:
    """A message in the review queue about someone who is not a client yet: register a
    client in ``team`` with status "referred" from the message's PID (family and given
    name, date of birth), remember the sender's identifiers for them, and process the
    message as ``adt_review_resolve`` does. The new client goes through the same
    validation (and duplicate-free numbering) as one typed in at referral."""
    message = AdtMessage.objects.select_for_update().get(pk=message_id)
    if message.status != AdtStatus.REVIEW:
        raise ValidationError({"message": ["This message is not waiting for review."]})
    if message.client_id is not None:
        raise ValidationError({"message": ["This message is already linked to a client."]})
    adt = read_adt(parse(message.raw))
    if not (adt.family_name and adt.given_name and adt.birth_date):
        raise ValidationError(
            {
                "team": [
                    "The message has no full name and date of birth: register the client "
                    "by hand, then link the message by their number."
                ]
            }
        )
    client = client_create(
        actor=actor,
        first_name=_name(adt.given_name),
        last_name=_name(adt.family_name),
        date_of_birth=adt.birth_date,
        team=team,
        status=ClientStatus.REFERRED,
    )
    return adt_review_resolve(actor=actor, message_id=message.pk, client=client)


@transaction.atomic
def adt_review_dismiss(*, actor: User, message_id: int, reason: str) -> AdtMessage:
    """Take a message out of the review queue with the reason; it stays in the feed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the message is dismissed."]})
    message = AdtMessage.objects.select_for_update().get(pk=message_id)
    if message.status != AdtStatus.REVIEW:
        raise ValidationError({"message": ["This message is not waiting for review."]})
    message.status = AdtStatus.DISMISSED
    message.dismissed_reason = reason[:500]
    message.resolved_by, message.resolved_at = actor, timezone.now()
    message.save(update_fields=["status", "dismissed_reason", "resolved_by", "resolved_at"])
    audit_record(user=actor, action=AuditAction.UPDATE, obj=message, client_id=message.client_id)
    return message


def adt_reject_oversized(*, sender: str) -> Receipt:
    """A message too large to frame (MLLP): recorded as rejected (its text is not kept)
    and answered with AR."""
    limit = _max_bytes()
    error = f"The message is larger than {limit} bytes."
    message = AdtMessage.objects.create(
        raw="",
        received_via=sender[:100],
        sending_application="",
        sending_facility="",
        status=AdtStatus.ERROR,
        ack_code=AckCode.REJECT,
        error=error,
    )
    ack = build_ack(Header(), ack_code=AckCode.REJECT, error=error, ack_id=f"ACK{message.pk}")
    return Receipt(ack=ack, ack_code=AckCode.REJECT, message_id=message.pk)
