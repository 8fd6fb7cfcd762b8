"""Issue 14, finding 1: break the glass (42 CFR 2.51) only for clinical roles, with a
kind of emergency and a limit per day; the duplicate check and the emergency form leak
nothing that would let a client number be found or enumerated."""

from datetime import date

import pytest

from casemgmt.accounts.models import Role
from casemgmt.audit.models import AuditEvent
from casemgmt.notifications.models import Notification
from clients.models import Diagnosis, EmergencyAccess, EmergencyAccessRequest
from clients.services import emergency_access_grant
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/emergency-access/"


def _ask(api, number, **extra):
    body = {"client_number": number, "reason_code": "overdose", "reason": "Found unresponsive"}
    return api.post(URL, body | extra, format="json")


@pytest.fixture
def sud_client(team, case_manager):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    Diagnosis.objects.create(
        client=client,
        category="substance_use",
        icd10_code="F10.20",
        description="Alcohol use disorder, moderate",
        recorded_by=case_manager,
    )
    return client


@pytest.mark.parametrize("persona", ["auditor", "no_role"])
def test_non_clinical_accounts_cannot_break_the_glass_known_or_unknown_number(
    api_as, auditor, sud_client, persona
):
    user = auditor if persona == "auditor" else UserFactory(username="plain")
    api = api_as(user)
    known = _ask(api, sud_client.client_number)
    unknown = _ask(api, "C9999999")
    assert known.status_code == unknown.status_code == 403
    assert known.json() == unknown.json()
    assert "clinical staff" in known.json()["detail"]
    assert not EmergencyAccess.objects.exists()
    assert api.get("/api/v1/diagnoses/", {"client": sud_client.pk}).json()["count"] == 0
    assert not AuditEvent.objects.filter(action="emergency_access").exists()


def test_the_emergency_page_tells_an_auditor_it_is_not_for_them(browser_as, auditor, sud_client):
    browser = browser_as(auditor)
    page = browser.get("/clients/emergency-access/")
    assert page.status_code == 403 and "emergency-not-allowed" in page.text
    assert 'name="client_number"' not in page.text
    posted = browser.post(
        "/clients/emergency-access/",
        {
            "client_number": sud_client.client_number,
            "reason_code": "overdose",
            "reason": "Found unresponsive",
        },
    )
    assert posted.status_code == 403 and not EmergencyAccess.objects.exists()


def test_a_case_manager_of_another_team_may_in_an_emergency_with_its_kind(
    api_as, outsider, supervisor, sud_client
):
    api = api_as(outsider)
    assert _ask(api, sud_client.client_number, reason_code="").status_code == 400
    response = _ask(api, sud_client.client_number)
    assert response.status_code == 201
    access = EmergencyAccess.objects.get()
    assert access.reason_code == "overdose"
    note = Notification.objects.get(recipient=supervisor)
    assert "Overdose" in note.body and "Found unresponsive" in note.body
    # Every read during the grant is audited as emergency access (as before).
    api.get("/api/v1/diagnoses/", {"client": sud_client.pk})
    assert (
        AuditEvent.objects.filter(
            action="emergency_access", user=outsider, client_id=sud_client.pk
        ).count()
        >= 2
    )


def test_an_unknown_number_is_not_told_as_unknown(api_as, outsider):
    response = _ask(api_as(outsider), "C9999999")
    assert response.status_code == 400
    assert "No client has this number" not in response.text
    assert "No record can be opened with this number" in response.text


def test_more_than_the_daily_limit_is_refused_and_a_supervisor_is_told(
    api_as, settings, outsider, other_team, team
):
    settings.EMERGENCY_ACCESS_DAILY_LIMIT = 2
    own_supervisor = UserFactory(username="northsup", role=Role.SUPERVISOR)
    other_team.supervisors.add(own_supervisor)
    clients = [ClientFactory(team=team) for _ in range(3)]
    api = api_as(outsider)
    assert [_ask(api, c.client_number).status_code for c in clients[:2]] == [201, 201]
    # Over the limit, known and unknown numbers answer the same: nothing to enumerate.
    known = _ask(api, clients[2].client_number)
    unknown = _ask(api, "C9999999")
    assert known.status_code == unknown.status_code == 409
    assert known.json() == unknown.json()
    assert "supervisor" in known.json()["detail"]
    assert EmergencyAccess.objects.count() == 2
    asks = Notification.objects.filter(recipient=own_supervisor, title__contains="approve")
    assert asks.count() == 2


def test_a_supervisor_of_the_requesters_team_approves_one_more(
    api_as, browser_as, settings, outsider, other_team, team, supervisor
):
    settings.EMERGENCY_ACCESS_DAILY_LIMIT = 1
    own_supervisor = UserFactory(username="northsup", role=Role.SUPERVISOR)
    other_team.supervisors.add(own_supervisor)
    first, second = ClientFactory(team=team), ClientFactory(team=team)
    api = api_as(outsider)
    assert _ask(api, first.client_number).status_code == 201
    assert _ask(api, second.client_number).status_code == 409
    pending = EmergencyAccessRequest.objects.get()
    link = Notification.objects.get(recipient=own_supervisor).link
    assert link == f"/clients/emergency-access/requests/{pending.pk}/"
    # The requester, the client's own supervisor and anyone else cannot approve it.
    for stranger in (outsider, supervisor):
        assert browser_as(stranger).get(link).status_code == 404
    browser = browser_as(own_supervisor)
    page = browser.get(link)
    assert page.status_code == 200 and second.client_number in page.text
    response = browser.post(link)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.approved_by == own_supervisor and pending.access.client == second
    assert Notification.objects.filter(recipient=outsider, title__contains="approved").exists()
    assert Notification.objects.filter(
        recipient=supervisor, title__startswith=f"Emergency access to {second.client_number}"
    ).exists()
    assert api_as(outsider).get(f"/api/v1/clients/{second.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="emergency_access", detail__approved_by=own_supervisor.pk
    ).exists()
    # Once only.
    again = api_as(own_supervisor).post(f"/api/v1/emergency-access/requests/{pending.pk}/approve/")
    assert again.status_code == 409


def test_the_roles_that_may_break_the_glass_are_a_setting(settings, outsider, team):
    settings.EMERGENCY_ACCESS_ROLES = ["supervisor"]
    client = ClientFactory(team=team)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        emergency_access_grant(
            user=outsider,
            client_number=client.client_number,
            reason_code="medical_emergency",
            reason="Client collapsed at the clinic",
        )


# --------------------------------------------------------------------- duplicate check
def test_duplicate_check_says_only_that_another_team_may_hold_the_client(
    api_as, case_manager, other_team
):
    far = ClientFactory(
        team=other_team, first_name="Mara", last_name="Quist", date_of_birth=date(1985, 3, 4)
    )
    query = {"first_name": "Mara", "last_name": "Quist", "date_of_birth": "1985-03-04"}
    response = api_as(case_manager).get("/api/v1/clients/duplicates/", query)
    assert response.status_code == 200
    body = response.json()
    assert body == {"in_reach": [], "possible_duplicate_elsewhere": True}
    for secret in (far.client_number, other_team.name, str(far.pk)):
        assert secret not in response.text


def test_asking_the_other_team_notifies_its_supervisors_and_answers_the_same_always(
    api_as, case_manager, other_team
):
    far = ClientFactory(
        team=other_team, first_name="Mara", last_name="Quist", date_of_birth=date(1985, 3, 4)
    )
    far_supervisor = UserFactory(role=Role.SUPERVISOR)
    other_team.supervisors.add(far_supervisor)
    api = api_as(case_manager)
    url = "/api/v1/clients/duplicates/ask/"
    match = api.post(
        url,
        {"first_name": "Mara", "last_name": "Quist", "date_of_birth": "1985-03-04"},
        format="json",
    )
    none = api.post(
        url,
        {"first_name": "Zed", "last_name": "Nobody", "date_of_birth": "1990-01-01"},
        format="json",
    )
    assert match.status_code == none.status_code == 202
    assert match.json() == none.json()
    assert far.client_number not in match.text and other_team.name not in match.text
    note = Notification.objects.get(recipient=far_supervisor)
    assert far.client_number in note.title and note.link.endswith(f"/clients/{far.pk}/")
    assert AuditEvent.objects.filter(object_type="clients.duplicate_inquiry").count() == 2
    bad = api.post(url, {"first_name": "Mara"}, format="json")
    assert bad.status_code == 400 and "date_of_birth" in bad.json()
