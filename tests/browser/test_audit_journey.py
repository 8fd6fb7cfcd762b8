"""An auditor searches the audit trail by client number, sees one line per visit of a
chart with the tabs seen, opens the visit's events, exports the visits as CSV, and reads
who viewed the record and its accounting of disclosures; desktop and phone."""

import csv
import io

from django.utils import timezone
from playwright.sync_api import expect

from casemgmt.audit.models import AuditEvent
from referrals.models import Disclosure
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_auditor_searches_opens_a_visit_and_exports(page, shot, auditor, case_manager, team):
    client = ClientFactory(team=team, first_name="Rosalind", last_name="Okonkwo-Hart")
    other = ClientFactory(team=team)
    for tab in ("overview", "notes", "consents", "careplan", "notes"):
        AuditEvent.objects.create(
            user=case_manager,
            action="view",
            client_id=client.pk,
            object_type="clients.client",
            object_id=str(client.pk),
            detail={"tab": tab},
        )
    AuditEvent.objects.create(
        user=case_manager,
        action="update",
        client_id=client.pk,
        object_type="clients.client",
        object_id=str(client.pk),
        detail={"fields": ["phone", "preferred_language"], "version": 3},
    )
    AuditEvent.objects.create(
        user=case_manager, action="view", client_id=other.pk, object_type="clients.client"
    )
    Disclosure.objects.create(
        client=client,
        recipient="Harbor Recovery Center",
        purpose="Referral for treatment (sent)",
        information="Name, date of birth, substance use diagnoses, reason for referral",
        consent_summary="42 CFR Part 2 consent signed 2026-10-01",
        disclosed_at=timezone.now(),
        disclosed_by=case_manager,
    )
    log_in(page, "auditor", PASSWORD)
    # The auditor's home is the audit search; no caseload menus.
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My caseload")).to_have_count(0)
    expect(nav.get_by_role("link", name="Today")).to_have_count(0)

    page.get_by_label("Client number or name").fill(client.client_number)
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#audit-sessions tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Notes")
    expect(rows.first).to_contain_text("Care plan")
    expect(rows.first).to_contain_text(case_manager.display_name)
    shot(page, "audit-01-visits")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "audit-02-visits-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export sessions (CSV)").click()
    path = download_info.value.path()
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert lines[0][0] == "First event (UTC)" and lines[1][3] == client.client_number
    assert AuditEvent.objects.filter(user=auditor, action="export").count() == 1

    rows.first.get_by_role("link", name="6 events of this visit").click()
    expect(page.get_by_role("heading", name="Audit events")).to_be_visible()
    expect(page.locator("#audit-events tbody tr")).to_have_count(6)
    expect(page.locator("#audit-events")).to_contain_text("phone, preferred language")
    shot(page, "audit-03-events")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "audit-04-events-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.locator("#audit-events tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Who viewed this record")).to_be_visible()
    expect(page.locator("#audit-viewers")).to_contain_text(case_manager.display_name)
    shot(page, "audit-05-who-viewed")
    page.get_by_role("link", name="Accounting of disclosures").click()
    expect(page.locator("#audit-disclosures")).to_contain_text("Harbor Recovery Center")
    shot(page, "audit-06-disclosures")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "audit-07-disclosures-phone")
