"""The client chart for the apps above ``clients``: its extension points and its pages.

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

A tab's pages build on the chart the same way the clients app's own do:

    from clients.chart import chart_client, chart_context

    client = chart_client(request, pk)  # in reach or by emergency access, else 404; audited
    return render(request, "...", chart_context(request, client, "careplan", plan=plan))

Consent recipients are chosen from the resource directory that ``referrals`` registers
(``register_recipient_directory``, see ``clients.directory``).

A gatherer (the dashboard) shows a list of clients of its choosing on the client
list page, with its filters, through ``client_list_page`` and ``client_list_filter``.
The chart's views, forms and filters stay private to ``clients``: this module is the
one way in to the chart (``clients.api.public`` is the API's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from casemgmt.accounts.models import AuthenticatedHttpRequest
from casemgmt.accounts.selectors import user_supervises_team
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from .directory import directory_organisations as directory_organisations
from .directory import register_recipient_directory as register_recipient_directory
from .filters import ClientFilter
from .models import Client
from .selectors import client_get
from .services import client_read_audit


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
    ("related", "Family & contacts", "clients:related_persons", 75),
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


def tab_label(key: str) -> str | None:
    """The label of the tab ``key`` (the audit trail names the tabs a visit saw)."""
    tab = _TABS.get(key)
    return tab.label if tab is not None else None


def _tab_of(request: HttpRequest) -> str | None:
    """The key of the chart tab ``request`` shows, if its view is a tab's own page."""
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else None
    return next((tab.key for tab in _TABS.values() if tab.url_name == view_name), None)


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


# ------------------------------------------------------------------- chart pages
def chart_client(request: AuthenticatedHttpRequest, pk: int, *, audit: bool = True) -> Client:
    """The client of a chart page: in the user's reach or opened by emergency access,
    else 404. ``audit`` writes the read (``client_read_audit``); pass ``audit=False`` when
    the page audits the object it shows instead."""
    client = client_get(user=request.user, client_id=pk)
    if audit:
        tab = _tab_of(request)
        client_read_audit(user=request.user, client=client, detail={"tab": tab} if tab else None)
    return client


def chart_context(request: AuthenticatedHttpRequest, client: Client, tab: str, **extra) -> dict:
    """What ``clients/client_base.html`` needs around a tab: the banner, the tabs (with
    ``tab`` current) and whether the access log tab shows; ``extra`` is the page's own."""
    return {
        "client": client,
        "tab": tab,
        "tabs": chart_tabs(client),
        "banner_warnings": banner_warnings(client),
        "can_see_access_log": user_supervises_team(user=request.user, team=client.team),
        **extra,
    }


# -------------------------------------------------------------------- client list
def client_list_filter(request: HttpRequest, queryset: QuerySet[Client]) -> QuerySet[Client]:
    """``queryset`` narrowed by the client list's filters in ``request.GET`` (search,
    status, team, case manager, ...), as the list page and ``/api/v1/clients/`` read them."""
    return ClientFilter(request.GET, queryset=queryset, request=request).qs


def client_list_filter_values(request: HttpRequest) -> dict:
    """The client list's filters in ``request.GET`` as the filter itself reads them
    (``dual_diagnosis`` a bool or None, ``risk_flag`` a kind); one that does not validate
    is left out."""
    filterset = ClientFilter(request.GET, queryset=Client.objects.none(), request=request)
    filterset.is_valid()
    return dict(filterset.form.cleaned_data)


def client_list_page(request: HttpRequest, queryset: QuerySet[Client], **extra) -> HttpResponse:
    """The client list page (filters, pagination, audit) over ``queryset``: the caseload,
    and the dashboard's drill-downs (``extra`` adds a heading, a definition, a way back)."""
    filterset = ClientFilter(request.GET, queryset=queryset, request=request)
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    # The page's rows (and their flags) read here, not lazily inside the template, so the
    # template's time is rendering only (tests/perf/bench_load.py times it apart).
    page.object_list = list(page.object_list)
    audit_record(
        user=request.user,
        action=AuditAction.VIEW,
        object_type="clients.client_list",
        detail={"filters": sorted(k for k, v in request.GET.items() if v and k != "page")},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "clients/client_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), **extra},
    )
