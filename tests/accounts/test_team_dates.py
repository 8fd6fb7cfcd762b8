"""Issue 15, section 2: the team's date. A team's zone is an IANA name (a mistyped one is
refused next to the field; one saved before the check is repaired), and referral
response deadlines skip the team's public holidays, counted from the team's local date.

Holiday expectations come from the published calendars: Thanksgiving Day is the fourth
Thursday of November (5 U.S.C. 6103(a)), 26 Nov 2026; the day after Thanksgiving is a
California state holiday (California Government Code 6700(a)(13)), 27 Nov 2026, and not
a federal one."""

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from casemgmt.accounts.models import Team
from casemgmt.lib.dates import add_business_days
from referrals.services import referral_create, referral_send

pytestmark = pytest.mark.django_db


def test_a_mistyped_zone_is_refused_naming_the_field(team):
    team.time_zone = "America/Chicgo"
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert "Not a time zone name" in error.value.message_dict["time_zone"][0]
    team.time_zone = "America/Chicago"
    team.full_clean()


def test_admin_shows_the_zone_error_next_to_the_field_and_saves_nothing(browser_as, team):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    url = reverse("admin:accounts_team_change", args=[team.pk])
    response = browser_as(root).post(
        url, {"name": team.name, "time_zone": "EST5", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "Not a time zone name" in response.content.decode()
    team.refresh_from_db()
    assert team.time_zone != "EST5"


def test_a_zone_saved_before_the_check_is_repaired(team, settings):
    Team.objects.filter(pk=team.pk).update(time_zone="Mars/Olympus_Mons")
    migration = importlib.import_module("casemgmt.accounts.migrations.0005_team_zone_holidays")
    migration.repair_time_zones(django_apps, None)
    team.refresh_from_db()
    assert team.time_zone == settings.TIME_ZONE


def test_a_holiday_calendar_must_exist(team):
    team.holiday_country, team.holiday_subdivision = "US", "XX"
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert "holiday_subdivision" in error.value.message_dict
    team.holiday_country, team.holiday_subdivision = "ZZ", ""
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert "holiday_country" in error.value.message_dict
    team.holiday_country, team.holiday_subdivision = "us", "ca"
    team.full_clean()
    assert (team.holiday_country, team.holiday_subdivision) == ("US", "CA")


def test_response_deadline_skips_the_teams_public_holidays(team):
    wednesday = date(2026, 11, 25)  # the day before Thanksgiving 2026
    assert team.public_holidays([2026]) == {}
    assert add_business_days(wednesday, 3) == date(2026, 11, 30)  # Thu, Fri, Mon
    team.holiday_country = "US"
    us = team.public_holidays([2026])
    assert us[date(2026, 11, 26)] == "Thanksgiving Day" and date(2026, 11, 27) not in us
    assert add_business_days(wednesday, 3, us) == date(2026, 12, 1)  # Fri, Mon, Tue
    team.holiday_subdivision = "CA"
    california = team.public_holidays([2026])
    assert date(2026, 11, 27) in california
    assert add_business_days(wednesday, 3, california) == date(2026, 12, 2)  # Mon-Wed
    assert add_business_days(date(2026, 11, 26), 0, california) == date(2026, 11, 30)
    assert team.holiday_calendar_label == "US-CA public holidays"


def test_send_counts_from_the_teams_local_date(case_manager, client_record, team):
    """A team 14 hours ahead of UTC is on a later day than New York most of the day."""
    team.time_zone = "Pacific/Kiritimati"
    team.save(update_fields=["time_zone"])
    referral = referral_create(
        actor=case_manager,
        client=client_record,
        provider_name="Dr Lee, St Luke's Clinic",
        reason="Primary care",
        discloses_substance_use=False,
    )
    sent = referral_send(actor=case_manager, referral=referral)
    assert sent.response_due_on == add_business_days(team.local_date(sent.sent_at), 3)


def test_referral_page_states_the_rule(browser_as, case_manager, client_record, team):
    team.holiday_country = "US"
    team.save(update_fields=["holiday_country"])
    referral = referral_create(
        actor=case_manager,
        client=client_record,
        provider_name="Dr Lee, St Luke's Clinic",
        reason="Primary care",
        discloses_substance_use=False,
    )
    referral_send(actor=case_manager, referral=referral)
    url = reverse("referrals:referral_detail", args=[client_record.pk, referral.pk])
    page = browser_as(case_manager).get(url).content.decode()
    assert "weekends and US public holidays skipped" in page
