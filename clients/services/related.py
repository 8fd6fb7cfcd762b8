"""Related persons: family, friends and others the team may talk to about the client.

They are added, edited (optimistic locking on ``edit_version``) and marked inactive with
a reason, never deleted: collateral notes and consents point at them. Each change is
audited and on the client timeline (kind ``related_person``).

The consents that cover a person are linked to them (``Consent.related_persons``): a
consent whose recipients include the person's name (case and spaces aside) is linked when
either is recorded, so the link is an index of what the consent says, never a change of it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record, versioned_update
from casemgmt.lib.errors import Conflict

from ..models import Client, Consent, ConsentKind, RelatedPerson, Relationship
from .timeline import timeline_record

RELATED_FIELDS = (
    "name",
    "relationship",
    "relationship_detail",
    "phone",
    "email",
    "address",
    "preferred_language",
    "interpreter_needed",
    "in_support_network",
    "notes",
)
_TEXT = ("name", "relationship_detail", "phone", "email", "address", "preferred_language", "notes")
_LIMITS = {
    "name": 150,
    "relationship_detail": 100,
    "phone": 40,
    "email": 254,
    "address": 255,
    "preferred_language": 60,
}


def _normal(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    clean = dict(values)
    for field in _TEXT:
        if field in clean:
            clean[field] = (
                " ".join(str(clean[field] or "").split())
                if field != "notes"
                else (str(clean[field] or "").strip())
            )
    if "preferred_language" in clean and not clean["preferred_language"]:
        clean["preferred_language"] = "English"
    for field in ("interpreter_needed", "in_support_network"):
        if field in clean:
            clean[field] = bool(clean[field])
    return clean


def related_person_validate(values: dict[str, Any]) -> None:
    """The rules for a related person's details (forms call it too): a name, a
    relationship from the list, a valid email, text within its length."""
    errors: dict[str, list[str]] = {}
    if not values.get("name"):
        errors["name"] = ["Enter the person's name."]
    if values.get("relationship") not in Relationship.values:
        errors["relationship"] = ["Choose how they are related to the client."]
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = ["Enter a valid email address."]
    for field, limit in _LIMITS.items():
        if len(values.get(field) or "") > limit and field not in errors:
            errors[field] = [f"At most {limit} characters."]
    if errors:
        raise ValidationError(errors)


def _link_consents(person: RelatedPerson) -> list[int]:
    """Link the client's releases and Part 2 consents that name ``person`` among their
    recipients; returns the ids newly linked."""
    wanted = _normal(person.name)
    linked = set(person.consents.values_list("pk", flat=True))
    new = [
        c.pk
        for c in Consent.objects.filter(
            client_id=person.client_id, kind__in=[ConsentKind.RELEASE, ConsentKind.PART2]
        ).only("pk", "recipients")
        if c.pk not in linked and wanted in {_normal(r) for r in c.recipients}
    ]
    if new:
        person.consents.add(*new)
    return new


def consent_link_related_persons(*, consent: Consent, person_ids: list[int] | None) -> None:
    """Link ``consent`` to the client's related persons it names: those of ``person_ids``
    (checked to be the client's; their names are added to the recipients by the caller)
    and those whose name is among its recipients. For ``clients.services.consents``."""
    if consent.kind not in (ConsentKind.RELEASE, ConsentKind.PART2):
        if person_ids:
            raise ValidationError(
                {"related_person_ids": ["Only a release or a Part 2 consent names people."]}
            )
        return
    names = {_normal(r) for r in consent.recipients}
    people = list(RelatedPerson.objects.filter(client_id=consent.client_id).only("pk", "name"))
    unknown = set(person_ids or []) - {p.pk for p in people}
    if unknown:
        raise ValidationError(
            {"related_person_ids": ["Choose people related to this client only."]}
        )
    chosen = [p.pk for p in people if p.pk in set(person_ids or []) or _normal(p.name) in names]
    if chosen:
        consent.related_persons.add(*chosen)


@transaction.atomic
def related_person_add(
    *,
    actor: User,
    client: Client,
    name: str,
    relationship: str,
    relationship_detail: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    preferred_language: str = "English",
    interpreter_needed: bool = False,
    in_support_network: bool = True,
    notes: str = "",
) -> RelatedPerson:
    """Add someone in the client's life. A release already on file naming them (by the
    same name) is linked to them."""
    values = _clean(
        {
            "name": name,
            "relationship": relationship,
            "relationship_detail": relationship_detail,
            "phone": phone,
            "email": email,
            "address": address,
            "preferred_language": preferred_language,
            "interpreter_needed": interpreter_needed,
            "in_support_network": in_support_network,
            "notes": notes,
        }
    )
    related_person_validate(values)
    person = RelatedPerson.objects.create(client=client, added_by=actor, **values)
    linked = _link_consents(person)
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=person,
        client_id=client.pk,
        detail={"consents_linked": linked},
    )
    timeline_record(
        client=client,
        kind="related_person",
        summary=f"Related person added: {person.name} ({person.relationship_label})",
        actor=actor,
        obj=person,
    )
    return person


@transaction.atomic
def related_person_update(
    *,
    actor: User,
    person: RelatedPerson,
    values: dict[str, Any],
    expected_version: int | None = None,
) -> RelatedPerson:
    """Change a person's details (``values``: any of ``RELATED_FIELDS``). With
    ``expected_version`` (the ``edit_version`` the editor loaded) a save over a newer one
    is a ``Conflict`` naming who changed what. An inactive person is not edited."""
    unknown = set(values) - set(RELATED_FIELDS)
    if unknown:
        raise ValidationError({f: ["This field cannot be changed here."] for f in unknown})
    current = RelatedPerson.objects.select_for_update(of=("self",)).get(pk=person.pk)
    if not current.is_active:
        raise Conflict(
            f"{current.name} was marked inactive on {current.inactive_on:%Y-%m-%d}: "
            "an inactive person is kept as they were.",
            field="name",
        )
    clean = _clean(values)
    merged = {f: getattr(current, f) for f in RELATED_FIELDS} | clean
    related_person_validate(merged)
    changed = versioned_update(
        actor=actor,
        obj=current,
        values=clean,
        expected_version=expected_version,
        what=f"{current.name}'s details",
        client_id=current.client_id,
    )
    current.refresh_from_db()
    if "name" in changed:
        _link_consents(current)
    if changed:
        timeline_record(
            client=current.client_id,
            kind="related_person",
            summary=f"Related person changed: {current.name}",
            actor=actor,
            obj=current,
        )
    return current


@transaction.atomic
def related_person_deactivate(
    *,
    actor: User,
    person: RelatedPerson,
    reason: str,
    inactive_on: date | None = None,
) -> RelatedPerson:
    """Mark a person inactive from ``inactive_on`` (default: today in the team's zone),
    with the reason (moved away, asked not to be contacted, died, ...). Kept on the
    chart as history; nothing is shared with them any more. Already inactive:
    ``Conflict``."""
    current = (
        RelatedPerson.objects.select_for_update(of=("self",))
        .select_related("client__team")
        .get(pk=person.pk)
    )
    if not current.is_active:
        raise Conflict(
            f"{current.name} was already marked inactive on {current.inactive_on:%Y-%m-%d}.",
            field="inactive_on",
        )
    today = current.client.team.local_date()
    inactive_on = inactive_on or today
    reason = " ".join((reason or "").split())
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["Say why (e.g. moved away, asked not to be contacted)."]
    elif len(reason) > 255:
        errors["reason"] = ["At most 255 characters."]
    if inactive_on > today:
        errors["inactive_on"] = ["The date cannot be in the future."]
    if errors:
        raise ValidationError(errors)
    current.inactive_on = inactive_on
    current.inactive_reason = reason
    current.edit_version += 1
    current.save(update_fields=["inactive_on", "inactive_reason", "edit_version", "updated_at"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        client_id=current.client_id,
        detail={"fields": ["inactive_on", "inactive_reason"], "verb": "deactivate"},
    )
    timeline_record(
        client=current.client_id,
        kind="related_person",
        summary=f"Related person marked inactive: {current.name}",
        actor=actor,
        obj=current,
    )
    return current
