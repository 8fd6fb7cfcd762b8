"""API: happy paths, bad input naming the field, 409 for moves not allowed, outsider 404,
query counts at one row and at many."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import FollowUp, Referral
from referrals.services import followup_create, referral_create, transition_record
from tests.factories import ClientFactory
from tests.referrals.conftest import part2_consent

pytestmark = pytest.mark.django_db


def _referral(client, actor, service):
    return referral_create(actor=actor, client=client, service=service, reason="Detox")


def test_create_send_and_complete_a_referral(api_as, case_manager, client_record, service):
    api = api_as(case_manager)
    response = api.post(
        "/api/v1/referrals/",
        {"client": client_record.pk, "service": service.pk, "reason": "Detox", "urgency": "urgent"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    rid = response.json()["id"]
    # Without consent: 409 naming consent.
    response = api.post(f"/api/v1/referrals/{rid}/send/", {}, format="json")
    assert response.status_code == 409
    assert "No active 42 CFR Part 2 consent" in response.json()["consent"][0]
    part2_consent(client_record, case_manager)
    assert api.post(f"/api/v1/referrals/{rid}/send/", {}, format="json").status_code == 200
    assert api.post(f"/api/v1/referrals/{rid}/accept/", {}).status_code == 200
    response = api.post(
        f"/api/v1/referrals/{rid}/schedule/",
        {"appointment_at": timezone.now().isoformat()},
        format="json",
    )
    assert response.status_code == 200
    response = api.post(f"/api/v1/referrals/{rid}/complete/", {}, format="json")
    assert response.status_code == 400 and "completion_confirmation" in response.json()
    response = api.post(
        f"/api/v1/referrals/{rid}/complete/", {"completion_confirmation": "provider"}
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["is_closed_loop"]) == ("completed", True)
    assert [e["to_status"] for e in body["events"]] == [
        "draft",
        "sent",
        "accepted",
        "scheduled",
        "completed",
    ]


def test_a_move_not_allowed_is_409(api_as, case_manager, client_record, service):
    referral = _referral(client_record, case_manager, service)
    response = api_as(case_manager).post(f"/api/v1/referrals/{referral.pk}/complete/", {})
    assert response.status_code == 409
    assert "cannot become completed" in response.json()["status"][0]


def test_bad_input_names_the_field(api_as, case_manager, client_record):
    response = api_as(case_manager).post(
        "/api/v1/referrals/", {"client": client_record.pk, "reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"service", "reason"}
    assert not Referral.objects.exists()


def test_outsider_gets_404_and_cannot_create_for_a_client_out_of_reach(
    api_as, outsider, case_manager, client_record, service
):
    referral = _referral(client_record, case_manager, service)
    api = api_as(outsider)
    assert api.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert api.post(f"/api/v1/referrals/{referral.pk}/cancel/", {}).status_code == 404
    assert api.get("/api/v1/referrals/").json()["count"] == 0
    response = api.post(
        "/api/v1/referrals/", {"client": client_record.pk, "reason": "x"}, format="json"
    )
    assert response.status_code == 400 and "client" in response.json()
    assert api.get("/api/v1/follow-ups/").json()["count"] == 0


def test_transition_api_creates_followups_and_refuses_discharge_before_admission(
    api_as, case_manager, client_record
):
    api = api_as(case_manager)
    today = timezone.localdate()
    response = api.post(
        "/api/v1/care-transitions/",
        {
            "client": client_record.pk,
            "from_level": "inpatient_psych",
            "to_level": "outpatient",
            "facility": "St. Jude",
            "admitted_on": str(today),
            "discharged_on": str(today - timedelta(days=1)),
        },
        format="json",
    )
    assert response.status_code == 400 and "discharged_on" in response.json()
    response = api.post(
        "/api/v1/care-transitions/",
        {
            "client": client_record.pk,
            "from_level": "inpatient_psych",
            "to_level": "outpatient",
            "facility": "St. Jude",
            "discharged_on": str(today),
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["measure"] == "FUH"
    assert [(w["days"], w["state"]) for w in body["windows"]] == [(7, "open"), (30, "open")]
    followups = api.get(f"/api/v1/follow-ups/?client={client_record.pk}&reason=transition")
    assert followups.json()["count"] == 2


def test_followup_verbs(api_as, case_manager, client_record):
    api = api_as(case_manager)
    response = api.post(
        "/api/v1/follow-ups/",
        {"client": client_record.pk, "title": "Call", "due_on": str(timezone.localdate())},
        format="json",
    )
    assert response.status_code == 201
    fid = response.json()["id"]
    response = api.post(f"/api/v1/follow-ups/{fid}/missed/", {})
    assert response.status_code == 400 and "outcome_note" in response.json()
    response = api.post(f"/api/v1/follow-ups/{fid}/done/", {"outcome_note": "Reached"})
    assert response.json()["status"] == "done"
    assert api.post(f"/api/v1/follow-ups/{fid}/done/", {}).status_code == 409


def test_directory_filters(api_as, case_manager, service):
    api = api_as(case_manager)
    assert api.get("/api/v1/services/?language=spanish").json()["count"] == 1
    assert api.get("/api/v1/services/?language=french").json()["count"] == 0
    assert api.get("/api/v1/services/?category=housing").json()["count"] == 0
    assert api.get("/api/v1/services/?q=harbor").json()["count"] == 1


def test_notifications_api_marks_read(api_as, case_manager):
    from casemgmt.notifications.services import notification_create

    n = notification_create(recipient=case_manager, kind="reminder", title="x")
    api = api_as(case_manager)
    assert api.get("/api/v1/notifications/?unread=true").json()["count"] == 1
    assert api.post(f"/api/v1/notifications/{n.pk}/read/").status_code == 200
    assert api.get("/api/v1/notifications/?unread=true").json()["count"] == 0


def test_schema_documents_the_verbs(api_as, admin_user):
    schema = api_as(admin_user).get("/api/schema/").content.decode()
    for path in (
        "/api/v1/referrals/{id}/send/",
        "/api/v1/referrals/{id}/no-show/",
        "/api/v1/care-transitions/{id}/discharge/",
        "/api/v1/follow-ups/{id}/done/",
        "/api/v1/follow-ups/{id}/reschedule/",
        "/api/v1/services/",
    ):
        assert path in schema


@pytest.mark.parametrize("rows", [1, 12])
def test_list_query_counts_do_not_grow(
    api_as, case_manager, team, service, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        client = ClientFactory(team=team, primary_case_manager=case_manager)
        _referral(client, case_manager, service)
        transition_record(
            actor=case_manager,
            client=client,
            from_level="emergency",
            to_level="community",
            facility="General ED",
            discharged_on=timezone.localdate(),
        )
        followup_create(
            actor=case_manager,
            client=client,
            assignee=None,
            reason="general",
            title="x",
            due_on=timezone.localdate(),
        )
    api = api_as(case_manager)
    for url in ("/api/v1/referrals/", "/api/v1/care-transitions/", "/api/v1/follow-ups/"):
        with django_assert_max_num_queries(12):
            response = api.get(url)
        assert response.status_code == 200
        assert response.json()["count"] == (rows * 3 if "follow-ups" in url else rows)
    assert FollowUp.objects.count() == rows * 3


def test_another_users_notification_is_404(api_as, case_manager, teammate):
    from casemgmt.notifications.services import notification_create

    n = notification_create(recipient=case_manager, kind="reminder", title="x")
    assert api_as(teammate).post(f"/api/v1/notifications/{n.pk}/read/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


# ------------------------------------------------------------------------ reschedule
def _followup(client, actor, days=1):
    return followup_create(
        actor=actor,
        client=client,
        assignee=None,
        reason="general",
        title="Check-in call",
        due_on=timezone.localdate() + timedelta(days=days),
    )


def test_reschedule_moves_the_followup(api_as, case_manager, client_record):
    f = _followup(client_record, case_manager)
    new_due = timezone.localdate() + timedelta(days=3)
    response = api_as(case_manager).post(
        f"/api/v1/follow-ups/{f.pk}/reschedule/",
        {"due_on": str(new_due), "due_time": "14:30", "reason": "Client asked for Thursday"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["due_on"], body["due_time"], body["status"]) == (
        str(new_due),
        "14:30:00",
        "open",
    )
    assert f.reschedules.get().reason == "Client asked for Thursday"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": "x"}, "due_on"),
        ({"due_on": "not a date", "reason": "x"}, "due_on"),
        ({"due_on": "past", "reason": "x"}, "due_on"),
        ({"due_on": "later", "reason": " "}, "reason"),
        ({"due_on": "later"}, "reason"),
        ({"due_on": "later", "due_time": "25:00", "reason": "x"}, "due_time"),
    ],
)
def test_reschedule_bad_input_is_400_naming_the_field(
    api_as, case_manager, client_record, payload, field
):
    f = _followup(client_record, case_manager)
    days = {"past": -1, "later": 3}
    if payload.get("due_on") in days:
        payload = {
            **payload,
            "due_on": str(timezone.localdate() + timedelta(days=days[payload["due_on"]])),
        }
    response = api_as(case_manager).post(
        f"/api/v1/follow-ups/{f.pk}/reschedule/", payload, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    f.refresh_from_db()
    assert f.schedule_version == 1


def test_reschedule_a_closed_followup_is_409(api_as, case_manager, client_record):
    f = _followup(client_record, case_manager)
    api = api_as(case_manager)
    assert api.post(f"/api/v1/follow-ups/{f.pk}/done/", {}).status_code == 200
    response = api.post(
        f"/api/v1/follow-ups/{f.pk}/reschedule/",
        {"due_on": str(timezone.localdate() + timedelta(days=3)), "reason": "x"},
        format="json",
    )
    assert response.status_code == 409
    assert "only an open follow-up can be rescheduled" in response.json()["detail"]


def test_reschedule_out_of_reach_is_404(api_as, outsider, case_manager, client_record):
    f = _followup(client_record, case_manager)
    response = api_as(outsider).post(
        f"/api/v1/follow-ups/{f.pk}/reschedule/",
        {"due_on": str(timezone.localdate() + timedelta(days=3)), "reason": "x"},
        format="json",
    )
    assert response.status_code == 404
    f.refresh_from_db()
    assert f.schedule_version == 1
