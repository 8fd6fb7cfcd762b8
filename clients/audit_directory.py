"""What the audit trail (core, which stores clients as ids) asks of the clients app,
registered in ``ClientsConfig.ready()`` through ``casemgmt.audit.extensions``: find clients
by number or name across every team, name them (number and legal name only), and name
the chart's tabs recorded in a read's ``detail["tab"]``."""

from __future__ import annotations

import re
from collections.abc import Iterable

from casemgmt.audit.extensions import ClientRef

from .models import Client
from .search import search_names

_NUMBER = re.compile(r"^[Cc]?(\d{1,9})$")


def client_ids_matching(text: str, limit: int) -> list[int]:
    """Ids of the clients whose number is ``text`` (``C0001301``, any case, or its
    digits alone: ``1301``) or whose names match every word of it (prefix or sound, as
    the client search does), every team and status; at most ``limit``."""
    text = text.strip()
    if match := _NUMBER.match(text):
        number = f"C{int(match.group(1)):07d}"
        found = list(Client.objects.filter(client_number=number).values_list("pk", flat=True))
        if found:
            return found
    names = search_names(Client.objects.all(), text).order_by("pk")
    return list(names.values_list("pk", flat=True)[:limit])


def client_refs(ids: Iterable[int]) -> dict[int, ClientRef]:
    """Number and legal name of each client in ``ids``: one query."""
    rows = Client.objects.filter(pk__in=list(ids)).values_list(
        "pk", "client_number", "first_name", "last_name", "merged_into_id"
    )
    return {
        pk: ClientRef(number=number, name=f"{first} {last}", merged_into=into)
        for pk, number, first, last, into in rows
    }


def client_merged_from(client_id: int) -> list[int]:
    """Ids of the duplicates merged into ``client_id`` (still merged)."""
    return list(
        Client.objects.filter(merged_into_id=client_id).order_by("pk").values_list("pk", flat=True)
    )


def tab_label(key: str) -> str | None:
    from .chart import tab_label as chart_tab_label

    return chart_tab_label(key)
