"""An extension point of the Today page for the apps beside the dashboard.

The dashboard and the portal are both gatherers and never import each other (DESIGN.md:
each uses the apps below). A gatherer with something for the Today page registers a
section here in its ``AppConfig.ready()``; the Today page renders every one registered:

    register_today_section(
        key="checkins", template="portal/_today_checkins.html",
        context=lambda user, limit: {...}, order=10,
    )

``context(user, limit)`` runs once per Today page (keep it to a fixed number of queries)
and returns what ``template`` reads as ``panel``; the template renders its own
``<section>`` with a heading and an empty state. This module knows no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TodaySection:
    key: str
    template: str
    context: Callable[[Any, int | None], dict[str, Any]]
    order: int


_SECTIONS: dict[str, TodaySection] = {}


def register_today_section(
    *, key: str, template: str, context: Callable[[Any, int | None], dict[str, Any]], order: int
) -> None:
    _SECTIONS[key] = TodaySection(key, template, context, order)


def today_sections(*, user: Any, limit: int | None) -> list[dict[str, Any]]:
    """Each registered section, lowest ``order`` first: its key, template and panel."""
    return [
        {"key": s.key, "template": s.template, "panel": s.context(user, limit)}
        for s in sorted(_SECTIONS.values(), key=lambda s: s.order)
    ]
