"""Reads of the audit trail, for admins and auditors only.

The raw events stay as they were written (append-only). What an auditor reads first is
derived from them at query time: one **access session** per staff member and client,
a run of events with no gap longer than the idle timeout that ends a sign-in
(``SESSION_IDLE_TIMEOUT_MINUTES``, 30), so a visit to a chart that opened eight tabs is
one line (first and last view, tabs seen, how many events) with a link to its events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from casemgmt.accounts.models import User

from . import extensions as registry
from .models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def audit_event_list(*, user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """The audit trail, for admins and auditors only."""
    if not getattr(user, "can_read_audit", False):
        raise PermissionDenied
    return AuditEvent.objects.select_related("user")


def session_gap() -> timedelta:
    """The longest pause within one access session: the sign-in idle timeout."""
    return timedelta(minutes=getattr(settings, "SESSION_IDLE_TIMEOUT_MINUTES", 30))


# ------------------------------------------------------------------------ labels
def object_label(object_type: str) -> str:
    """``clients.contactnote`` -> "Contact note" (the model's name), a list or page name
    ``clients.client_list`` -> "Client list"; what the auditor reads instead of labels."""
    app_label, _, name = object_type.partition(".")
    if name == "client":
        return "Client record"
    if name:
        try:
            model = apps.get_model(app_label, name)
        except LookupError:
            pass
        else:
            return str(model._meta.verbose_name).capitalize()
    return (name or app_label).replace("_", " ").capitalize()


def event_label(object_type: str, detail: dict[str, Any] | None) -> str:
    """What was seen: the chart tab when the event names one, else the object's kind."""
    tab = (detail or {}).get("tab")
    if isinstance(tab, str) and tab:
        return registry.tab_label(tab) or tab.replace("_", " ").capitalize()
    return object_label(object_type)


def _human_key(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _human_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_human_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{_human_key(str(k))}: {_human_value(v)}" for k, v in value.items())
    return str(value).replace("_", " ") if isinstance(value, str) else str(value)


def detail_lines(detail: dict[str, Any] | Any) -> list[tuple[str, str]]:
    """An event's ``detail`` as (label, text) pairs a person reads: lists joined by
    commas (never letter by letter), nested dicts as "key: value; ...", booleans as
    yes/no. The tab, shown as what was seen, is left out."""
    if not isinstance(detail, dict):
        return [("Detail", _human_value(detail))] if detail not in (None, "") else []
    return [(_human_key(str(k)), _human_value(v)) for k, v in detail.items() if k != "tab"]


# ---------------------------------------------------------------------- sessions
@dataclass
class AuditSession:
    user_id: int | None
    client_id: int | None
    started_at: datetime
    ended_at: datetime
    events: int
    actions: list[str]
    seen: list[str]
    # Filled in by ``sessions_resolve`` (one query each for the page's users and clients).
    user_name: str = ""
    client: registry.ClientRef | None = None
    action_labels: list[str] = field(default_factory=list)

    @property
    def emergency(self) -> bool:
        return AuditAction.EMERGENCY_ACCESS.value in self.actions

    @property
    def drill_down(self) -> dict[str, str]:
        """The raw-event filters that list exactly this session's events."""
        query = {
            "occurred_after": self.started_at.isoformat(),
            "occurred_before": (self.ended_at + timedelta(microseconds=1)).isoformat(),
        }
        query["user"] = str(self.user_id) if self.user_id else ""
        if self.user_id is None:
            query["without_user"] = "true"
        if self.client_id is None:
            query["without_client"] = "true"
        else:
            query["client_id"] = str(self.client_id)
        return query

    @property
    def drill_down_query(self) -> str:
        return urlencode({k: v for k, v in self.drill_down.items() if v})


_SESSIONS_SQL = """
WITH ev AS ({events}),
marked AS (
    SELECT ev.*,
           CASE WHEN occurred_at - lag(occurred_at) OVER w <= %s THEN 0 ELSE 1 END AS starts
    FROM ev
    WINDOW w AS (PARTITION BY user_id, client_id ORDER BY occurred_at, id)
),
numbered AS (
    SELECT marked.*,
           sum(starts) OVER (PARTITION BY user_id, client_id ORDER BY occurred_at, id) AS n
    FROM marked
),
sessions AS (
    SELECT user_id, client_id, min(occurred_at) AS started_at, max(occurred_at) AS ended_at,
           count(*) AS events, array_agg(DISTINCT action) AS actions,
           array_agg(DISTINCT coalesce('tab:' || (detail ->> 'tab'), object_type)) AS seen,
           max(id) AS last_id
    FROM numbered
    GROUP BY user_id, client_id, n
)
"""


class SessionRows:
    """The sessions of the events of a queryset, for ``Paginator``: ``count()`` is one
    query, a slice one more; newest session first."""

    def __init__(self, events: QuerySet[AuditEvent]) -> None:
        plain = events.order_by().values(
            "id", "occurred_at", "user_id", "client_id", "action", "object_type", "detail"
        )
        self._count: int | None = None
        try:
            sql, params = plain.query.sql_with_params()
        except EmptyResultSet:  # e.g. a client search that matched nobody: no query
            sql, params, self._count = "SELECT * FROM audit_auditevent WHERE false", (), 0
        self._with = _SESSIONS_SQL.format(events=sql)
        self._params = [*params, session_gap()]

    def count(self) -> int:
        if self._count is None:
            with connection.cursor() as cursor:
                cursor.execute(self._with + "SELECT count(*) FROM sessions", self._params)
                self._count = int(cursor.fetchone()[0])
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[AuditSession]:
        if not isinstance(index, slice):
            raise TypeError("SessionRows takes slices")
        if self._count == 0:
            return []
        start = index.start or 0
        limit = (index.stop - start) if index.stop is not None else None
        sql = (
            self._with + "SELECT user_id, client_id, started_at, ended_at, events, actions, seen "
            "FROM sessions ORDER BY ended_at DESC, last_id DESC"
        )
        params: list[Any] = list(self._params)
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        sql += " OFFSET %s"
        params.append(start)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [
            AuditSession(
                user_id=row[0],
                client_id=row[1],
                started_at=row[2],
                ended_at=row[3],
                events=row[4],
                actions=sorted(row[5]),
                seen=list(row[6]),
            )
            for row in rows
        ]


def audit_session_list(*, user: User | AnonymousUser, events: QuerySet[AuditEvent]) -> SessionRows:
    """The access sessions of ``events`` (a filtered ``audit_event_list``)."""
    if not getattr(user, "can_read_audit", False):
        raise PermissionDenied
    return SessionRows(events)


def _seen_label(key: str) -> str:
    if key.startswith("tab:"):
        tab = key.removeprefix("tab:")
        return registry.tab_label(tab) or tab.replace("_", " ").capitalize()
    return object_label(key)


def users_by_id(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=wanted)}


def sessions_resolve(sessions: Sequence[AuditSession]) -> Sequence[AuditSession]:
    """Name the users and clients of ``sessions`` (one query each) and label what was
    seen, in place."""
    names = users_by_id(s.user_id for s in sessions)
    clients = registry.client_refs(s.client_id for s in sessions if s.client_id)
    action_names = dict(AuditAction.choices)
    for session in sessions:
        session.user_name = names.get(session.user_id or 0, "System")
        session.client = clients.get(session.client_id or 0)
        session.action_labels = [str(action_names.get(a, a)) for a in session.actions]
        session.seen = sorted({_seen_label(key) for key in session.seen})
    return sessions


# ------------------------------------------------------------------- per client
@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    name: str
    first_at: datetime
    last_at: datetime
    events: int
    emergency: int
    changes: int
    exports: int


def audit_client_viewers(*, user: User | AnonymousUser, client_id: int) -> list[Viewer]:
    """Who read or changed ``client_id``'s record: one line per staff member, most
    recent first (first and last time, how many events, of which emergency access,
    changes, prints and exports). Two queries."""
    grouped = (
        audit_event_list(user=user)
        .filter(client_id=client_id)
        .order_by()
        .values("user_id")
        .annotate(
            first_at=Min("occurred_at"),
            last_at=Max("occurred_at"),
            events=Count("id"),
            emergency=Count("id", filter=Q(action=AuditAction.EMERGENCY_ACCESS)),
            changes=Count(
                "id",
                filter=Q(action__in=[AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]),
            ),
            exports=Count("id", filter=Q(action__in=[AuditAction.PRINT, AuditAction.EXPORT])),
        )
        .order_by("-last_at")
    )
    rows = list(grouped)
    names = users_by_id(r["user_id"] for r in rows)
    return [
        Viewer(
            user_id=r["user_id"],
            name=names.get(r["user_id"] or 0, "System"),
            first_at=r["first_at"],
            last_at=r["last_at"],
            events=r["events"],
            emergency=r["emergency"],
            changes=r["changes"],
            exports=r["exports"],
        )
        for r in rows
    ]


# HIPAA: an accounting covers the six years before the request (45 CFR 164.528(a)(1)).
ACCOUNTING_YEARS = 6


def accounting_period(*, since: date | None, until: date | None) -> tuple[date, date]:
    """The period of an accounting of disclosures: as asked, else the six years before
    today (45 CFR 164.528(a)(1); Part 2's own accounting, 42 CFR 2.25(a), covers three,
    which these six include)."""
    today = timezone.localdate()
    until = until or today
    if since is None:
        try:
            since = until.replace(year=until.year - ACCOUNTING_YEARS)
        except ValueError:  # 29 February
            since = until.replace(year=until.year - ACCOUNTING_YEARS, day=28)
    return since, until


def audit_client_disclosures(
    *, user: User | AnonymousUser, client_id: int, since: date, until: date
) -> list[registry.DisclosureEntry]:
    if not getattr(user, "can_read_audit", False):
        raise PermissionDenied
    return registry.disclosures(client_id=client_id, since=since, until=until)
