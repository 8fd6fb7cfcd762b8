"""The supervisor's queues in a real browser: a supervisor sees the counts in the top bar,
approves a care plan from the approval queue, returns another with comments, co-signs a
trainee's note from the co-signature queue; the Today page of a case manager whose new
client overdosed puts the 24-hour follow-up at the top. Desktop and phone screenshots."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from casemgmt.accounts.models import Role
from clients.models import ClientStatus
from health.services import crisis_record
from tests.browser.conftest import log_in
from tests.dashboard.test_queues import consent, signed_note, submitted_plan
from tests.factories import PASSWORD, ClientFactory, UserFactory

PHONE = {"width": 390, "height": 844}


def test_supervisor_approves_returns_and_cosigns_from_the_queues(
    page, shot, supervisor, case_manager, team
):
    trainee = UserFactory(
        username="trainee", role=Role.CASE_MANAGER, first_name="Tia", last_name="Moreau"
    )
    team.members.add(trainee)
    team.cosign_required.add(trainee)
    rosa = ClientFactory(
        team=team, first_name="Rosa", last_name="Delgado", primary_case_manager=case_manager
    )
    ben = ClientFactory(
        team=team, first_name="Ben", last_name="Okafor", primary_case_manager=case_manager
    )
    submitted_plan(rosa, case_manager)
    submitted_plan(ben, case_manager)
    lena = ClientFactory(
        team=team, first_name="Lena", last_name="Park", primary_case_manager=trainee
    )
    note = signed_note(lena, trainee)
    consent(rosa, case_manager, days=12)

    log_in(page, "sup", PASSWORD)
    queues = page.locator("#nav-queues")
    expect(queues).to_contain_text("4")  # 2 plans, 1 note, 1 consent
    queues.locator("a.dropdown-toggle").click()
    page.get_by_role("link", name="Plans awaiting approval").click()
    expect(page.get_by_role("heading", name="Plans awaiting approval")).to_be_visible()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Rosa Delgado")
    expect(rows.first).to_contain_text(case_manager.display_name)
    shot(page, "queues-01-approvals")

    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.get_by_role("button", name="Approve the care plan of Rosa Delgado").click()
    expect(page.get_by_text("Care plan v1 for Rosa Delgado approved")).to_be_visible()
    assert "Rosa Delgado" in asked[0]
    expect(rows).to_have_count(1)

    # Return Ben's plan: without comments the message is next to the field.
    row = rows.first
    row.locator("summary", has_text="Return").click()
    row.get_by_label("What needs to change").fill("  ")
    row.get_by_role("button", name="Return to the author").click()
    # The browser's own "required" check does not stop whitespace: the server answers.
    expect(page.get_by_text("Say what needs to change.")).to_be_visible()
    shot(page, "queues-02-return-error")
    row = page.locator("table.queue tbody tr").first
    row.get_by_label("What needs to change").fill("Add a goal in Ben's words about work")
    row.get_by_role("button", name="Return to the author").click()
    expect(page.get_by_text("returned to its author")).to_be_visible()
    expect(page.get_by_text("No care plan is waiting for your approval.")).to_be_visible()

    # Co-sign the trainee's note.
    page.get_by_role("link", name="Notes to co-sign").first.click()
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    shot(page, "queues-03-cosign")
    page.get_by_role("link", name="Read and co-sign the note for Lena Park").click()
    expect(page.get_by_text("Met at the drop-in centre.")).to_be_visible()
    shot(page, "queues-04-note")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Co-sign note").click()
    expect(page.get_by_text("Note for Lena Park co-signed.")).to_be_visible()
    expect(page.get_by_text("No note is waiting for a co-signature.")).to_be_visible()
    note.refresh_from_db()
    assert note.cosigned_by == supervisor

    page.get_by_role("link", name="Consents expiring").first.click()
    expect(page.locator("table.queue tbody tr").first).to_contain_text("In 12 days")
    shot(page, "queues-05-consents")
    page.set_viewport_size(PHONE)
    shot(page, "queues-06-consents-phone")
    page.get_by_role("link", name="Plans awaiting approval").first.click()
    shot(page, "queues-07-approvals-phone")
    assert not page.csp_violations


def test_the_overdose_follow_up_is_on_top_of_today(page, shot, case_manager, team):
    client = ClientFactory(
        team=team,
        first_name="Noor",
        last_name="Haddad",
        primary_case_manager=case_manager,
        status=ClientStatus.INTAKE,
    )
    client.risk_flags.create(kind="suicide_risk", reason="said at intake")
    from referrals.services import followup_create

    for i in range(3):
        other = ClientFactory(team=team, primary_case_manager=case_manager)
        followup_create(
            actor=case_manager,
            client=other,
            assignee=case_manager,
            reason="general",
            title=f"Routine check-in {i}",
            due_on=timezone.localdate() + timedelta(days=2),
        )
    crisis_record(
        actor=case_manager,
        client=client,
        occurred_at=timezone.now() - timedelta(hours=1),
        crisis_type="overdose",
        description="Overdose at home",
        outcome="Revived with naloxone",
        actions=["naloxone"],
    )
    log_in(page, "cm", PASSWORD)
    first = page.locator("section").first
    expect(first).to_contain_text("Act now: imminent risk")
    expect(first.locator("li").first).to_contain_text("Noor Haddad")
    expect(first.locator("li").first).to_contain_text("within 24 hours of a crisis")
    shot(page, "queues-08-today")
    page.set_viewport_size(PHONE)
    shot(page, "queues-09-today-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_role("link", name="Follow-ups", exact=True).click()
    expect(page.locator("#followups-imminent")).to_contain_text("Noor Haddad")
    shot(page, "queues-10-my-followups")
    assert not page.csp_violations
