from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from scheduling import services


def local(team, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=team.zone)


@pytest.fixture
def next_monday(team):
    today = team.local_date()
    return today + timedelta(days=7 - today.weekday())


@pytest.fixture
def book(case_manager, client_record):
    """Book an appointment for the client with the case manager (overridable)."""

    def _book(starts_at, minutes=60, **overrides):
        values = {
            "actor": case_manager,
            "client": client_record,
            "staff": [case_manager],
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=minutes),
            "kind": "case_management",
            "location": "office",
        }
        return services.appointment_create(**(values | overrides))

    return _book


@pytest.fixture
def past_slot(team):
    """A slot that started an hour ago (for completing and no-shows)."""
    return timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
