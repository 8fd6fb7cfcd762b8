from datetime import date

import pytest
from django.urls import reverse

from casemgmt.audit.models import AuditEvent
from clients.models import Client, ClientStatus
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _form(team, **overrides):
    data = {
        "first_name": "Robin",
        "last_name": "Okafor",
        "preferred_name": "",
        "date_of_birth": "1979-09-30",
        "status": ClientStatus.INTAKE,
        "team": team.pk,
        "primary_case_manager": "",
    }
    return data | overrides


# ------------------------------------------------------------------------- caseload list


def test_caseload_lists_team_clients(browser_as, case_manager, client_record, other_team):
    stranger = ClientFactory(team=other_team)
    response = browser_as(case_manager).get(reverse("clients:list"))
    assert response.status_code == 200
    assert client_record.display_name in response.text
    assert stranger.last_name not in response.text


def test_caseload_view_is_audited(browser_as, case_manager, client_record):
    browser_as(case_manager).get(reverse("clients:list"), {"q": "x", "status": "active"})
    event = AuditEvent.objects.get(object_type="clients.client_list")
    assert event.user == case_manager and event.action == "view"
    assert event.detail == {"filters": ["q", "status"]}


@pytest.mark.parametrize("query", ["Zebedee", "zebe", "Zebedee Quinlan", "1961-02-03"])
def test_search_by_name_or_date_of_birth(browser_as, case_manager, team, query):
    ClientFactory(
        team=team, first_name="Zebedee", last_name="Quinlan", date_of_birth=date(1961, 2, 3)
    )
    ClientFactory(team=team, first_name="Anna", last_name="Berg", date_of_birth=date(1990, 1, 1))
    response = browser_as(case_manager).get(reverse("clients:list"), {"q": query})
    assert "Quinlan" in response.text and "Berg" not in response.text


def test_search_by_client_number(browser_as, case_manager, team):
    wanted = ClientFactory(team=team, last_name="Wanted")
    ClientFactory(team=team, last_name="Other")
    number = wanted.client_number
    for query in (number, number.lower(), number[1:].lstrip("0")):
        response = browser_as(case_manager).get(reverse("clients:list"), {"q": query})
        assert "Wanted" in response.text and "Other" not in response.text, query


def test_filter_by_status_and_mine(browser_as, case_manager, teammate, team):
    ClientFactory(team=team, last_name="Mineactive", primary_case_manager=case_manager)
    ClientFactory(team=team, last_name="Theirsactive", primary_case_manager=teammate)
    ClientFactory(
        team=team,
        last_name="Minedone",
        primary_case_manager=case_manager,
        status=ClientStatus.DISCHARGED,
    )
    response = browser_as(case_manager).get(
        reverse("clients:list"), {"mine": "true", "status": "active"}
    )
    assert "Mineactive" in response.text
    assert "Theirsactive" not in response.text and "Minedone" not in response.text


def test_caseload_paginates(browser_as, case_manager, team):
    ClientFactory.create_batch(30, team=team)
    response = browser_as(case_manager).get(reverse("clients:list"))
    assert "Page 1 of 2" in response.text


def test_empty_caseload_says_what_to_do(browser_as, case_manager):
    response = browser_as(case_manager).get(reverse("clients:list"))
    assert "Add the first client" in response.text


def test_caseload_query_count_does_not_grow(
    browser_as, case_manager, team, django_assert_max_num_queries
):
    browser = browser_as(case_manager)
    ClientFactory(team=team, primary_case_manager=case_manager)
    with django_assert_max_num_queries(12) as one:
        browser.get(reverse("clients:list"))
    ClientFactory.create_batch(24, team=team, primary_case_manager=case_manager)
    with django_assert_max_num_queries(12) as many:
        browser.get(reverse("clients:list"))
    assert len(many.captured_queries) == len(one.captured_queries)


# -------------------------------------------------------------------------- client page


def test_client_page_shows_banner_and_is_audited(browser_as, case_manager, client_record):
    response = browser_as(case_manager).get(reverse("clients:detail", args=[client_record.pk]))
    assert response.status_code == 200
    assert client_record.client_number in response.text
    assert AuditEvent.objects.filter(
        action="view", object_type="clients.client", client_id=client_record.pk
    ).exists()


def test_supervisor_sees_client_page(browser_as, supervisor, client_record):
    response = browser_as(supervisor).get(reverse("clients:detail", args=[client_record.pk]))
    assert response.status_code == 200


def test_outsider_gets_404(browser_as, outsider, client_record):
    browser = browser_as(outsider)
    for name in ("clients:detail", "clients:edit"):
        assert browser.get(reverse(name, args=[client_record.pk])).status_code == 404
    response = browser.post(
        reverse("clients:edit", args=[client_record.pk]), _form(client_record.team)
    )
    assert response.status_code == 404


def test_unknown_client_is_404(browser_as, case_manager):
    assert browser_as(case_manager).get(reverse("clients:detail", args=[999999])).status_code == 404


# ------------------------------------------------------------------------ create & edit


def test_create_client(browser_as, case_manager, team):
    response = browser_as(case_manager).post(
        reverse("clients:create"), _form(team, primary_case_manager=case_manager.pk)
    )
    client = Client.objects.get(last_name="Okafor")
    assert response.status_code == 302 and response.url == reverse(
        "clients:detail", args=[client.pk]
    )
    assert client.primary_case_manager == case_manager


def test_create_with_bad_date_shows_message_next_to_field(browser_as, case_manager, team):
    response = browser_as(case_manager).post(
        reverse("clients:create"), _form(team, date_of_birth="2999-01-01", first_name="Kept")
    )
    assert response.status_code == 200
    assert 'id="id_date_of_birth_error"' in response.text
    assert "cannot be in the future" in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="Kept"' in response.text  # what was typed is not lost
    assert not Client.objects.exists()


def test_create_with_missing_name_shows_message(browser_as, case_manager, team):
    response = browser_as(case_manager).post(reverse("clients:create"), _form(team, last_name=""))
    assert 'id="id_last_name_error"' in response.text
    assert not Client.objects.exists()


def test_create_in_other_team_is_refused(browser_as, case_manager, other_team):
    response = browser_as(case_manager).post(reverse("clients:create"), _form(other_team))
    assert response.status_code == 200
    assert 'id="id_team_error"' in response.text
    assert not Client.objects.exists()


def test_create_with_case_manager_from_other_team(
    browser_as, supervisor, team, other_team, outsider
):
    other_team.supervisors.add(supervisor)  # outsider now appears in the pick-list
    response = browser_as(supervisor).post(
        reverse("clients:create"), _form(team, primary_case_manager=outsider.pk)
    )
    assert 'id="id_primary_case_manager_error"' in response.text
    assert "not a member of Riverside" in response.text
    assert not Client.objects.exists()


def test_edit_client(browser_as, case_manager, client_record):
    data = _form(client_record.team, preferred_name="Robbie", primary_case_manager=case_manager.pk)
    response = browser_as(case_manager).post(reverse("clients:edit", args=[client_record.pk]), data)
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.preferred_name == "Robbie" and client_record.last_name == "Okafor"
    event = AuditEvent.objects.get(action="update", client_id=client_record.pk)
    assert "preferred_name" in event.detail["fields"]


def test_edit_with_bad_input_loses_nothing_saved(browser_as, case_manager, client_record):
    before = client_record.last_name
    data = _form(client_record.team, last_name="Changed", date_of_birth="not a date")
    response = browser_as(case_manager).post(reverse("clients:edit", args=[client_record.pk]), data)
    assert response.status_code == 200
    assert 'id="id_date_of_birth_error"' in response.text
    client_record.refresh_from_db()
    assert client_record.last_name == before


def test_edit_form_shows_current_values(browser_as, case_manager, client_record):
    response = browser_as(case_manager).get(reverse("clients:edit", args=[client_record.pk]))
    assert f'value="{client_record.date_of_birth:%Y-%m-%d}"' in response.text
