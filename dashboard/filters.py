"""The dashboard's filters (team, program, case manager, period), shared by the pages, the
API and the CSV exports. A value that does not validate is shown next to its field on the
pages (the figures then ignore it) and is a 400 naming the field in the API and the CSV
exports."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone

from casemgmt.accounts.selectors import program_list, staff_list, team_list
from casemgmt.lib.forms import QuickSelect, StyledForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEFAULT_PERIOD_DAYS = 90


class DashboardForm(StyledForm):
    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end of the period is before its start.")
        return data


class DashboardFilter(django_filters.FilterSet):
    """Not bound to a model: the views read ``values()``."""

    team = django_filters.ModelChoiceFilter(
        queryset=lambda r: team_list(user=r.user),
        empty_label="All my teams",
        method="noop",
        widget=QuickSelect,
        label="Team",
    )
    program = django_filters.ChoiceFilter(
        choices=[], empty_label="All programs", method="noop", label="Program", widget=QuickSelect
    )
    case_manager = django_filters.ModelChoiceFilter(
        queryset=lambda r: staff_list(user=r.user),
        empty_label="All case managers",
        method="noop",
        widget=QuickSelect,
        label="Case manager",
    )
    start = django_filters.DateFilter(widget=DATE, label="From", method="noop")
    end = django_filters.DateFilter(widget=DATE, label="Until", method="noop")

    class Meta:
        form = DashboardForm
        fields = ["team", "program", "case_manager", "start", "end"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        programs = program_list(user=request.user) if request is not None else []
        self.filters["program"].extra["choices"] = [(p, p) for p in programs]
        self.has_programs = bool(programs)

    def noop(self, queryset, name, value):
        return queryset

    def values(self) -> dict:
        """Cleaned filters (a value that did not validate is left out) with the default
        period: the last 90 days up to today."""
        self.form.is_valid()
        data = dict(getattr(self.form, "cleaned_data", {}) or {})
        team = data.get("team")
        # The default period ends on the chosen team's today, else the user's team's.
        end = data.get("end") or (team.local_date() if team else timezone.localdate())
        start = data.get("start") or end - timedelta(days=DEFAULT_PERIOD_DAYS)
        if start > end:
            start = end - timedelta(days=DEFAULT_PERIOD_DAYS)
        return {
            "team": data.get("team"),
            "program": data.get("program") or "",
            "case_manager": data.get("case_manager"),
            "start": start,
            "end": end,
        }
