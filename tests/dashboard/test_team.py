from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careplans.models import CarePlan
from referrals.models import FollowUp, Referral
from referrals.services import followup_create
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _plan(client, author, **kw):
    values = {
        "client": client,
        "version": 1,
        "status": "active",
        "author": author,
        "effective_date": timezone.localdate() - timedelta(days=100),
        "review_due": timezone.localdate() - timedelta(days=10),
    }
    return CarePlan.objects.create(**(values | kw))


@pytest.fixture
def caseload(team, case_manager, teammate, supervisor):
    """Two case managers; Casey (cm) has 3 active clients, Teammate has 1."""
    mine = [ClientFactory(team=team, primary_case_manager=case_manager) for _ in range(3)]
    theirs = ClientFactory(team=team, primary_case_manager=teammate)
    mine[0].risk_flags.create(kind="suicide_risk", reason="x")
    mine[1].risk_flags.create(kind="medical_risk", reason="x")  # not high risk
    _plan(mine[0], case_manager)  # overdue for review
    _plan(mine[1], case_manager, review_due=timezone.localdate() + timedelta(days=30))  # current
    followup_create(
        actor=supervisor,
        client=mine[2],
        assignee=case_manager,
        reason="general",
        title="Call back",
        due_on=timezone.localdate() - timedelta(days=2),
    )
    followup_create(
        actor=supervisor,
        client=theirs,
        assignee=teammate,
        reason="general",
        title="Later",
        due_on=timezone.localdate() + timedelta(days=5),
    )
    Referral.objects.create(
        client=theirs,
        provider_name="Harbor Detox",
        reason="detox",
        status="sent",
        response_due_on=timezone.localdate() - timedelta(days=1),
        created_by=teammate,
        discloses_substance_use=False,
    )
    return mine, theirs


def _figures(response, manager):
    for row, cells, _ in response.context["rows"]:
        if row.case_manager == manager:
            return {c.key: c.value for c in cells}
    raise AssertionError("no row")


def test_rows_per_case_manager(browser_as, supervisor, case_manager, teammate, caseload):
    response = browser_as(supervisor).get(reverse("dashboard:team"))
    assert response.status_code == 200
    cm = _figures(response, case_manager)
    assert cm == {
        "active": 3,
        "high_risk": 1,
        "overdue_followups": 1,
        "plans_overdue": 1,
        "no_plan": 2,  # no plan, or a plan overdue for review (issue 19: one rule)
        "referrals_overdue": 0,
        "transitions_at_risk": 0,
    }
    other = _figures(response, teammate)
    assert other["active"] == 1 and other["referrals_overdue"] == 1 and other["no_plan"] == 1


def test_figure_links_to_the_clients_behind_it(browser_as, supervisor, case_manager, caseload):
    mine, theirs = caseload
    browser = browser_as(supervisor)
    url = reverse("dashboard:clients")
    page = browser.get(url, {"metric": "overdue_followups", "case_manager": case_manager.pk})
    assert page.status_code == 200
    assert "Overdue follow-ups" in page.text
    assert mine[2].client_number in page.text and mine[0].client_number not in page.text
    page = browser.get(url, {"metric": "high_risk"})
    assert mine[0].client_number in page.text and mine[1].client_number not in page.text


def test_sort_by_a_figure(browser_as, supervisor, case_manager, teammate, caseload):
    response = browser_as(supervisor).get(reverse("dashboard:team"), {"sort": "-active"})
    managers = [row.case_manager for row, *_ in response.context["rows"]]
    assert managers == [case_manager, teammate]
    response = browser_as(supervisor).get(reverse("dashboard:team"), {"sort": "active"})
    assert [row.case_manager for row, *_ in response.context["rows"]] == [teammate, case_manager]


def test_scope_supervisor_sees_their_teams_only(browser_as, supervisor, other_team, caseload):
    stranger = UserFactory()
    other_team.members.add(stranger)
    ClientFactory(team=other_team, primary_case_manager=stranger)
    response = browser_as(supervisor).get(reverse("dashboard:team"))
    assert stranger not in [row.case_manager for row, *_ in response.context["rows"]]


def test_case_manager_cannot_open_the_team_dashboard(browser_as, case_manager):
    assert browser_as(case_manager).get(reverse("dashboard:team")).status_code == 403
    assert browser_as(case_manager).get(reverse("dashboard:clients")).status_code == 403


def test_csv_export_is_audited(browser_as, supervisor, case_manager, caseload):
    from casemgmt.audit.models import AuditEvent

    response = browser_as(supervisor).get(reverse("dashboard:team_csv"))
    body = response.content.decode()
    assert response["Content-Type"] == "text/csv"
    assert body.splitlines()[0].startswith("Case manager,Active caseload")
    assert case_manager.display_name in body
    assert AuditEvent.objects.filter(action="export", object_type="dashboard.team").exists()


def test_query_count_is_fixed(browser_as, supervisor, team, django_assert_max_num_queries):
    browser = browser_as(supervisor)
    manager = UserFactory()
    team.members.add(manager)
    ClientFactory(team=team, primary_case_manager=manager)
    with django_assert_max_num_queries(35) as one:
        browser.get(reverse("dashboard:team"))
    for _ in range(8):
        other = UserFactory()
        team.members.add(other)
        for client in ClientFactory.create_batch(3, team=team, primary_case_manager=other):
            client.risk_flags.create(kind="overdose_risk", reason="x")
            FollowUp.objects.create(
                client=client,
                assignee=other,
                reason="general",
                title="x",
                due_on=timezone.localdate(),
                due_at=timezone.now() - timedelta(hours=1),
            )
    with django_assert_max_num_queries(35) as many:
        browser.get(reverse("dashboard:team"))
    assert len(many.captured_queries) == len(one.captured_queries)


def test_drilldown_csv_export(browser_as, supervisor, case_manager, caseload):
    from casemgmt.audit.models import AuditEvent

    mine, _ = caseload
    response = browser_as(supervisor).get(reverse("dashboard:clients_csv"), {"metric": "high_risk"})
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Client number,Name")
    assert len(lines) == 2 and mine[0].client_number in lines[1]
    assert AuditEvent.objects.filter(action="export", detail__metric="high_risk").exists()


def test_cells_link_each_figure_with_its_words_escaped(browser_as, supervisor, team):
    manager = UserFactory(first_name="Ann {x}", last_name="O'Hara <b>")
    team.members.add(manager)
    client = ClientFactory(team=team, primary_case_manager=manager)
    client.risk_flags.create(kind="overdose_risk", reason="x")
    html = browser_as(supervisor).get(reverse("dashboard:team")).content.decode()
    base = reverse("dashboard:clients")
    name = "Ann {x} O&#x27;Hara &lt;b&gt;"
    assert (
        f'<td class="text-end"><a href="{base}?metric=active&amp;case_manager={manager.pk}" '
        f'aria-label="1 active caseload, {name}">1</a></td>'
    ) in html
    assert (
        '<td class="text-end"><a class="fw-semibold text-danger-emphasis" '
        f'href="{base}?metric=high_risk&amp;case_manager={manager.pk}" '
        f'aria-label="1 high-risk clients, {name}">1</a></td>'
    ) in html
    assert '<td class="text-end"><span class="text-body-secondary">0</span></td>' in html
