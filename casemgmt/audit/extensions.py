"""The audit trail's extension points, for the apps above it.

The audit app is core: it knows no client and no referral, and stores clients as ids.
What an auditor needs from those apps comes in through registrations made in their
``AppConfig.ready()``, the way ``clients.chart`` takes tabs:

    from casemgmt.audit.extensions import register_client_directory, register_disclosures

    register_client_directory(search=..., refs=..., tab_label=...)   # clients
    register_disclosures(key="referrals", source=...)                # referrals

- ``search(text) -> list[int]``: the ids of the clients whose number or name matches
  ``text`` (every team: the auditor's search is not a caseload); at most ``limit``.
- ``refs(ids) -> dict[int, ClientRef]``: number and legal name of those ids, one query.
- ``tab_label(key) -> str | None``: the label of a chart tab key (``detail["tab"]``).
- ``source(client_id, since, until) -> list[DisclosureEntry]``: the disclosures of one
  client in ``[since, until]`` (dates), for the accounting of disclosures.

With nothing registered (a test of the audit app alone), searching by text finds no
client, clients show by id, and the accounting is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ClientRef:
    """How the audit pages name a client: number and legal name (no preferred name, no
    clinical data)."""

    number: str
    name: str
    # A duplicate merged into another record: that record's id (its trail is its own).
    merged_into: int | None = None
    merged_from: tuple[int, ...] = ()  # filled by ``client_refs`` for one client only


@dataclass(frozen=True)
class DisclosureEntry:
    """One line of the accounting of disclosures (45 CFR 164.528(b)(2); 42 CFR 2.25):
    when, to whom, what, why, under which consent, by whom."""

    disclosed_at: datetime
    recipient: str
    information: str
    purpose: str
    consent: str
    disclosed_by: str
    source: str  # e.g. "Referral packet", "FHIR API"


@dataclass(frozen=True)
class _Directory:
    search: Callable[[str, int], list[int]]
    refs: Callable[[Iterable[int]], dict[int, ClientRef]]
    tab_label: Callable[[str], str | None]
    merged_from: Callable[[int], list[int]]


_DIRECTORY: list[_Directory] = []
_DISCLOSURES: dict[str, Callable[[int, date, date], list[DisclosureEntry]]] = {}


def register_client_directory(
    *,
    search: Callable[[str, int], list[int]],
    refs: Callable[[Iterable[int]], dict[int, ClientRef]],
    tab_label: Callable[[str], str | None],
    merged_from: Callable[[int], list[int]] = lambda client_id: [],
) -> None:
    """The clients app's lookups (one directory; registering again replaces it).
    ``merged_from(id)``: the ids of the duplicates merged into that client."""
    _DIRECTORY[:] = [_Directory(search, refs, tab_label, merged_from)]


def register_disclosures(
    *, key: str, source: Callable[[int, date, date], list[DisclosureEntry]]
) -> None:
    _DISCLOSURES[key] = source


def client_search(text: str, *, limit: int = 500) -> list[int]:
    """Ids of the clients matching ``text`` (number or name); [] with no directory."""
    if not _DIRECTORY or not text.strip():
        return []
    return _DIRECTORY[0].search(text.strip(), limit)


def client_refs(ids: Iterable[int]) -> dict[int, ClientRef]:
    wanted = {i for i in ids if i is not None}
    if not _DIRECTORY or not wanted:
        return {}
    return _DIRECTORY[0].refs(wanted)


def client_merged_from(client_id: int) -> list[int]:
    return _DIRECTORY[0].merged_from(client_id) if _DIRECTORY else []


def tab_label(key: str) -> str | None:
    return _DIRECTORY[0].tab_label(key) if _DIRECTORY else None


def disclosures(*, client_id: int, since: date, until: date) -> list[DisclosureEntry]:
    """Every registered source's disclosures of ``client_id``, newest first."""
    rows = [row for source in _DISCLOSURES.values() for row in source(client_id, since, until)]
    return sorted(rows, key=lambda row: row.disclosed_at, reverse=True)
