from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from rest_framework.exceptions import ValidationError as DRFValidationError

from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.exports import csv_response
from casemgmt.lib.today import today_sections
from clients.chart import client_list_filter, client_list_filter_values, client_list_page
from clients.models import Client, RiskFlagKind
from clients.selectors import HIGH_RISK_DEFINITION, client_list
from referrals.models import FollowUpReason
from referrals.selectors import followup_window_tallies, transitions_set_aside
from scheduling.selectors import my_appointments_today, user_zone

from . import charts, metrics
from .attention import attention_list
from .filters import DashboardFilter
from .measures import (
    cached_figures,
    follow_up_measure_code,
    phq9_band_distribution,
    quality_measures,
)
from .selectors import (
    KIND_ORDER,
    can_see_team_dashboard,
    caseload_rows,
    caseload_sizes,
    clients_behind,
    dashboard_scope,
    dashboard_team_ids,
    today_for,
)
from .selectors import (
    my_followups as my_followups_for,
)
from .urgency import SECTION_LABELS


class FilterInvalid(DRFValidationError):
    """A dashboard filter that does not validate: 400 naming the field (the API's error
    handler answers it; the CSV views through ``_bad_filters``)."""


def _bad_filters(error: FilterInvalid) -> HttpResponse:
    detail = error.detail if isinstance(error.detail, dict) else {"filters": error.detail}
    lines = [f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in detail.items()]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain")


TODAY_LINES = 12  # lines shown per Today section, then "and N more" (a link)
FOLLOWUPS_PER_PAGE = 25


def _today_more_links() -> dict[str, str]:
    """Where each Today section's "and N more" leads: the full list, filtered to it."""
    followups = reverse("my_followups")
    return {
        **{key: f"{followups}?section={key}" for key in SECTION_LABELS},
        "flagged": reverse("clients:list") + "?mine=true&high_risk=true",
        "plans": f"{followups}?kind=plan_review",
        "reassessments": f"{followups}?kind=reassessment",
        "referrals": reverse("referrals:list") + "?status=sent&status=received",
    }


@login_required
def today(request):
    """The home page: what needs me now (UX.md), in the urgency order. An auditor's
    home is the audit search."""
    if request.user.is_audit_only:
        return redirect("audit:list")
    today = today_for(user=request.user, limit=TODAY_LINES)
    extra = today_sections(user=request.user, limit=TODAY_LINES)
    zone = user_zone(user=request.user)
    appointments = my_appointments_today(user=request.user, zone=zone)
    audit_record(user=request.user, action=AuditAction.VIEW, object_type="dashboard.today")
    more = {k: today.totals[k] - len(v) for k, v in today.sections.items()}
    links = _today_more_links()
    followup_sections = [
        {
            "key": key,
            "heading": heading,
            "items": today.sections[key],
            "total": today.totals[key],
            "more": more[key],
            "more_url": links[key],
        }
        for key, heading in today.headings.items()
    ]
    return render(
        request,
        "dashboard/today.html",
        {
            "followup_sections": followup_sections,
            "appointments": appointments,
            "zone": zone,
            "sections": today.sections,
            "totals": today.totals,
            "more": more,
            "more_urls": links,
            "high_risk_definition": HIGH_RISK_DEFINITION,
            "is_supervisor": can_see_team_dashboard(request.user),
            "nothing": not any(today.totals.values()),
            # Sections of the apps beside the dashboard (the portal's check-ins to look at).
            "extra_sections": extra,
        },
    )


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


@login_required
def my_followups(request):
    """ "My follow-ups": the user's follow-ups, plan reviews and re-assessments that need
    attention now, are overdue, due today or due this week, in the urgency order; grouped
    by kind with counts, filtered by section and kind, 25 lines a page. "Mark done" and
    "Reschedule" post to referrals."""
    sections = my_followups_for(user=request.user)
    section = request.GET.get("section", "")
    section = section if section in sections else ""
    kind = request.GET.get("kind", "")
    everything = [item for items in sections.values() for item in items]
    kinds = {i.kind for i in everything}
    kind = kind if kind in kinds or kind in KIND_ORDER else ""
    in_section = [i for i in everything if not section or i.section == section]
    of_kind = [i for i in everything if not kind or i.kind == kind]
    shown = [i for i in in_section if not kind or i.kind == kind]
    page = Paginator(shown, FOLLOWUPS_PER_PAGE).get_page(request.GET.get("page"))
    kind_counts: dict[str, int] = {}
    for item in in_section:
        kind_counts[item.kind] = kind_counts.get(item.kind, 0) + 1
    labels = dict(FollowUpReason.choices)
    query = request.GET.copy()
    query.pop("page", None)
    audit_record(user=request.user, action=AuditAction.VIEW, object_type="dashboard.my_followups")
    return render(
        request,
        "dashboard/my_followups.html",
        {
            "page": page,
            "section": section,
            "kind": kind,
            "query": query.urlencode(),
            "total": len(everything),
            "section_filters": [
                (key, SECTION_LABELS[key], sum(1 for i in of_kind if i.section == key))
                for key in sections
            ],
            "kind_filters": [
                (k, labels.get(k, k), kind_counts[k])
                for k in sorted(
                    kind_counts, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99
                )
            ],
            "section_labels": SECTION_LABELS,
        },
    )


def _filtered(request, *, strict: bool = False):
    """The dashboard filters of the request, their values and the clients in scope.

    ``strict`` (the API and CSV exports): a filter that does not validate is a 400 naming
    it. Pages show the message next to the field and leave the value out."""
    if not can_see_team_dashboard(request.user):
        raise PermissionDenied
    filters = DashboardFilter(request.GET, queryset=Client.objects.none(), request=request)
    if strict and not filters.is_valid():
        raise FilterInvalid({name: list(errors) for name, errors in filters.errors.items()})
    values = filters.values()
    values["team_ids"] = dashboard_team_ids(
        user=request.user, team=values["team"], program=values["program"]
    )
    scope = dashboard_scope(team_ids=values["team_ids"], case_manager=values["case_manager"])
    return filters, values, scope


def _cell_shape(*, filled: bool, emphasis: bool) -> SafeString:
    placeholders = {"href": "{href}", "label": "{label}", "value": "{value}" if filled else 0}
    return mark_safe(_CELL.render({**placeholders, "emphasis": emphasis}).strip())


# A dashboard of all teams has about 200 rows x 7 figures: a render per cell, or a
# template loop over them, costs four to six times as much (tests/perf/bench_rendering.py).
# So the cell fragment is loaded and rendered once, here, in each of its shapes (a 0, a
# figure, an emphasised figure) with {href}, {label} and {value} as placeholders, and
# each cell fills in its shape with format_html (which escapes them).
_CELL = get_template("dashboard/_cell.html")
_CELL_SHAPES = {
    (filled, emphasis): _cell_shape(filled=filled, emphasis=emphasis)
    for filled in (False, True)
    for emphasis in (False, True)
}


@dataclass(frozen=True)
class _Cell:
    key: str
    value: int
    href: str
    label: str
    emphasis: bool

    def html(self) -> str:
        """The table cell (dashboard/_cell.html): a link to the clients behind a figure,
        or a muted 0."""
        shape = _CELL_SHAPES[bool(self.value), self.emphasis]
        if not self.value:
            return shape
        return format_html(shape, href=self.href, label=self.label, value=self.value)


@login_required
def team(request):
    filters, values, scope = _filtered(request)
    sort = request.GET.get("sort", "")
    rows = caseload_rows(scope=scope, sort=sort)
    totals = [(m, sum(r.get(m.key) for r in rows)) for m in metrics.METRICS]
    # Each cell's link built here once (not a {% url %} per cell), its HTML from _CELL.
    base = reverse("dashboard:clients")
    table = [
        (
            r,
            [
                _Cell(
                    m.key,
                    r.get(m.key),
                    f"{base}?metric={m.key}&case_manager={r.case_manager.pk}",
                    f"{r.get(m.key)} {m.label.lower()}, {r.case_manager.display_name}",
                    m.key != "active",
                )
                for m in metrics.METRICS
            ],
        )
        for r in rows
    ]
    table = [(r, cells, mark_safe("".join(c.html() for c in cells))) for r, cells in table]
    audit_record(user=request.user, action=AuditAction.VIEW, object_type="dashboard.team")
    query = request.GET.copy()
    query.pop("sort", None)
    return render(
        request,
        "dashboard/team.html",
        {
            "filter": filters,
            "rows": table,
            "metrics": metrics.METRICS,
            "totals": totals,
            "sort": sort,
            "query": query.urlencode(),
        },
    )


def _behind(request, values, scope):
    return clients_behind(
        values=values,
        scope=scope,
        metric=request.GET.get("metric", ""),
        measure=request.GET.get("measure", ""),
    )


@login_required
def clients(request):
    """The clients behind a dashboard figure or a measure: the same client list page,
    pre-filtered. The filter form's own fields carry team and case manager, so only the
    metric or measure (with its period, and the program) ride along as hidden fields."""
    filters, values, scope = _filtered(request)
    behind = _behind(request, values, scope)
    back = request.GET.copy()
    for name in ("metric", "measure", "page", "case_manager", "q", "status", "show"):
        back.pop(name, None)
    from_measure = "measure" in behind.keep
    code = follow_up_measure_code(behind.keep.get("measure", ""))
    set_aside = (
        transitions_set_aside(
            clients=client_list(user=request.user).filter(pk__in=scope.values("pk")),
            measure=code,
            start=values["start"],
            end=values["end"],
        )
        if code
        else []
    )
    return client_list_page(
        request,
        client_list(user=request.user).filter(pk__in=behind.ids),
        heading=behind.heading,
        definition=behind.definition,
        keep=behind.keep,
        back_url=reverse("dashboard:measures" if from_measure else "dashboard:team"),
        back_label="Back to the quality measures" if from_measure else "Back to the team dashboard",
        back_query=back.urlencode(),
        csv_url=None if _substance_use_list(request) else reverse("dashboard:clients_csv"),
        set_aside=[
            (reverse("referrals:transition_detail", args=[a.client_id, a.transition_id]), a)
            for a in set_aside
        ],
        set_aside_heading=f"Not in the {code} denominator" if code else "",
    )


def measures_data(request, *, strict: bool = False) -> dict:
    filters, values, scope = _filtered(request, strict=strict)
    team_ids = values["team_ids"]
    today = timezone.localdate()
    # The follow-up windows of the period and of the 12-month trend, in one query.
    refreshed: list = []  # when the cached figures were computed (measures.cached_figures)
    first = min(values["start"], charts.trend_start(values["end"]))
    tallies = cached_figures(
        "followup_windows",
        team_ids=team_ids,
        parts=(first, values["end"], today),
        compute=lambda: followup_window_tallies(  # windows close by each team's own date
            team_ids=team_ids, start=first, end=values["end"], as_of=None
        ),
        refreshed=refreshed,
    )
    results = quality_measures(
        tallies=tallies,
        team_ids=team_ids,
        start=values["start"],
        end=values["end"],
        as_of=today,
        refreshed=refreshed,
    )
    caseload = caseload_sizes(scope=scope)
    bands = phq9_band_distribution(team_ids=team_ids)
    trend = charts.follow_up_trend(tallies=tallies, end=values["end"])
    return {
        "filter": filters,
        "values": values,
        "measures": results,
        "caseload_bars": charts.bars(caseload),
        "caseload_height": max(8, 8 * len(caseload)),
        "phq9_bars": charts.bars(bands) if any(n for _, n in bands) else [],
        "trend": trend,
        "trend_line": charts.polyline(trend),
        "figures_as_of": min(refreshed) if refreshed else None,
        "figures_cache_minutes": settings.MEASURES_CACHE_SECONDS // 60,
    }


@login_required
def measures(request):
    context = measures_data(request)
    audit_record(user=request.user, action=AuditAction.VIEW, object_type="dashboard.measures")
    query = request.GET.copy()
    context["query"] = query.urlencode()
    return render(request, "dashboard/measures.html", context)


@login_required
def measures_csv(request):
    try:
        context = measures_data(request, strict=True)
    except FilterInvalid as error:
        return _bad_filters(error)
    audit_record(
        user=request.user,
        action=AuditAction.EXPORT,
        object_type="dashboard.measures",
        detail={"start": str(context["values"]["start"]), "end": str(context["values"]["end"])},
    )
    return csv_response(
        "quality-measures.csv",
        ["Measure", "Numerator", "Denominator", "Rate", "Note", "Definition"],
        (
            [
                m.label,
                m.numerator,
                m.denominator,
                "" if m.rate is None else f"{m.rate:.4f}",
                m.note,
                m.definition,
            ]
            for m in context["measures"]
        ),
    )


# 42 CFR Part 2: a CSV download names no recipient, so no client's consent can cover it.
# What would make an export carry substance use information is kept out of it: a list
# defined by substance use (these measures, the dual-diagnosis or overdose-risk filter)
# is not exported, and the Flags column leaves out the overdose-risk flag.
SUBSTANCE_USE_MEASURES = frozenset({"fua_7", "fua_30", "dual_both_goals"})
SUBSTANCE_USE_FLAGS = frozenset({RiskFlagKind.OVERDOSE.value})
SUBSTANCE_USE_NOT_EXPORTED = (
    "Not exported: this list is defined by substance use information (42 CFR Part 2), "
    "which a download may not carry without each client's consent naming who receives "
    "it. Read the list on screen instead.\n"
)


def _substance_use_list(request) -> bool:
    listed = client_list_filter_values(request)
    return (
        request.GET.get("measure", "") in SUBSTANCE_USE_MEASURES
        or listed.get("dual_diagnosis") is True
        or listed.get("risk_flag") in SUBSTANCE_USE_FLAGS
    )


@login_required
def clients_csv(request):
    """The clients behind a figure (or any client list filter), as CSV. Audited. A list
    defined by substance use information is refused (409), see above."""
    try:
        filters, values, scope = _filtered(request, strict=True)
    except FilterInvalid as error:
        return _bad_filters(error)
    if _substance_use_list(request):
        return HttpResponse(SUBSTANCE_USE_NOT_EXPORTED, status=409, content_type="text/plain")
    behind = _behind(request, values, scope)
    queryset = client_list(user=request.user).filter(pk__in=behind.ids)
    keep = behind.keep
    name = keep.get("metric") or keep.get("measure")
    listed = client_list_filter(request, queryset)
    count = 0

    def lines():
        nonlocal count  # the audit event says how many rows went out
        for client in listed.iterator(chunk_size=500):
            count += 1
            yield [
                client.client_number,
                client.display_name,
                client.get_status_display(),
                client.primary_case_manager.display_name if client.primary_case_manager else "",
                client.team.name,
                " ".join(
                    f.kind
                    for f in getattr(client, "active_flags", [])
                    if f.kind not in SUBSTANCE_USE_FLAGS
                ),
            ]

    response = csv_response(
        f"clients-{name}.csv",
        ["Client number", "Name", "Status", "Case manager", "Team", "Flags"],
        lines(),
    )
    audit_record(
        user=request.user,
        action=AuditAction.EXPORT,
        object_type="clients.client_list",
        detail={
            "list": behind.heading,
            "rows": count,
            **{k: str(keep[k]) for k in ("metric", "measure", "start", "end") if k in keep},
        },
    )
    return response


@login_required
def attention(request):
    """The team's clients ordered by what needs attention first, with the reasons; counts
    per reason (each a filter), 25 a page."""
    filters, values, scope = _filtered(request)
    result = attention_list(
        scope=scope,
        client_list_qs=client_list(user=request.user),
        reason=request.GET.get("reason", ""),
        page=request.GET.get("page"),
    )
    audit_record(user=request.user, action=AuditAction.VIEW, object_type="dashboard.attention")
    query = request.GET.copy()
    for name in ("page", "reason"):
        query.pop(name, None)
    return render(
        request,
        "dashboard/attention.html",
        {
            "filter": filters,
            "rows": result.rows,
            "page": result.page,
            "total": result.total,
            "counts": result.counts,
            "reason": result.reason,
            "query": query.urlencode(),
            "reasons": [r for r, _ in result.counts],
            "high_risk_definition": HIGH_RISK_DEFINITION,
        },
    )


@login_required
def team_csv(request):
    try:
        filters, values, scope = _filtered(request, strict=True)
    except FilterInvalid as error:
        return _bad_filters(error)
    rows = caseload_rows(scope=scope)
    audit_record(
        user=request.user,
        action=AuditAction.EXPORT,
        object_type="dashboard.team",
        detail={"rows": len(rows)},
    )
    return csv_response(
        "team-caseload.csv",
        ["Case manager", *[m.label for m in metrics.METRICS]],
        (
            [row.case_manager.display_name, *[row.get(m.key) for m in metrics.METRICS]]
            for row in rows
        ),
    )
