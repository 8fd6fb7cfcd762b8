"""A readmission within 30 days, as a case manager and a supervisor see it: the first
discharge's page says it is superseded and why, and the FUH drill-down lists it with
the reason (NCQA HEDIS MY2025 FUH, "Acute readmission or direct transfer": count only
the last discharge). Desktop and phone."""

from datetime import date

from playwright.sync_api import expect

from referrals.services import transition_record
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory

PHONE = {"width": 390, "height": 844}


def _readmitted(client, actor):
    first = transition_record(
        actor=actor,
        client=client,
        from_level="inpatient_psych",
        to_level="community",
        facility="General Hospital",
        admitted_on=date(2026, 3, 8),
        discharged_on=date(2026, 3, 13),
    )
    transition_record(
        actor=actor,
        client=client,
        from_level="inpatient_psych",
        to_level="community",
        facility="General Hospital",
        admitted_on=date(2026, 4, 12),
        discharged_on=date(2026, 4, 16),
    )
    return first


def test_superseded_discharge_on_the_transition_page_and_drill_down(
    page, shot, case_manager, supervisor, team
):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    first = _readmitted(client, case_manager)
    log_in(page, case_manager.username, PASSWORD)
    page.goto(f"/referrals/clients/{client.pk}/transitions/{first.pk}/")
    notice = page.locator("#denominator")
    expect(notice).to_contain_text("Superseded: not in FUH.")
    expect(notice).to_contain_text("Readmitted on 12 Apr: the later discharge counts.")
    shot(page, "hedis-01-transition-superseded")
    page.set_viewport_size(PHONE)
    expect(notice).to_be_visible()
    shot(page, "hedis-02-transition-superseded-phone")

    page.set_viewport_size({"width": 1280, "height": 860})
    page.context.clear_cookies()
    log_in(page, supervisor.username, PASSWORD)
    page.goto("/dashboard/clients/?measure=fuh_7&start=2026-03-01&end=2026-04-30")
    aside = page.locator("#set-aside")
    expect(aside).to_contain_text("Not in the FUH denominator")
    expect(aside).to_contain_text("readmitted on 12 Apr: the later discharge counts")
    shot(page, "hedis-03-drill-down-set-aside")
    page.set_viewport_size(PHONE)
    expect(aside).to_be_visible()
    shot(page, "hedis-04-drill-down-set-aside-phone")
