from datetime import UTC, datetime

import pytest
from django.urls import reverse

from clients.services import timeline_record

pytestmark = pytest.mark.django_db


def test_times_show_in_the_team_time_zone(browser_as, case_manager, client_record, team):
    team.time_zone = "Pacific/Honolulu"  # UTC-10, no daylight saving
    team.save(update_fields=["time_zone"])
    timeline_record(
        client=client_record,
        kind="record",
        summary="Stored in UTC",
        occurred_at=datetime(2026, 1, 10, 20, 0, tzinfo=UTC),
    )
    page = browser_as(case_manager).get(reverse("clients:timeline", args=[client_record.pk]))
    assert "Jan 10, 2026 10:00" in page.text
    assert page.wsgi_request.session["team_time_zone"] == "Pacific/Honolulu"


def test_staff_without_team_see_the_default_zone(browser_as, admin_user, client_record):
    timeline_record(
        client=client_record,
        kind="record",
        summary="Stored in UTC",
        occurred_at=datetime(2026, 1, 10, 20, 0, tzinfo=UTC),
    )
    page = browser_as(admin_user).get(reverse("clients:timeline", args=[client_record.pk]))
    assert "Jan 10, 2026 15:00" in page.text  # America/New_York, the default TIME_ZONE
