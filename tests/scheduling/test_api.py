from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import FollowUp
from scheduling.models import Appointment, AppointmentStatus, Recurrence
from tests.factories import ClientFactory

from .conftest import local

pytestmark = pytest.mark.django_db
URL = "/api/v1/appointments/"


def _body(client, staff, start, minutes=60, **extra):
    return {
        "client": client.pk,
        "staff": [u.pk for u in staff],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
        "kind": "case_management",
        "location": "office",
        **extra,
    }


def test_book_and_read_back(api_as, case_manager, client_record, team, next_monday):
    api = api_as(case_manager)
    response = api.post(
        URL, _body(client_record, [case_manager], local(team, next_monday, 10)), format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "scheduled"
    assert data["staff"] == [case_manager.pk]
    got = api.get(f"{URL}{data['id']}/")
    assert got.status_code == 200


def test_end_before_start_is_400_naming_the_field(
    api_as, case_manager, client_record, team, next_monday
):
    response = api_as(case_manager).post(
        URL,
        _body(client_record, [case_manager], local(team, next_monday, 10), minutes=-15),
        format="json",
    )
    assert response.status_code == 400
    assert "ends_at" in response.json()
    assert not Appointment.objects.exists()


def test_unbounded_too_frequent_rule_is_400(api_as, case_manager, client_record, team, next_monday):
    response = api_as(case_manager).post(
        URL,
        _body(client_record, [case_manager], local(team, next_monday, 10), rule="FREQ=MINUTELY"),
        format="json",
    )
    assert response.status_code == 400
    assert "rule" in response.json()
    assert not Recurrence.objects.exists()


def test_weekly_series_through_the_api(api_as, case_manager, client_record, team, next_monday):
    api = api_as(case_manager)
    response = api.post(
        URL,
        _body(
            client_record, [case_manager], local(team, next_monday, 10), rule="FREQ=WEEKLY;COUNT=5"
        ),
        format="json",
    )
    assert response.status_code == 201
    series = response.json()["recurrence"]
    listed = api.get(URL, {"recurrence": series}).json()
    assert listed["count"] == 5 if "count" in listed else len(listed) == 5
    assert api.get(f"/api/v1/recurrences/{series}/").status_code == 200


def test_overlap_is_409_then_confirmed(
    api_as, case_manager, teammate, client_record, team, next_monday
):
    api = api_as(case_manager)
    start = local(team, next_monday, 10)
    assert (
        api.post(URL, _body(client_record, [case_manager], start), format="json").status_code == 201
    )
    again = api.post(URL, _body(client_record, [teammate], start), format="json")
    assert again.status_code == 409
    assert "confirm_conflicts" in again.json()
    assert again.json()["conflicts"][0]["who"] == "the client"
    confirmed = api.post(
        URL, _body(client_record, [teammate], start, confirm_conflicts=True), format="json"
    )
    assert confirmed.status_code == 201


def test_client_out_of_reach_is_400_on_create_and_404_on_read(
    api_as, case_manager, outsider, client_record, team, next_monday
):
    other = ClientFactory(team=outsider.teams.first())
    response = api_as(case_manager).post(
        URL, _body(other, [case_manager], local(team, next_monday, 10)), format="json"
    )
    assert response.status_code == 400 and "client" in response.json()
    mine = (
        api_as(case_manager)
        .post(
            URL, _body(client_record, [case_manager], local(team, next_monday, 10)), format="json"
        )
        .json()["id"]
    )
    api = api_as(outsider)
    assert api.get(f"{URL}{mine}/").status_code == 404
    assert api.post(f"{URL}{mine}/check-in/").status_code == 404
    assert (
        api.post(f"{URL}{mine}/cancel/", {"by": "staff", "cancellation_reason": "x"}).status_code
        == 404
    )
    listed = api.get(URL).json()
    assert (listed["results"] if isinstance(listed, dict) else listed) == []


def test_actions(api_as, case_manager, client_record, team, next_monday):
    api = api_as(case_manager)
    past = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    one = api.post(URL, _body(client_record, [case_manager], past), format="json").json()["id"]
    assert api.post(f"{URL}{one}/check-in/").json()["status"] == "checked_in"
    assert api.post(f"{URL}{one}/check-in/").status_code == 409
    assert api.post(f"{URL}{one}/complete/").json()["status"] == "completed"
    two = api.post(
        URL, _body(client_record, [case_manager], past - timedelta(days=1)), format="json"
    ).json()["id"]
    assert api.post(f"{URL}{two}/no-show/").json()["status"] == "no_show"
    assert FollowUp.objects.filter(client=client_record, title__startswith="No-show").count() == 1
    three = api.post(
        URL, _body(client_record, [case_manager], local(team, next_monday, 10)), format="json"
    ).json()["id"]
    bad = api.post(f"{URL}{three}/cancel/", {"by": "client"}, format="json")
    assert bad.status_code == 400 and "cancellation_reason" in bad.json()
    moved = api.post(
        f"{URL}{three}/reschedule/",
        {
            "starts_at": local(team, next_monday, 15).isoformat(),
            "ends_at": local(team, next_monday, 14).isoformat(),
        },
        format="json",
    )
    assert moved.status_code == 400 and "ends_at" in moved.json()
    assert (
        Appointment.objects.get(pk=three).status == AppointmentStatus.SCHEDULED
    )  # nothing half-done
    moved = api.post(
        f"{URL}{three}/reschedule/",
        {
            "starts_at": local(team, next_monday, 15).isoformat(),
            "ends_at": local(team, next_monday, 16).isoformat(),
        },
        format="json",
    )
    assert moved.status_code == 200
    assert moved.json()["id"] != three
    cancelled = api.post(
        f"{URL}{moved.json()['id']}/cancel/",
        {"by": "client", "cancellation_reason": "Has work"},
        format="json",
    )
    assert cancelled.json()["status"] == "cancelled_client"


def test_filters(api_as, case_manager, teammate, client_record, team, next_monday):
    api = api_as(case_manager)
    api.post(URL, _body(client_record, [case_manager], local(team, next_monday, 10)), format="json")
    api.post(
        URL,
        _body(client_record, [teammate], local(team, next_monday + timedelta(days=2), 10)),
        format="json",
    )

    def ids(**params):
        data = api.get(URL, params).json()
        return len(data["results"] if isinstance(data, dict) else data)

    assert ids() == 2
    assert ids(staff=teammate.pk) == 1
    assert ids(client=client_record.pk) == 2
    assert ids(starts_before=local(team, next_monday, 12).isoformat()) == 1
    assert ids(starts_after=local(team, next_monday + timedelta(days=1), 0).isoformat()) == 1
    assert ids(status="cancelled_client") == 0


def test_list_query_count_is_flat(
    api_as, case_manager, client_record, team, next_monday, django_assert_max_num_queries, book
):
    api = api_as(case_manager)
    book(local(team, next_monday, 8))
    with django_assert_max_num_queries(12) as one:
        assert api.get(URL).status_code == 200
    for i in range(1, 15):
        book(local(team, next_monday + timedelta(days=i), 8))
    with django_assert_max_num_queries(len(one.captured_queries)) as many:
        assert api.get(URL).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize(
    "value", ["9335-10-07T14:08:07+18:25", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"]
)
def test_extreme_instants_in_the_date_filters_are_no_500(api_as, case_manager, value):
    api = api_as(case_manager)
    for name in ("starts_after", "starts_before"):
        assert api.get(URL, {name: value}).status_code == 200
