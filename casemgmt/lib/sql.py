"""Small helpers for the few hand-written SQL statements."""

from __future__ import annotations

import re

from django.db.models.expressions import RawSQL

_NAMED = re.compile(r"%\((\w+)\)s")


def positional(sql: str, params: dict) -> tuple[str, list]:
    """``sql`` with ``%(name)s`` placeholders turned into ``%s`` and the matching list of
    parameters, in order (a name used twice is passed twice), for ``RawSQL``."""
    values: list = []

    def take(match: re.Match) -> str:
        values.append(params[match.group(1)])
        return "%s"

    return _NAMED.sub(take, sql.replace("%%", "\0")).replace("\0", "%%"), values


def ids_subquery(sql: str, params: dict) -> RawSQL:
    """A statement selecting one column of ids, usable as ``filter(pk__in=...)`` so the
    ids never travel to Python (``sql`` uses ``%(name)s`` placeholders)."""
    return RawSQL(*positional(sql, params))


def in_teams(team_ids, params: dict, *, alias: str = "c") -> str:
    """The SQL condition "the client ``alias`` is in one of ``team_ids``" (``""`` for
    ``None``: all teams), adding the parameter to ``params``. The one spelling of the
    team scope in the hand-written statements."""
    if team_ids is None:
        return ""
    params["team_ids"] = list(team_ids)
    return f"AND {alias}.team_id = ANY(%(team_ids)s)"
