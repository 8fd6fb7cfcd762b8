"""The quality measures' costliest figures are kept in the cache for a few minutes, equal
to the live computation, and the page says how old they are (issue 20)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from referrals.models import CareTransition
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _transition(client, case_manager, days_ago: int) -> None:
    today = timezone.localdate()
    CareTransition.objects.create(
        client=client,
        from_level="inpatient_psych",
        to_level="community",
        measure="FUH",
        denominator="counted",
        facility="St Mary",
        admitted_on=today - timedelta(days=days_ago + 5),
        discharged_on=today - timedelta(days=days_ago),
        recorded_by=case_manager,
    )


def _figures(response) -> dict:
    return {m.key: (m.numerator, m.denominator) for m in response.context["measures"]}


def test_cached_figures_equal_the_live_ones_and_say_when(
    browser_as, supervisor, case_manager, team
):
    for n in range(3):
        _transition(ClientFactory(team=team), case_manager, days_ago=40 + n)
    ClientFactory(team=team)  # active, never assessed
    browser = browser_as(supervisor)
    live = _figures(browser.get(reverse("dashboard:measures")))  # MEASURES_CACHE_SECONDS 0
    with override_settings(MEASURES_CACHE_SECONDS=300):
        first = browser.get(reverse("dashboard:measures"))
        assert _figures(first) == live
        assert first.context["figures_as_of"] is not None
        assert "are recounted every 5 minutes" in first.content.decode()
        # A second page within the minutes reads them from the cache: nothing recomputed.
        with (
            mock.patch("dashboard.views.followup_window_tallies") as tallies,
            mock.patch("dashboard.measures.reassessments_overdue_counts") as overdue,
            mock.patch("dashboard.measures.depression_outcomes") as depression,
        ):
            second = browser.get(reverse("dashboard:measures"))
        assert not tallies.called and not overdue.called and not depression.called
        assert _figures(second) == live
        assert second.context["figures_as_of"] == first.context["figures_as_of"]


def test_the_drilldown_behind_a_cached_figure_is_live(browser_as, supervisor, case_manager, team):
    missed = ClientFactory(team=team)
    _transition(missed, case_manager, days_ago=40)
    browser = browser_as(supervisor)
    with override_settings(MEASURES_CACHE_SECONDS=300):
        browser.get(reverse("dashboard:measures"))
        later = ClientFactory(team=team)
        _transition(later, case_manager, days_ago=41)
        response = browser.get(reverse("dashboard:clients"), {"measure": "fuh_7"})
    assert {c.pk for c in response.context["page"].object_list} == {missed.pk, later.pk}


def test_without_the_cache_the_page_names_no_time(browser_as, supervisor):
    response = browser_as(supervisor).get(reverse("dashboard:measures"))
    assert response.context["figures_as_of"] is None
    assert "recounted every" not in response.content.decode()


def test_a_cache_that_does_not_answer_costs_the_figures_not_the_page(
    browser_as, supervisor, case_manager, team
):
    _transition(ClientFactory(team=team), case_manager, days_ago=40)
    with (
        override_settings(MEASURES_CACHE_SECONDS=300),
        mock.patch("django.core.cache.cache.get", side_effect=ConnectionError("down")),
    ):
        response = browser_as(supervisor).get(reverse("dashboard:measures"))
    assert response.status_code == 200
    assert _figures(response)["fuh_7"] == (0, 1)
