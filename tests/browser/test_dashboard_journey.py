"""A supervisor opens the team dashboard, clicks an overdue count, lands on those
clients; a case manager's Today page shows the overdue follow-up first."""

from datetime import date, timedelta

from playwright.sync_api import expect

from referrals.services import followup_create
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_supervisor_drills_down_from_an_overdue_count(
    page, shot, supervisor, case_manager, teammate, team
):
    late = ClientFactory(
        team=team, first_name="Imani", last_name="Okoro", primary_case_manager=case_manager
    )
    ClientFactory(
        team=team, first_name="Bo", last_name="Lindqvist", primary_case_manager=case_manager
    )
    ClientFactory(team=team, first_name="Ren", last_name="Adeyemi", primary_case_manager=teammate)
    followup_create(
        actor=supervisor,
        client=late,
        assignee=case_manager,
        reason="general",
        title="Call after missed appointment",
        due_on=date.today() - timedelta(days=3),
    )

    log_in(page, "cm", PASSWORD)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    overdue = page.locator("section").filter(has_text="Overdue follow-ups")
    expect(overdue).to_contain_text("Imani Okoro")
    expect(overdue).to_contain_text("overdue 3 days")
    shot(page, "dashboard-01-today")
    page.get_by_role("button", name=case_manager.display_name).click()
    page.get_by_role("button", name="Log out").click()

    log_in(page, "sup", PASSWORD)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="Team dashboard")).to_be_visible()
    shot(page, "dashboard-02-team")
    page.get_by_role("link", name=f"1 overdue follow-ups, {case_manager.display_name}").click()
    expect(
        page.get_by_role("heading", name=f"Overdue follow-ups — {case_manager.display_name}")
    ).to_be_visible()
    rows = page.locator("table.caseload tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Imani Okoro")
    shot(page, "dashboard-03-drilldown")
    assert page.csp_violations == []
