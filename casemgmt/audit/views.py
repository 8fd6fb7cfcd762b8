"""The auditor's pages: the search (access sessions), a session's raw events, the CSV
export, and per client "who viewed this record" and the accounting of disclosures.

Every page is for admins and auditors (403 for anyone else) and is itself audited."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from casemgmt.lib.exports import csv_stream_response

from . import extensions as registry
from .filters import SEARCH_FIELDS, AuditEventFilter
from .models import AuditAction, AuditEvent
from .selectors import (
    accounting_period,
    audit_client_disclosures,
    audit_client_viewers,
    audit_event_list,
    audit_session_list,
    detail_lines,
    event_label,
    session_gap,
    sessions_resolve,
)
from .services import audit_record

# With no filter at all, the search shows the last 30 days (say so on the page).
DEFAULT_DAYS = 30
SESSIONS_PER_PAGE = 50
EVENTS_PER_PAGE = 100


def _search(request) -> tuple[AuditEventFilter, bool]:
    """The filter set over the trail, and whether the default period applies."""
    base = audit_event_list(user=request.user)
    used = [k for k, v in request.GET.items() if v and k not in ("page", "format", "kind")]
    events = AuditEventFilter(request.GET, queryset=base)
    defaulted = not used
    if defaulted:
        since = timezone.now() - timedelta(days=DEFAULT_DAYS)
        events.queryset = base.filter(occurred_at__gte=since)
    return events, defaulted


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _filters_used(request) -> list[str]:
    return sorted(k for k, v in request.GET.items() if v and k != "page")


def _hidden_fields(events: AuditEventFilter) -> list:
    """The filters that came from a link (a visit's events, a client's page), kept as
    hidden fields so that refining the search keeps them."""
    return [f for f in events.form if f.name not in SEARCH_FIELDS and f.value() not in (None, "")]


def _require_audit_reader(request) -> None:
    if not getattr(request.user, "can_read_audit", False):
        raise PermissionDenied


def _search_client(events: AuditEventFilter) -> registry.ClientRef | None:
    client_id = events.form.cleaned_data.get("client_id") if events.is_valid() else None
    if client_id:
        return registry.client_refs([int(client_id)]).get(int(client_id))
    return None


@login_required
def audit_list(request):
    """The audit search: one line per access session, newest first."""
    _require_audit_reader(request)
    events, defaulted = _search(request)
    sessions = audit_session_list(user=request.user, events=events.qs)
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    sessions_resolve(page.object_list)
    audit_record(
        user=request.user,
        action=AuditAction.VIEW,
        object_type="audit.sessions",
        detail={"filters": _filters_used(request)},
    )
    return render(
        request,
        "audit/audit_list.html",
        {
            "filter": events,
            "search_fields": [events.form[name] for name in SEARCH_FIELDS],
            "hidden_fields": _hidden_fields(events),
            "page": page,
            "query": _query(request),
            "defaulted": defaulted,
            "default_days": DEFAULT_DAYS,
            "search_client": _search_client(events),
            "gap_minutes": int(session_gap().total_seconds() // 60),
        },
    )


@login_required
def audit_events(request):
    """The raw events behind a session (or any search), oldest first, details in words."""
    _require_audit_reader(request)
    events, defaulted = _search(request)
    rows = events.qs.order_by("occurred_at", "id")
    page = Paginator(rows, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    clients = registry.client_refs(e.client_id for e in page.object_list if e.client_id)
    lines = [
        {
            "event": event,
            "seen": event_label(event.object_type, event.detail),
            "client": clients.get(event.client_id or 0),
            "details": detail_lines(event.detail),
            # The object's id says nothing more when the object is the client itself.
            "show_object_id": not (
                event.object_type.endswith(".client") and event.object_id == str(event.client_id)
            ),
        }
        for event in page.object_list
    ]
    audit_record(
        user=request.user,
        action=AuditAction.VIEW,
        object_type="audit.events",
        detail={"filters": _filters_used(request)},
    )
    return render(
        request,
        "audit/audit_events.html",
        {
            "filter": events,
            "search_fields": [events.form[name] for name in SEARCH_FIELDS],
            "hidden_fields": _hidden_fields(events),
            "page": page,
            "lines": lines,
            "query": _query(request),
            "defaulted": defaulted,
            "default_days": DEFAULT_DAYS,
            "search_client": _search_client(events),
        },
    )


@login_required
def audit_export(request) -> StreamingHttpResponse | HttpResponse:
    """The search as CSV (``kind=events``: the raw events; else the sessions), streamed.
    The export is audited before the first line goes out (filters and row count)."""
    _require_audit_reader(request)
    events, _defaulted = _search(request)
    kind = "events" if request.GET.get("kind") == "events" else "sessions"
    if kind == "events":
        rows_qs = events.qs.order_by("occurred_at", "id")
        count = rows_qs.count()
        header = [
            "When (UTC)",
            "Staff member",
            "Username",
            "Action",
            "What",
            "Object id",
            "Client number",
            "Client name",
            "Address",
            "Details",
        ]

        def event_rows():
            for chunk in _chunks(rows_qs.iterator(chunk_size=1000), 1000):
                clients = registry.client_refs(e.client_id for e in chunk if e.client_id)
                for e in chunk:
                    ref = clients.get(e.client_id or 0)
                    yield [
                        e.occurred_at.astimezone(UTC).isoformat(),
                        e.user.display_name if e.user else "System",
                        e.user.username if e.user else "",
                        e.get_action_display(),
                        event_label(e.object_type, e.detail),
                        e.object_id,
                        ref.number if ref else (e.client_id or ""),
                        ref.name if ref else "",
                        e.ip_address or "",
                        "; ".join(f"{k}: {v}" for k, v in detail_lines(e.detail)),
                    ]

        rows = event_rows()
    else:
        sessions = audit_session_list(user=request.user, events=events.qs)
        count = sessions.count()
        header = [
            "First event (UTC)",
            "Last event (UTC)",
            "Staff member",
            "Client number",
            "Client name",
            "Actions",
            "Seen",
            "Events",
        ]

        def session_rows():
            for start in range(0, count, 1000):
                for s in sessions_resolve(sessions[start : start + 1000]):
                    yield [
                        s.started_at.astimezone(UTC).isoformat(),
                        s.ended_at.astimezone(UTC).isoformat(),
                        s.user_name,
                        s.client.number if s.client else (s.client_id or ""),
                        s.client.name if s.client else "",
                        ", ".join(s.action_labels),
                        ", ".join(s.seen),
                        s.events,
                    ]

        rows = session_rows()
    audit_record(
        user=request.user,
        action=AuditAction.EXPORT,
        object_type=f"audit.{kind}",
        detail={"filters": _filters_used(request), "rows": count, "format": "csv"},
    )
    stamp = timezone.localdate().isoformat()
    return csv_stream_response(f"audit-{kind}-{stamp}.csv", header, rows)


def _chunks(iterator, size: int):
    chunk: list[AuditEvent] = []
    for item in iterator:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _client_or_404(client_id: int) -> registry.ClientRef:
    ref = registry.client_refs([client_id]).get(client_id)
    if ref is None:
        raise Http404
    return ref


@login_required
def audit_client(request, client_id: int):
    """Who viewed this record: every staff member who read or changed it."""
    _require_audit_reader(request)
    ref = _client_or_404(client_id)
    viewers = audit_client_viewers(user=request.user, client_id=client_id)
    # A merge moves records, never audit events: link the other records' trails.
    merged_from = registry.client_refs(registry.client_merged_from(client_id))
    merged_into = registry.client_refs([ref.merged_into]) if ref.merged_into else {}
    audit_record(
        user=request.user,
        action=AuditAction.VIEW,
        object_type="audit.client_viewers",
        client_id=client_id,
    )
    return render(
        request,
        "audit/audit_client.html",
        {
            "ref": ref,
            "client_id": client_id,
            "viewers": viewers,
            "merged_from": sorted(merged_from.items()),
            "merged_into": next(iter(merged_into.items()), None),
        },
    )


@login_required
def audit_disclosures(request, client_id: int):
    """The client's accounting of disclosures (45 CFR 164.528; 42 CFR 2.24, 2.25):
    date, recipient, what, why, under which consent. ``?print=1``: the copy for the client."""
    _require_audit_reader(request)
    ref = _client_or_404(client_id)
    since, until = accounting_period(
        since=_date(request.GET.get("since")), until=_date(request.GET.get("until"))
    )
    if since > until:
        since, until = until, since
    rows = audit_client_disclosures(
        user=request.user, client_id=client_id, since=since, until=until
    )
    printing = bool(request.GET.get("print"))
    audit_record(
        user=request.user,
        action=AuditAction.PRINT if printing else AuditAction.VIEW,
        object_type="audit.disclosure_accounting",
        client_id=client_id,
        detail={"since": since.isoformat(), "until": until.isoformat(), "rows": len(rows)},
    )
    return render(
        request,
        "audit/audit_disclosures.html",
        {
            "ref": ref,
            "client_id": client_id,
            "rows": rows,
            "since": since,
            "until": until,
            "printing": printing,
        },
    )


def _date(value: str | None) -> date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None
