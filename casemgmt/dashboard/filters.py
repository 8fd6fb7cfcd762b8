"""The dashboard's filters (team, case manager, period), shared by the pages, the API
and the CSV export."""

from datetime import date, timedelta

import django_filters
from django import forms

from casemgmt.accounts.selectors import staff_list, team_list
from casemgmt.lib.forms import StyledForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DashboardFilter(django_filters.FilterSet):
    """Not bound to a model: the views read ``form.cleaned_data``."""

    team = django_filters.ModelChoiceFilter(
        queryset=lambda r: team_list(user=r.user), empty_label="All my teams", method="noop"
    )
    case_manager = django_filters.ModelChoiceFilter(
        queryset=lambda r: staff_list(user=r.user), empty_label="All case managers", method="noop"
    )
    start = django_filters.DateFilter(widget=DATE, label="From", method="noop")
    end = django_filters.DateFilter(widget=DATE, label="Until", method="noop")

    class Meta:
        form = StyledForm
        fields = ["team", "case_manager", "start", "end"]

    def noop(self, queryset, name, value):
        return queryset

    def values(self) -> dict:
        """Cleaned filters with the default period: the last 90 days up to today."""
        self.form.is_valid()
        data = dict(getattr(self.form, "cleaned_data", {}) or {})
        end = data.get("end") or date.today()
        start = data.get("start") or end - timedelta(days=90)
        return {
            "team": data.get("team"),
            "case_manager": data.get("case_manager"),
            "start": start,
            "end": end,
        }
