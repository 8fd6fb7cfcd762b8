"""Extension points of the client chart for the apps above ``clients``.

``clients`` never imports assessments, care plans or referrals. Those apps register, in
their ``AppConfig.ready()``, the chart tabs they own, the banner warnings they can
raise ("No safety plan", "No naloxone on record") and the sections they add to the
Overview tab ("Latest scores"); the chart renders whatever is registered.

    from clients.chart import register_banner_warning, register_overview_panel, register_tab

    register_tab(key="careplan", label="Care plan", url_name="careplans:client_plan", order=30)
    register_banner_warning(lambda client: "No safety plan" if ... else None)
    register_overview_panel(
        key="scores", template="assessments/_overview_scores.html",
        context=overview_scores_panel, order=10,
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str  # takes the client's pk as its only argument
    order: int


@dataclass(frozen=True)
class OverviewPanel:
    key: str
    template: str  # included in the Overview with the chart context and ``panel``
    context: Callable  # context(client) -> what the template reads as ``panel``
    order: int


_TABS: dict[str, Tab] = {}
_WARNINGS: list[Callable] = []
_PANELS: dict[str, OverviewPanel] = {}

# The clients app's own tabs.
for _key, _label, _url, _order in [
    ("overview", "Overview", "clients:detail", 0),
    ("diagnoses", "Diagnoses", "clients:diagnoses", 10),
    ("notes", "Notes", "clients:notes", 50),
    ("careteam", "Care team", "clients:careteam", 70),
    ("consents", "Consents", "clients:consents", 80),
    ("timeline", "Timeline", "clients:timeline", 90),
]:
    _TABS[_key] = Tab(_key, _label, _url, _order)


def register_tab(*, key: str, label: str, url_name: str, order: int) -> None:
    _TABS[key] = Tab(key, label, url_name, order)


def register_banner_warning(provider: Callable) -> None:
    """``provider(client) -> str | None``: a short warning shown on the banner."""
    if provider not in _WARNINGS:
        _WARNINGS.append(provider)


def chart_tabs(client) -> list[dict]:
    return [
        {"key": tab.key, "label": tab.label, "href": reverse(tab.url_name, args=[client.pk])}
        for tab in sorted(_TABS.values(), key=lambda t: t.order)
    ]


def banner_warnings(client) -> list[str]:
    return [warning for provider in _WARNINGS if (warning := provider(client))]


def register_overview_panel(*, key: str, template: str, context: Callable, order: int) -> None:
    """A section of the Overview tab, above the record's own, lowest ``order`` first.

    ``context(client)`` runs once per Overview view (keep it to a fixed number of
    queries); ``template`` is included with the chart context plus its result as
    ``panel``, and renders its own ``<section>`` with a heading and an empty state."""
    _PANELS[key] = OverviewPanel(key, template, context, order)


def overview_panels(client) -> list[dict]:
    return [
        {"key": panel.key, "template": panel.template, "panel": panel.context(client)}
        for panel in sorted(_PANELS.values(), key=lambda p: p.order)
    ]
