from datetime import date

import pytest
from django.urls import reverse

from casemgmt.accounts.models import Role
from casemgmt.audit.models import AuditEvent
from casemgmt.notifications.models import Notification
from clients.models import Client, ClientStatus
from tests.factories import ClientFactory, UserFactory

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
    assert stranger.client_number not in response.text


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
    with django_assert_max_num_queries(14) as one:
        browser.get(reverse("clients:list"))
    for client in ClientFactory.create_batch(24, team=team, primary_case_manager=case_manager):
        client.risk_flags.create(kind="overdose_risk", reason="x")
    with django_assert_max_num_queries(14) as many:
        page = browser.get(reverse("clients:list")).text
    assert page.count("Overdose risk") >= 20
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


def _edit_form(client, **overrides):
    data = {
        "version": client.version,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": f"{client.date_of_birth:%Y-%m-%d}",
        "preferred_language": "English",
    }
    return data | overrides


def test_edit_client(browser_as, case_manager, client_record):
    data = _edit_form(client_record, preferred_name="Robbie", pronouns="he/him")
    response = browser_as(case_manager).post(reverse("clients:edit", args=[client_record.pk]), data)
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.preferred_name == "Robbie" and client_record.version == 2
    event = AuditEvent.objects.get(action="update", client_id=client_record.pk)
    assert "preferred_name" in event.detail["fields"]


def test_edit_with_bad_input_loses_nothing_saved(browser_as, case_manager, client_record):
    before = client_record.last_name
    data = _edit_form(client_record, last_name="Changed", date_of_birth="not a date")
    response = browser_as(case_manager).post(reverse("clients:edit", args=[client_record.pk]), data)
    assert response.status_code == 200
    assert 'id="id_date_of_birth_error"' in response.text
    client_record.refresh_from_db()
    assert client_record.last_name == before


def test_edit_conflict_shows_what_changed_and_keeps_typing(
    browser_as, case_manager, teammate, client_record
):
    from clients.services import client_update

    stale = _edit_form(client_record, phone="555-2222")
    client_update(
        actor=teammate, client=client_record, data={"phone": "555-1111"}, expected_version=1
    )
    browser = browser_as(case_manager)
    response = browser.post(reverse("clients:edit", args=[client_record.pk]), stale)
    assert response.status_code == 200
    assert "while you were editing" in response.text
    assert teammate.display_name in response.text
    assert 'value="555-2222"' in response.text  # what the user typed is kept
    assert "Saved meanwhile by someone else: 555-1111" in response.text
    client_record.refresh_from_db()
    assert client_record.phone == "555-1111"
    # Saving again after review goes through (the form now carries the new version).
    again = _edit_form(client_record, phone="555-2222")
    assert browser.post(reverse("clients:edit", args=[client_record.pk]), again).status_code == 302


def test_edit_form_shows_current_values(browser_as, case_manager, client_record):
    response = browser_as(case_manager).get(reverse("clients:edit", args=[client_record.pk]))
    assert f'value="{client_record.date_of_birth:%Y-%m-%d}"' in response.text
    assert 'name="version"' in response.text


# ---------------------------------------------------------------------------- intake


def test_intake_shows_possible_duplicates_before_saving(browser_as, case_manager, team):
    existing = ClientFactory(
        team=team, first_name="Jon", last_name="Smyth", date_of_birth=date(1970, 5, 6)
    )
    browser = browser_as(case_manager)
    data = _form(team, first_name="John", last_name="Smith", date_of_birth="1970-05-06")
    response = browser.post(reverse("clients:create"), data)
    assert response.status_code == 200
    assert "may be someone already registered" in response.text
    assert reverse("clients:detail", args=[existing.pk]) in response.text
    assert Client.objects.count() == 1
    response = browser.post(reverse("clients:create"), data | {"confirm_new": "on"})
    assert response.status_code == 302 and Client.objects.count() == 2


def test_intake_duplicate_in_other_team_shows_nothing_about_it_and_offers_to_ask(
    browser_as, case_manager, team, other_team
):
    far = ClientFactory(
        team=other_team, first_name="John", last_name="Smith", date_of_birth=date(1970, 5, 6)
    )
    far_supervisor = UserFactory(role=Role.SUPERVISOR)
    other_team.supervisors.add(far_supervisor)
    data = _form(team, first_name="John", last_name="Smith", date_of_birth="1970-05-06")
    browser = browser_as(case_manager)
    response = browser.post(reverse("clients:create"), data)
    assert "another team" in response.text and "Ask that team to contact me" in response.text
    assert far.client_number not in response.text and other_team.name not in response.text
    assert reverse("clients:detail", args=[far.pk]) not in response.text
    # Asking notifies the other team's supervisors, registers nobody, keeps the form.
    response = browser.post(reverse("clients:create"), data | {"ask_other_team": "1"})
    assert response.status_code == 200 and Client.objects.count() == 1
    assert "supervisors have been asked to contact you" in response.text
    assert far.client_number not in response.text and other_team.name not in response.text
    note = Notification.objects.get(recipient=far_supervisor)
    assert far.client_number in note.title and case_manager.display_name in note.body


# ---------------------------------------------------------------------- status, transfer


def test_status_change_from_overview(browser_as, case_manager, client_record):
    response = browser_as(case_manager).post(
        reverse("clients:status", args=[client_record.pk]),
        {"status": "discharged", "discharge_reason": "moved"},
    )
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.status == "discharged"


def test_discharge_without_reason_shows_message(browser_as, case_manager, client_record):
    response = browser_as(case_manager).post(
        reverse("clients:status", args=[client_record.pk]), {"status": "discharged"}
    )
    assert response.status_code == 200 and 'id="id_discharge_reason_error"' in response.text
    client_record.refresh_from_db()
    assert client_record.status == "active"


def test_transfer_page(browser_as, supervisor, teammate, client_record):
    response = browser_as(supervisor).post(
        reverse("clients:transfer", args=[client_record.pk]),
        {"team": client_record.team_id, "primary_case_manager": teammate.pk, "reason": "Leave"},
    )
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.primary_case_manager == teammate


# ------------------------------------------------------------------ diagnoses and flags


def test_add_diagnosis_from_list_and_bad_code(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    url = reverse("clients:diagnoses", args=[client_record.pk])
    response = browser.post(url, {"icd10_code": "F3X", "status": "active"})
    assert 'id="id_icd10_code_error"' in response.text and not client_record.diagnoses.exists()
    browser.post(url, {"icd10_code": "F41.1", "status": "active"})
    browser.post(url, {"icd10_code": "F11.20", "status": "active"})
    client_record.refresh_from_db()
    assert client_record.is_dual_diagnosis
    page = browser.get(reverse("clients:detail", args=[client_record.pk])).text
    assert "Dual diagnosis" in page and "Generalized anxiety disorder" in page


def test_set_and_clear_flag_pages(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    browser.post(
        reverse("clients:flag_set", args=[client_record.pk]),
        {"kind": "overdose_risk", "reason": "Recent non-fatal overdose"},
    )
    page = browser.get(reverse("clients:list")).text
    assert "Overdose risk" in page
    flag = client_record.risk_flags.get()
    browser.post(reverse("clients:flag_clear", args=[client_record.pk, flag.pk]), {"reason": ""})
    flag.refresh_from_db()
    assert flag.cleared_at is None
    browser.post(
        reverse("clients:flag_clear", args=[client_record.pk, flag.pk]),
        {"reason": "Naloxone and plan in place"},
    )
    flag.refresh_from_db()
    assert flag.cleared_at is not None


def test_flag_page_shows_the_history_of_a_client_with_flags(
    browser_as, case_manager, client_record
):
    """Issue 14, finding 8: the page answered 500 for every client with a risk flag."""
    client_record.risk_flags.create(kind="overdose_risk", reason="Recent non-fatal overdose")
    cleared = client_record.risk_flags.create(kind="suicide_risk", reason="Said so in session")
    from django.utils import timezone

    cleared.cleared_at, cleared.clear_reason = timezone.now(), "Safety plan in place"
    cleared.save(update_fields=["cleared_at", "clear_reason"])
    page = browser_as(case_manager).get(reverse("clients:flag_set", args=[client_record.pk]))
    assert page.status_code == 200
    assert "Recent non-fatal overdose" in page.text and "Safety plan in place" in page.text
    assert f"{timezone.localdate():%b} " in page.text


def test_filter_by_dual_diagnosis_and_flag(browser_as, case_manager, team):
    ClientFactory(team=team, last_name="Dualone", is_dual_diagnosis=True)
    flagged = ClientFactory(team=team, last_name="Flagged")
    flagged.risk_flags.create(kind="suicide_risk", reason="x", set_by=case_manager)
    browser = browser_as(case_manager)
    page = browser.get(reverse("clients:list"), {"dual_diagnosis": "true"}).text
    assert "Dualone" in page and "Flagged" not in page
    page = browser.get(reverse("clients:list"), {"risk_flag": "suicide_risk"}).text
    assert "Flagged" in page and "Dualone" not in page


# --------------------------------------------------------- timeline, access, emergency


def test_timeline_lists_what_happened(browser_as, case_manager, team):
    from clients.services import client_change_status, client_create

    client = client_create(
        actor=case_manager,
        first_name="Tia",
        last_name="Moss",
        date_of_birth=date(1990, 1, 1),
        team=team,
        status="intake",
    )
    client_change_status(actor=case_manager, client=client, status="active")
    page = browser_as(case_manager).get(reverse("clients:timeline", args=[client.pk])).text
    assert "Registered (intake)" in page and "Status: Intake → Active" in page


def test_access_log_for_supervisors_only(browser_as, supervisor, case_manager, client_record):
    url = reverse("clients:access_log", args=[client_record.pk])
    assert browser_as(case_manager).get(url).status_code == 403
    page = browser_as(supervisor).get(url)
    assert page.status_code == 200 and case_manager.display_name in page.text


def test_emergency_access_opens_record_for_60_minutes(browser_as, outsider, client_record):
    browser = browser_as(outsider)
    url = reverse("clients:detail", args=[client_record.pk])
    assert browser.get(url).status_code == 404
    response = browser.post(
        reverse("clients:emergency_access"),
        {
            "client_number": client_record.client_number,
            "reason_code": "hospital_request",
            "reason": "Called by ED, client unresponsive",
        },
    )
    assert response.status_code == 302 and response.url == url
    page = browser.get(url)
    assert page.status_code == 200 and "Emergency access" in page.text
    assert AuditEvent.objects.filter(
        action="emergency_access", user=outsider, object_type="clients.client"
    ).exists()
    # Not listed in the caseload: emergency access opens one record, not a team.
    assert client_record.client_number not in browser.get(reverse("clients:list")).text


def test_emergency_access_expires(browser_as, outsider, client_record):
    from datetime import timedelta

    from django.utils import timezone

    from clients.models import EmergencyAccess

    EmergencyAccess.objects.create(
        client=client_record,
        user=outsider,
        reason="old",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    url = reverse("clients:detail", args=[client_record.pk])
    assert browser_as(outsider).get(url).status_code == 404
