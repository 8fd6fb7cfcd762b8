"""Reads of consents, whether a consent is in effect, and whether a disclosure is allowed.

A consent is *active* on a day when it was signed on or before that day, was not revoked
on or before that day, and has not expired: an expiry date is the last day it is in
effect; a consent with no expiry, or one that expires "on an event", stays active until
it is revoked (the event is recorded by revoking the consent with the event as reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from casemgmt.accounts.models import User

from ..models import (
    Client,
    Consent,
    ConsentKind,
    ExpiryKind,
    RelatedPerson,
    RelatedPersonCoverage,
)
from .record import client_list

ACTIVE = "active"
REVOKED = "revoked"
EXPIRED = "expired"
NOT_YET = "not_yet_in_effect"
STATE_LABELS = {
    ACTIVE: "Active",
    REVOKED: "Revoked",
    EXPIRED: "Expired",
    NOT_YET: "Not yet in effect",
}
# Purposes a TPO consent with a general designation of recipients covers.
TPO_PURPOSES = frozenset({"treatment", "payment", "operations"})
_PURPOSE_ALIASES = {"health care operations": "operations", "health_care_operations": "operations"}


def consent_active_q(on: date) -> Q:
    """The condition for a consent in effect on ``on``, for filtering querysets."""
    return (
        Q(signed_on__lte=on)
        & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))
        & (~Q(expiry_kind=ExpiryKind.DATE) | Q(expires_on__gte=on))
    )


# A consent or release "expires soon" when it is in effect and its expiry date is within
# the next 30 days: the supervisor's queue lists it and the case manager is reminded once.
EXPIRY_NOTICE_DAYS = 30


def consents_expiring(
    *, team_ids: list[int] | None, on: date, days: int = EXPIRY_NOTICE_DAYS
) -> QuerySet[Consent]:
    """Consents and releases of the clients of ``team_ids`` (None: every team) in effect
    on ``on`` whose expiry date is within ``days`` days, soonest first, with the client,
    its team and case manager. Clients with a closed episode are left out."""
    from ..models import OPEN_EPISODE_STATUSES

    qs = Consent.objects.filter(
        consent_active_q(on),
        expiry_kind=ExpiryKind.DATE,
        expires_on__lte=on + timedelta(days=days),
        client__status__in=OPEN_EPISODE_STATUSES,
    )
    if team_ids is not None:
        qs = qs.filter(client__team_id__in=team_ids)
    return qs.select_related("client", "client__team", "client__primary_case_manager").order_by(
        "expires_on", "pk"
    )


def consent_state(consent: Consent, on: date) -> str:
    """``active``, ``revoked``, ``expired`` or ``not_yet_in_effect`` on the day ``on``."""
    if consent.revoked_on is not None and consent.revoked_on <= on:
        return REVOKED
    if consent.expiry_kind == ExpiryKind.DATE and (
        consent.expires_on is None or consent.expires_on < on
    ):
        return EXPIRED
    if consent.signed_on is None or consent.signed_on > on:
        return NOT_YET
    return ACTIVE


def consent_is_active(consent: Consent, on: date) -> bool:
    return consent_state(consent, on) == ACTIVE


def consent_list(*, client: Client) -> QuerySet[Consent]:
    """The client's consents, most recently signed first, with who recorded and revoked
    them. ``client`` comes from ``client_get`` (so in reach)."""
    return client.consents.select_related("recorded_by", "revoked_by").order_by("-signed_on", "-id")


def consent_get(*, client: Client, consent_id: int) -> Consent:
    """One consent of ``client``; ``Http404`` otherwise."""
    consent = consent_list(client=client).filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    return consent


def consent_list_in_reach(*, user: User) -> QuerySet[Consent]:
    """Consents of every client in reach of ``user`` (for the API)."""
    reach = client_list(user=user).values("pk")
    return (
        Consent.objects.filter(client_id__in=reach)
        .select_related("recorded_by", "revoked_by", "client__team")
        .prefetch_related(Prefetch("related_persons", queryset=RelatedPerson.objects.only("pk")))
        .order_by("-signed_on", "-id")
    )


def _normal(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _purpose(purpose: str | None) -> str:
    text = " ".join((purpose or "").split()).lower()
    return _PURPOSE_ALIASES.get(text, text)


@dataclass(frozen=True)
class DisclosureCheck:
    """The answer of ``consent_allows_disclosure``.

    ``allowed``: whether the disclosure may be made; ``consent``: the consent that
    allows it (or, when refused, the consent that came closest, e.g. an expired one;
    ``None`` when there is none); ``reason``: one sentence to show to staff.
    """

    allowed: bool
    consent: Consent | None
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def consent_allows_disclosure(
    *,
    client: Client,
    recipient: str,
    when: datetime | date | None = None,
    purpose: str | None = None,
    recipient_directory_id: int | None = None,
) -> DisclosureCheck:
    """May ``client``'s substance use (42 CFR Part 2) information go to ``recipient``?

    The one place that answers this: the referrals and export features call it before
    anything about a client's substance use leaves the program, and keep the returned
    ``consent`` as the consent used. It reads only; the caller audits the disclosure.

    Allowed when a 42 CFR Part 2 consent is active on the day of ``when`` (default: now,
    in the team's time zone) and either names the recipient or is a treatment, payment
    and health care operations (TPO)
    consent with a general designation of recipients and ``purpose`` is one of
    ``treatment``, ``payment`` or ``operations``. A TPO consent covers only those
    purposes, even for a recipient it names. For any other consent the purpose written
    on it is shown to the user, who checks it matches.

    A consent names the recipient when it chose ``recipient_directory_id`` (the
    organisation's id in the resource directory, for a recipient from the directory)
    among its recipients, or when one of its typed names equals ``recipient`` (compared
    case-insensitively, spaces trimmed): "Nueva Vida" typed on a consent is not "Nueva
    Vida Recovery Center" of the directory, and the refusal then says so.

    A general release or a consent to treatment never allows it: substance use records
    need a Part 2 consent. When refused, ``reason`` says what is missing (no consent for
    the recipient, or the one on file was revoked, expired, or is for another purpose).
    """
    name = " ".join((recipient or "").split())
    if not name:
        return DisclosureCheck(False, None, "Name the recipient of the disclosure.")
    wanted = _normal(name)
    on = client.team.local_date(when)
    purpose_key = _purpose(purpose)
    for_tpo = purpose_key in TPO_PURPOSES
    consents = list(
        client.consents.filter(kind__in=[ConsentKind.PART2, ConsentKind.RELEASE]).order_by(
            "-signed_on", "-id"
        )
    )
    part2 = [c for c in consents if c.kind == ConsentKind.PART2]
    named = [
        c
        for c in part2
        if recipient_directory_id in c.recipient_directory_ids
        or wanted in {_normal(r) for r in c.recipients}
    ]

    for consent in named:
        if consent_is_active(consent, on) and (not consent.is_tpo or not purpose or for_tpo):
            return DisclosureCheck(
                True,
                consent,
                f"Allowed by the 42 CFR Part 2 consent signed on {consent.signed_on:%Y-%m-%d}, "
                f"which names {name}.",
            )
    if for_tpo:
        for consent in part2:
            if consent.is_tpo and consent.recipient_class and consent_is_active(consent, on):
                return DisclosureCheck(
                    True,
                    consent,
                    f"Allowed for {purpose_key} by the treatment, payment and health care "
                    f"operations consent signed on {consent.signed_on:%Y-%m-%d} "
                    f"(recipients: {consent.recipient_class}).",
                )

    # Refused: say why, from the closest consent on file.
    active_named = [c for c in named if consent_is_active(c, on)]
    if active_named:
        return DisclosureCheck(
            False,
            active_named[0],
            f"The consent for {name} covers only treatment, payment and health care "
            f"operations, not '{purpose}'.",
        )
    if named:
        consent = named[0]
        state = consent_state(consent, on)
        if state == REVOKED:
            reason = f"The consent for {name} was revoked on {consent.revoked_on:%Y-%m-%d}."
        elif state == EXPIRED:
            reason = f"The consent for {name} expired on {consent.expires_on:%Y-%m-%d}."
        else:
            reason = (
                f"The consent for {name} was signed on {consent.signed_on:%Y-%m-%d}, "
                f"after {on:%Y-%m-%d}."
            )
        return DisclosureCheck(False, consent, reason)
    reason = f"No active 42 CFR Part 2 consent names '{name}' as a recipient."
    similar = sorted(
        {
            r
            for c in part2
            if consent_is_active(c, on)
            for r in c.recipients
            if _normal(r) != wanted and (_normal(r) in wanted or wanted in _normal(r))
        }
    )
    if similar:
        reason += (
            f" The consent on file names {', '.join(repr(r) for r in similar)}, which is not "
            f"'{name}' of the resource directory: record a consent choosing it from the "
            "directory."
        )
    general = [c for c in part2 if c.is_tpo and c.recipient_class and consent_is_active(c, on)]
    if general:
        given = f"'{purpose}'" if purpose else "none"
        reason += (
            " The treatment, payment and health care operations consent on file covers "
            f"other recipients only for treatment, payment or operations (purpose given: "
            f"{given})."
        )
    elif any(
        c.kind == ConsentKind.RELEASE and wanted in {_normal(r) for r in c.recipients}
        for c in consents
    ):
        reason += " A general release names them, but substance use records need a Part 2 consent."
    return DisclosureCheck(False, None, reason)


# ------------------------------------------------------------------- related persons
def _names_person(consent: Consent, person: RelatedPerson, linked: set[int]) -> bool:
    return consent.pk in linked or _normal(person.name) in {_normal(r) for r in consent.recipients}


def related_person_coverage(person: RelatedPerson, on: date) -> RelatedPersonCoverage:
    """The release and the Part 2 consent in effect on ``on`` linked to ``person``, from
    ``person.consents`` (prefetched by ``related_person_list``: no query per person)."""
    release = part2 = None
    for consent in sorted(
        person.consents.all(), key=lambda c: (c.signed_on or date.min, c.pk), reverse=True
    ):
        if not consent_is_active(consent, on):
            continue
        if consent.kind == ConsentKind.RELEASE and release is None:
            release = consent
        elif consent.kind == ConsentKind.PART2 and part2 is None:
            part2 = consent
    return RelatedPersonCoverage(release, part2)


def related_person_disclosure_check(
    *,
    person: RelatedPerson,
    substance_use: bool,
    when: datetime | date | None = None,
) -> DisclosureCheck:
    """May the team share the client's information with ``person`` (a collateral
    contact, a family session)?

    - Substance use information (42 CFR Part 2, 2.31(a)(4): the consent names each
      recipient): only under an active Part 2 consent naming them, through
      ``consent_allows_disclosure`` (a general release never allows it).
    - Other information (HIPAA 45 CFR 164.508, a valid authorisation names the person to
      whom the disclosure may be made): an active release of information, or Part 2
      consent, naming them.

    A consent names them when it is linked to them (chosen, or a recipient typed with
    their name) or one of its recipients is their name (case and spaces aside). A
    person marked inactive is refused: nothing is shared with them any more.
    """
    client = person.client
    name = person.name
    if not person.is_active:
        return DisclosureCheck(
            False,
            None,
            f"{name} was marked inactive on {person.inactive_on:%Y-%m-%d} "
            f"({person.inactive_reason}): nothing is shared with them any more.",
        )
    linked = set(
        Consent.related_persons.through.objects.filter(relatedperson_id=person.pk).values_list(
            "consent_id", flat=True
        )
    )
    on = client.team.local_date(when)
    if substance_use:
        check = consent_allows_disclosure(client=client, recipient=name, when=when)
        if check.allowed:
            return check
        for consent in client.consents.filter(pk__in=linked, kind=ConsentKind.PART2):
            if consent_is_active(consent, on):
                return DisclosureCheck(
                    True,
                    consent,
                    f"Allowed by the 42 CFR Part 2 consent signed on "
                    f"{consent.signed_on:%Y-%m-%d}, which names {name}.",
                )
        return DisclosureCheck(
            False,
            check.consent,
            f"{check.reason} Substance use information may be shared with {name} only "
            "under a 42 CFR Part 2 consent naming them.",
        )
    consents = [
        c
        for c in client.consents.filter(kind__in=[ConsentKind.RELEASE, ConsentKind.PART2]).order_by(
            "-signed_on", "-id"
        )
        if _names_person(c, person, linked)
    ]
    for consent in consents:
        if consent_is_active(consent, on):
            label = (
                "release of information"
                if consent.kind == ConsentKind.RELEASE
                else "42 CFR Part 2 consent"
            )
            return DisclosureCheck(
                True,
                consent,
                f"Allowed by the {label} signed on {consent.signed_on:%Y-%m-%d}, "
                f"which names {name}.",
            )
    if consents:
        consent = consents[0]
        state = consent_state(consent, on)
        if state == REVOKED:
            reason = f"The release for {name} was revoked on {consent.revoked_on:%Y-%m-%d}."
        elif state == EXPIRED:
            reason = f"The release for {name} expired on {consent.expires_on:%Y-%m-%d}."
        else:
            reason = (
                f"The release for {name} was signed on {consent.signed_on:%Y-%m-%d}, "
                f"after {on:%Y-%m-%d}."
            )
        return DisclosureCheck(False, consent, reason + " Record a new release naming them.")
    return DisclosureCheck(
        False,
        None,
        f"No release of information names {name}: record one signed by the client before "
        "sharing anything with them.",
    )
