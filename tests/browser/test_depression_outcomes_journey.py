"""A case manager reads a client's PHQ-9 trend with the published depression outcomes
(CMS159v12, CCBHC DEP-REM-6, NQF 1884) and a supervisor follows a measure's gap to the
client behind it; desktop and phone."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from playwright.sync_api import expect

from assessments.services import instrument_response_record
from clients.models import Diagnosis
from tests.assessments.helpers import phq9
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_trend_shows_each_published_outcome(page, shot, case_manager, team):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    Diagnosis.objects.create(
        client=client,
        category="mental_health",
        icd10_code="F33.1",
        description="Major depressive disorder, recurrent, moderate",
        recorded_by=case_manager,
    )
    today = team.local_date()
    for total, days_ago in ((19, 450), (11, 270), (3, 60)):
        instrument_response_record(
            actor=case_manager,
            client=client,
            instrument="phq9",
            answers=phq9(total),
            administered_at=datetime.combine(today - timedelta(days=days_ago), time(10), team.zone),
        )
    log_in(page, "cm", PASSWORD)
    page.goto(reverse("assessments:trend", args=[client.pk, "phq9"]))
    # Index 19, 450 days ago; 12 months +/- 60 days holds the 3 of 60 days ago: met.
    expect(page.locator("#outcome-dep_rem_12")).to_contain_text("Met: PHQ-9 3")
    # Six months +/- 60 days holds the 11 given 180 days after the index: not below 5.
    expect(page.locator("#outcome-dep_rem_6")).to_contain_text("Not met: PHQ-9 11")
    # ... and 11 is more than half of 19: no response.
    expect(page.locator("#outcome-dep_resp_6")).to_contain_text("Not met: PHQ-9 11")
    shot(page, "depression-01-trend-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#outcome-dep_resp_6")).to_be_visible()
    shot(page, "depression-02-trend-phone")
