"""The one way to write the audit trail, and the optimistic locking of editable records
(which reads it to say who changed what)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from casemgmt.lib.addresses import client_address
from casemgmt.lib.errors import Conflict

from .models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from casemgmt.accounts.models import User

# The address of the request being served, set by AuditContextMiddleware, so that
# services (which know nothing of requests) can record where a change came from.
_current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_ip.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)


def audit_record(
    *,
    user: User | AnonymousUser | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    client_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``obj`` names the object; ``client_id`` the client it concerns.

    ``detail`` holds field names or filter names, never clinical values.
    """
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        client_id=client_id,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=_current_ip.get(),
        detail=_without_nul(detail or {}),
    )


def _without_nul(value: Any) -> Any:
    """``value`` with every NUL in keys and strings replaced (U+FFFD): PostgreSQL's JSONB
    refuses ``\\u0000``, and a filter name is whatever the caller typed (``?q%00=``)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(str(k)): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(v) for v in value]
    return value


# ------------------------------------------------------------------ optimistic locking
# Every editable record carries a counter (``version`` on clients and notes,
# ``edit_version`` elsewhere, where ``version`` already numbers plan versions). An editor
# sends back the counter it loaded; a save over a newer one is refused with a
# ``Conflict`` that names who changed which fields (read from this trail, where each
# versioned save records ``{"fields": [...], <counter>: <new value>}``), and the write is
# a conditional ``UPDATE ... WHERE <counter> = expected`` so that two saves at the same
# moment cannot both pass.


def changes_since(
    *, obj: models.Model, version: int, key: str = "version", client_id: int | None = None
) -> list[dict[str, Any]]:
    """Who changed which fields of ``obj`` after its counter ``key`` was ``version``."""
    events = AuditEvent.objects.filter(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action=AuditAction.UPDATE,
        **{f"detail__{key}__gt": version},
    )
    if client_id is not None:
        events = events.filter(client_id=client_id)  # indexed: the object's own client
    return [
        {
            "fields": event.detail.get("fields", []),
            "by": event.user.display_name if event.user else "",
            "at": event.occurred_at.isoformat(),
        }
        for event in events.select_related("user").order_by("occurred_at", "id")
    ]


def edit_conflict(
    *,
    obj: models.Model,
    expected: int,
    current: int,
    what: str,
    key: str = "version",
    client_id: int | None = None,
    unnamed: str = "its state",
) -> Conflict:
    """The refusal of a stale save: who changed which fields of ``what`` ("this care
    plan") since ``expected`` (``unnamed``: what to say when the trail names no field,
    e.g. a status change); ``extra`` carries them and the ``current`` counter (the
    API body; the browser keeps what was typed and takes the new counter)."""
    changes = changes_since(obj=obj, version=expected, key=key, client_id=client_id)
    return conflict_from_changes(
        changes=changes, what=what, current=current, key=key, unnamed=unnamed
    )


def conflict_from_changes(
    *, changes: list[dict[str, Any]], what: str, current: int, key: str, unnamed: str = "its state"
) -> Conflict:
    """The ``Conflict`` of a stale save from ``changes`` (``[{"fields", "by", "at"}]``,
    oldest first): one message and API body for every kind of record."""
    fields = sorted({f for change in changes for f in change["fields"]})
    people = ", ".join(sorted({c["by"] for c in changes if c["by"]})) or "Someone"
    return Conflict(
        f"{people} changed {what} while you were editing "
        f"({', '.join(fields) or unnamed}). Your changes were not saved: "
        "review the current values and make your change again.",
        extra={"changed_fields": fields, "changes": changes, key: current},
    )


def versioned_update(
    *,
    actor: User,
    obj: models.Model,
    values: dict[str, Any],
    expected_version: int | None,
    what: str,
    client_id: int | None,
    field: str = "edit_version",
    detail: dict[str, Any] | None = None,
    unnamed: str = "its state",
    merge_other_fields: bool = False,
) -> list[str]:
    """Save the ``values`` that differ from ``obj``'s current ones, if ``obj``'s counter
    ``field`` is still ``expected_version`` (``None``: no check, e.g. an API caller that
    sent none). A stale counter, or a save that slipped in between the check and the
    write, raises ``edit_conflict``. One conditional UPDATE writes the fields, the counter
    + 1 and any ``auto_now`` field; the audit event names the fields and the new counter.
    Returns the names of the fields changed, in the order of ``values`` (none: no write).
    ``merge_other_fields``: a save that is stale only in fields it does not send goes
    through (one record edited in sections, e.g. by two people at once: each section's
    form sends all of its fields, so only a save over the same section is refused).
    """
    model = type(obj)
    rows = model._default_manager.filter(pk=obj.pk)
    current = rows.values_list(field, flat=True).get()
    expected = current if expected_version is None else expected_version
    if current != expected:
        conflict = edit_conflict(
            obj=obj,
            expected=expected,
            current=current,
            what=what,
            key=field,
            client_id=client_id,
            unnamed=unnamed,
        )
        if not merge_other_fields or set(conflict.extra["changed_fields"]) & set(values):
            raise conflict
        expected = current
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return []
    now = timezone.now()
    touched = {
        f.name: now
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) and f.name not in changed
    }
    written = rows.filter(**{field: expected}).update(
        **{name: values[name] for name in changed}, **touched, **{field: F(field) + 1}
    )
    if not written:  # another save committed between the check and this write
        latest = rows.values_list(field, flat=True).get()
        raise edit_conflict(
            obj=obj,
            expected=expected,
            current=latest,
            what=what,
            key=field,
            client_id=client_id,
            unnamed=unnamed,
        )
    for name in changed:
        setattr(obj, name, values[name])
    for name, value in touched.items():
        setattr(obj, name, value)
    setattr(obj, field, expected + 1)
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=obj,
        client_id=client_id,
        detail={**(detail or {}), "fields": changed, field: expected + 1},
    )
    return changed
