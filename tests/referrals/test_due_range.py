"""Due dates the schedule cannot compute (9999-12-31) are a 400 on due_on, not an OverflowError."""

from datetime import timedelta

from django.utils import timezone

from referrals.services import followup_create


def _followup(client, actor):
    return followup_create(
        actor=actor,
        client=client,
        assignee=None,
        reason="general",
        title="Check-in call",
        due_on=timezone.localdate() + timedelta(days=1),
    )


def test_followup_create_due_at_the_end_of_time_is_400_on_due_on(
    api_500, case_manager, client_record
):
    response = api_500(case_manager).post(
        "/api/v1/follow-ups/",
        {"client": client_record.pk, "title": "Call", "due_on": "9999-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert "due_on" in response.json()


def test_followup_create_due_on_the_first_day_is_400_on_due_on(
    api_500, case_manager, client_record
):
    response = api_500(case_manager).post(
        "/api/v1/follow-ups/",
        {"client": client_record.pk, "title": "Call", "due_on": "0001-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "due_on" in response.json()


def test_followup_reschedule_to_the_end_of_time_is_400_on_due_on(
    api_500, case_manager, client_record
):
    f = _followup(client_record, case_manager)
    response = api_500(case_manager).post(
        f"/api/v1/follow-ups/{f.pk}/reschedule/",
        {"due_on": "9999-12-31", "reason": "Far away"},
        format="json",
    )
    assert response.status_code == 400
    assert "due_on" in response.json()
