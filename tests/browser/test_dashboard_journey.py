"""A supervisor opens the team dashboard, clicks an overdue count, lands on those
clients; a case manager's Today page shows the overdue follow-up first."""

from datetime import timedelta

from django.utils import timezone
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
    team.program = "Integrated Dual Disorder Treatment"
    team.save()
    followup_create(
        actor=supervisor,
        client=late,
        assignee=case_manager,
        reason="general",
        title="Call after missed appointment",
        due_on=timezone.localdate() - timedelta(days=3),
    )

    log_in(page, "cm", PASSWORD)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    overdue = page.locator("section").filter(has_text="Overdue follow-ups")
    expect(overdue).to_contain_text("Imani Okoro")
    expect(overdue).to_contain_text("overdue by 3 days")
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

    # Quality measures, narrowed to a program; a period that ends before it starts is
    # named next to the field.
    page.goto(page.url.split("/dashboard/")[0] + "/dashboard/measures/")
    expect(page.get_by_role("heading", name="Quality measures")).to_be_visible()
    page.get_by_label("Program").select_option("Integrated Dual Disorder Treatment")
    page.get_by_label("From").fill("2026-10-01")
    page.get_by_label("Until").fill("2026-09-01")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#id_end_error")).to_have_text("The end of the period is before its start.")
    expect(page.get_by_label("Program")).to_have_value("Integrated Dual Disorder Treatment")
    expect(page.get_by_label("Case manager", exact=True)).to_be_visible()
    shot(page, "dashboard-04-measures-bad-period")
    page.get_by_label("Until").fill("2026-11-01")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#id_end_error")).to_have_count(0)
    expect(page.get_by_text("Depression remission at 12 months", exact=True)).to_be_visible()
    shot(page, "dashboard-05-measures")
    page.get_by_role(
        "link", name="Active clients with a current plan: 3 without a current plan"
    ).click()
    expect(
        page.get_by_role(
            "heading", name="Active clients with a current plan: without a current plan"
        )
    ).to_be_visible()
    expect(page.locator("table.caseload tbody tr")).to_have_count(3)
    shot(page, "dashboard-06-measure-drilldown")
    assert page.csp_violations == []
