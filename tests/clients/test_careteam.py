"""The care team: staff or outside contacts, ended (never deleted). Services, pages, API."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict
from clients import services
from clients.models import CareTeamMember, CareTeamRole, TimelineEntry
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

MEMBERS = "/api/v1/care-team-members/"


def _outside(actor, client, **overrides) -> CareTeamMember:
    values = {
        "actor": actor,
        "client": client,
        "role": CareTeamRole.PSYCHIATRIST,
        "name": "Dr Ana Lee",
        "organisation": "Eastside Clinic",
        "phone": "555-0100",
        "email": "alee@example.org",
    }
    return services.care_team_member_add(**(values | overrides))


# ------------------------------------------------------------------------------ services
def test_add_an_outside_contact(case_manager, client_record):
    member = _outside(case_manager, client_record)
    assert member.display_name == "Dr Ana Lee" and member.is_active
    assert member.started_on == timezone.localdate() and member.added_by == case_manager
    assert AuditEvent.objects.filter(
        object_type="clients.careteammember", action="create", client_id=client_record.pk
    ).exists()
    entry = TimelineEntry.objects.get(client=client_record, kind="care_team")
    assert (
        entry.summary == "Care team: Dr Ana Lee (Psychiatrist / prescriber, Eastside Clinic) added"
    )


def test_add_a_staff_member(case_manager, teammate, client_record):
    member = services.care_team_member_add(
        actor=case_manager, client=client_record, role=CareTeamRole.PEER_SPECIALIST, user=teammate
    )
    assert member.user == teammate and member.name == ""
    assert member.display_name == teammate.display_name


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"role": "astrologer"}, "role"),
        ({"name": ""}, "user"),
        ({"name": "   "}, "user"),
        ({"email": "not-an-email"}, "email"),
        ({"started_on": timezone.localdate() + timedelta(days=3)}, "started_on"),
    ],
)
def test_bad_member_is_refused_naming_the_field(case_manager, client_record, overrides, field):
    with pytest.raises(ValidationError) as caught:
        _outside(case_manager, client_record, **overrides)
    assert field in caught.value.message_dict
    assert not CareTeamMember.objects.exists()


def test_staff_member_and_outside_name_together_are_refused(case_manager, teammate, client_record):
    with pytest.raises(ValidationError) as caught:
        _outside(case_manager, client_record, user=teammate, organisation="", phone="", email="")
    assert "not both" in caught.value.message_dict["name"][0]


def test_staff_member_takes_no_outside_details(case_manager, teammate, client_record):
    with pytest.raises(ValidationError) as caught:
        _outside(case_manager, client_record, user=teammate, name="")
    assert {"organisation", "phone", "email"} <= set(caught.value.message_dict)


def test_staff_must_be_active_and_in_reach(case_manager, outsider, team, client_record):
    gone = UserFactory(is_active=False)
    team.members.add(gone)
    for user in (outsider, gone):
        with pytest.raises(ValidationError) as caught:
            services.care_team_member_add(
                actor=case_manager, client=client_record, role=CareTeamRole.THERAPIST, user=user
            )
        assert "user" in caught.value.message_dict


def test_same_staff_member_twice_in_one_role_is_refused(case_manager, teammate, client_record):
    add = {"actor": case_manager, "client": client_record, "role": "therapist", "user": teammate}
    services.care_team_member_add(**add)
    with pytest.raises(ValidationError, match="already on the care team"):
        services.care_team_member_add(**add)


def test_end_a_member_keeps_them_as_past(case_manager, client_record):
    member = _outside(case_manager, client_record)
    ended = services.care_team_member_end(actor=case_manager, member=member)
    assert ended.ended_on == timezone.localdate() and not ended.is_active
    assert CareTeamMember.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="clients.careteammember", action="update", detail={"fields": ["ended_on"]}
    ).exists()
    assert TimelineEntry.objects.filter(
        client=client_record, kind="care_team", summary__endswith="ended"
    ).exists()


def test_end_twice_is_a_conflict_and_dates_are_checked(case_manager, client_record):
    member = _outside(case_manager, client_record, started_on=timezone.localdate())
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.care_team_member_end(actor=case_manager, member=member, ended_on=tomorrow)
    assert "ended_on" in caught.value.message_dict
    with pytest.raises(ValidationError, match="before the start"):
        services.care_team_member_end(
            actor=case_manager, member=member, ended_on=timezone.localdate() - timedelta(days=1)
        )
    services.care_team_member_end(actor=case_manager, member=member)
    with pytest.raises(Conflict, match="already left"):
        services.care_team_member_end(actor=case_manager, member=member)


# ---------------------------------------------------------------------------------- pages
def test_care_team_tab_shows_current_then_past(browser_as, case_manager, teammate, client_record):
    old = _outside(case_manager, client_record, name="Pat Former", role="therapist")
    services.care_team_member_end(actor=case_manager, member=old)
    _outside(case_manager, client_record, name="Dr Ana Lee")
    services.care_team_member_add(
        actor=case_manager, client=client_record, role="nurse", user=teammate
    )
    response = browser_as(case_manager).get(reverse("clients:careteam", args=[client_record.pk]))
    text = response.text
    assert response.status_code == 200
    assert text.index("Dr Ana Lee") < text.index(teammate.display_name) < text.index("Past members")
    assert text.index("Past members") < text.index("Pat Former")
    assert AuditEvent.objects.filter(
        action="view", object_type="clients.client", client_id=client_record.pk
    ).exists()


def test_empty_care_team_says_what_to_do(browser_as, case_manager, client_record):
    response = browser_as(case_manager).get(reverse("clients:careteam", args=[client_record.pk]))
    assert "No one on the care team yet" in response.text


def test_add_a_member_in_the_browser(browser_as, case_manager, teammate, client_record):
    url = reverse("clients:careteam", args=[client_record.pk])
    browser = browser_as(case_manager)
    assert teammate.display_name in browser.get(url).text  # in the staff pick-list
    response = browser.post(url, {"role": "therapist", "user": teammate.pk})
    assert response.status_code == 302
    assert CareTeamMember.objects.get().user == teammate


def test_bad_member_shows_the_error_next_to_the_field_and_keeps_input(
    browser_as, case_manager, client_record
):
    url = reverse("clients:careteam", args=[client_record.pk])
    response = browser_as(case_manager).post(
        url, {"role": "therapist", "organisation": "Harbor House", "phone": "555-0199"}
    )
    assert response.status_code == 200
    assert 'id="id_user_error"' in response.text
    assert 'value="Harbor House"' in response.text and 'value="555-0199"' in response.text
    assert not CareTeamMember.objects.exists()


def test_end_a_member_in_the_browser(browser_as, case_manager, client_record):
    member = _outside(case_manager, client_record)
    url = reverse("clients:careteam_end", args=[client_record.pk, member.pk])
    browser = browser_as(case_manager)
    assert "Dr Ana Lee will move to the past members" in browser.get(url).text
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = browser.post(url, {"ended_on": future})
    assert 'id="id_ended_on_error"' in response.text
    response = browser.post(url, {"ended_on": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ended_on == timezone.localdate()
    again = browser.get(url, follow=True)
    assert "already left" in again.text


def test_outsider_gets_404_on_care_team_pages(browser_as, case_manager, outsider, client_record):
    member = _outside(case_manager, client_record)
    browser = browser_as(outsider)
    assert browser.get(reverse("clients:careteam", args=[client_record.pk])).status_code == 404
    end = reverse("clients:careteam_end", args=[client_record.pk, member.pk])
    assert browser.post(end, {}).status_code == 404
    member.refresh_from_db()
    assert member.is_active


def test_member_of_another_client_is_404(browser_as, case_manager, team, client_record):
    other = ClientFactory(team=team)
    member = _outside(case_manager, other)
    url = reverse("clients:careteam_end", args=[client_record.pk, member.pk])
    assert browser_as(case_manager).get(url).status_code == 404


# ------------------------------------------------------------------------------------ API
def test_api_list_is_scoped_filtered_and_current_first(
    api_as, case_manager, team, other_team, client_record
):
    old = _outside(case_manager, client_record, name="Past Person")
    services.care_team_member_end(actor=case_manager, member=old)
    _outside(case_manager, client_record, name="Current Person", role="nurse")
    _outside(case_manager, ClientFactory(team=team), name="Other Client Person")
    _outside(case_manager, ClientFactory(team=other_team), name="Elsewhere Person")
    api = api_as(case_manager)
    assert api.get(MEMBERS).json()["count"] == 3
    names = [
        m["display_name"] for m in api.get(MEMBERS, {"client": client_record.pk}).json()["results"]
    ]
    assert names == ["Current Person", "Past Person"]
    current = api.get(MEMBERS, {"client": client_record.pk, "active": "true"}).json()
    assert [m["display_name"] for m in current["results"]] == ["Current Person"]


def test_api_retrieve_is_audited(api_as, case_manager, client_record):
    member = _outside(case_manager, client_record)
    body = api_as(case_manager).get(f"{MEMBERS}{member.pk}/").json()
    assert body["display_name"] == "Dr Ana Lee" and body["is_active"] is True
    assert AuditEvent.objects.filter(
        action="view", object_type="clients.careteammember", object_id=str(member.pk)
    ).exists()


def test_api_create_and_end(api_as, case_manager, teammate, client_record):
    api = api_as(case_manager)
    response = api.post(
        MEMBERS,
        {"client": client_record.pk, "role": "sud_counsellor", "user": teammate.pk},
        format="json",
    )
    assert response.status_code == 201 and response.json()["user"] == teammate.pk
    url = f"{MEMBERS}{response.json()['id']}/end/"
    ended = api.post(url, {}, format="json")
    assert ended.status_code == 200 and ended.json()["ended_on"] == str(timezone.localdate())
    again = api.post(url, {}, format="json")
    assert again.status_code == 409 and "already left" in again.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"role": "therapist"}, "user"),
        ({"role": "therapist", "name": "X", "email": "nope"}, "email"),
        ({"role": "wizard", "name": "X"}, "role"),
        ({"role": "therapist", "user": 999999}, "user"),
    ],
)
def test_api_create_bad_input_is_400_naming_the_field(
    api_as, case_manager, client_record, payload, field
):
    response = api_as(case_manager).post(
        MEMBERS, {"client": client_record.pk, **payload}, format="json"
    )
    assert response.status_code == 400 and field in response.json()
    assert not CareTeamMember.objects.exists()


def test_api_create_for_out_of_reach_client_is_400_naming_client(api_as, case_manager, other_team):
    stranger = ClientFactory(team=other_team)
    response = api_as(case_manager).post(
        MEMBERS, {"client": stranger.pk, "role": "therapist", "name": "X"}, format="json"
    )
    assert response.status_code == 400 and "client" in response.json()


def test_api_outsider_gets_404_and_nothing_is_deleted(
    api_as, case_manager, outsider, client_record
):
    member = _outside(case_manager, client_record)
    api = api_as(outsider)
    assert api.get(f"{MEMBERS}{member.pk}/").status_code == 404
    assert api.post(f"{MEMBERS}{member.pk}/end/", {}, format="json").status_code == 404
    assert api_as(case_manager).delete(f"{MEMBERS}{member.pk}/").status_code == 405
    member.refresh_from_db()
    assert member.is_active


def test_api_list_query_count_is_flat(
    api_as, case_manager, teammate, client_record, django_assert_max_num_queries
):
    api = api_as(case_manager)
    services.care_team_member_add(
        actor=case_manager, client=client_record, role="therapist", user=teammate
    )
    with django_assert_max_num_queries(10) as one:
        api.get(MEMBERS, {"client": client_record.pk})
    for i in range(15):
        _outside(case_manager, client_record, name=f"Person {i}")
    with django_assert_max_num_queries(10) as many:
        assert api.get(MEMBERS, {"client": client_record.pk}).json()["count"] == 16
    assert len(many.captured_queries) == len(one.captured_queries)


def test_care_team_tab_query_count_is_flat(
    browser_as, case_manager, teammate, client_record, django_assert_max_num_queries
):
    browser = browser_as(case_manager)
    url = reverse("clients:careteam", args=[client_record.pk])
    services.care_team_member_add(
        actor=case_manager, client=client_record, role="therapist", user=teammate
    )
    with django_assert_max_num_queries(16) as one:
        browser.get(url)
    for i in range(15):
        _outside(case_manager, client_record, name=f"Person {i}")
    with django_assert_max_num_queries(16) as many:
        browser.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)
