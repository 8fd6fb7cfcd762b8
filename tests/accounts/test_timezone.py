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


def test_a_team_reads_dates_and_times_in_its_own_zone():
    from datetime import date

    from django.utils import timezone

    from casemgmt.accounts.models import Team

    honolulu = Team(name="Island", time_zone="Pacific/Honolulu")  # UTC-10
    late_evening = datetime(2026, 1, 11, 6, 30, tzinfo=UTC)  # Jan 10, 20:30 in Honolulu
    assert honolulu.local_date(late_evening) == date(2026, 1, 10)
    naive = datetime(2026, 1, 11, 6, 30)  # noqa: DTZ001 - what a naive value means
    assert honolulu.local_date(naive) == date(2026, 1, 11)  # naive: taken as local
    assert honolulu.local_date(date(2026, 1, 11)) == date(2026, 1, 11)
    assert honolulu.local_date() == timezone.localdate(timezone=honolulu.zone)
    with honolulu.local_time():
        assert timezone.get_current_timezone_name() == "Pacific/Honolulu"
        assert timezone.localtime(late_evening).hour == 20
