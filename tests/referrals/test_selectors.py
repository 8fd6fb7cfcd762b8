"""Selectors other apps call: followups_overdue, followup_state, disclosure_log."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Disclosure
from referrals.selectors import disclosure_log, followup_state, followups_overdue
from referrals.services import followup_close, followup_create

pytestmark = pytest.mark.django_db


def _followup(client, actor, days, assignee=None):
    return followup_create(
        actor=actor,
        client=client,
        assignee=assignee,
        reason="general",
        title=f"due {days}",
        due_on=timezone.localdate() + timedelta(days=days),
    )


def test_followups_overdue_is_scoped_and_can_be_mine(
    client_record, case_manager, teammate, supervisor, outsider
):
    late = _followup(client_record, case_manager, -1)
    theirs = _followup(client_record, case_manager, -3, assignee=teammate)
    _followup(client_record, case_manager, 0)
    done = _followup(client_record, case_manager, -2)
    followup_close(actor=case_manager, followup=done, status="done")
    assert list(followups_overdue(user=case_manager)) == [theirs, late]
    assert list(followups_overdue(user=case_manager, mine=True)) == [late]
    assert list(followups_overdue(user=supervisor)) == [theirs, late]
    assert not followups_overdue(user=outsider).exists()


def test_followup_states(client_record, case_manager):
    assert followup_state(_followup(client_record, case_manager, -1)) == "overdue"
    assert followup_state(_followup(client_record, case_manager, 0)) == "due"
    assert followup_state(_followup(client_record, case_manager, 2)) == "due_soon"
    assert followup_state(_followup(client_record, case_manager, 5)) == "upcoming"


def test_disclosure_log_covers_three_years(client_record, case_manager):
    now = timezone.now()
    for days in (10, 3 * 365 - 5, 3 * 365 + 30):
        Disclosure.objects.create(
            client=client_record,
            recipient=f"Org {days}",
            purpose="p",
            information="i",
            disclosed_at=now - timedelta(days=days),
            disclosed_by=case_manager,
        )
    assert [d.recipient for d in disclosure_log(client=client_record)] == [
        "Org 10",
        f"Org {3 * 365 - 5}",
    ]
