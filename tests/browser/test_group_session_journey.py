"""A facilitator creates the Dual Recovery Group, adds four members, runs today's
session on one page (attendance and the group note once), signs all notes after the
confirmation, and opens each member's chart: one note each, naming no other member."""

from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from groups.models import GroupSession
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory

NAMES = [("Robin", "Okafor"), ("Dana", "Whitfield"), ("Sam", "Quintero"), ("Lee", "Ashby")]


def test_run_a_group_session_with_four_members_and_see_each_chart(page, shot, case_manager, team):
    case_manager.first_name, case_manager.last_name = "Casey", "Jones"
    case_manager.save(update_fields=["first_name", "last_name"])
    members = [
        ClientFactory(
            team=team,
            first_name=first,
            last_name=last,
            date_of_birth=date(1985, 5, 5),
            primary_case_manager=case_manager,
        )
        for first, last in NAMES
    ]
    log_in(page, "cm", PASSWORD)
    page.goto("/groups/")
    expect(page.get_by_text("No groups yet.")).to_be_visible()
    page.get_by_role("link", name="New group").first.click()
    page.get_by_label("Name").fill("Dual Recovery Group")
    page.get_by_label("Facilitators").select_option(label="Casey Jones")
    page.get_by_label("Capacity").fill("8")
    start = timezone.localtime() - timedelta(hours=1)
    page.get_by_label("First session").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Repeats").select_option(label="Every week")
    shot(page, "groups-01-new-group")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_text("Dual Recovery Group created.")).to_be_visible()
    for client in members:
        first, last = client.first_name, client.last_name
        page.locator("#id_client").select_option(label=f"{first} {last} ({client.client_number})")
        page.get_by_role("button", name="Add to group").click()
        expect(page.get_by_text(f"{first} {last} joined Dual Recovery Group.")).to_be_visible()
    expect(page.locator("#group-members tbody tr")).to_have_count(4)
    shot(page, "groups-02-group-with-members")

    session = GroupSession.objects.filter(group__name="Dual Recovery Group").order_by("starts_at")[
        0
    ]
    page.goto(f"/groups/sessions/{session.pk}/")
    for i, client in enumerate(members):
        status = "Absent" if i == 3 else "Present"
        page.locator(f"input[name='status_{client.pk}'][value='{status.lower()}']").check()
    page.get_by_label(f"About {members[0].display_name} (their chart only)").fill(
        "Shared a plan for the weekend."
    )
    page.get_by_label("Data (shared)").fill("Coping with cravings: urge surfing practised.")
    page.get_by_label("Assessment (shared)").fill("Engaged; cravings discussed openly.")
    page.get_by_label("Plan (shared)").fill("Next week: relapse warning signs.")
    shot(page, "groups-03-attendance")
    # A shared part naming a member is refused next to the field; nothing is lost.
    page.get_by_label("Data (shared)").fill("Dana talked about cravings.")
    page.get_by_role("button", name="Save attendance, notes as drafts").click()
    expect(page.locator("#id_shared_data_error")).to_contain_text("name no member")
    expect(page.get_by_label("Plan (shared)")).to_have_value("Next week: relapse warning signs.")
    page.get_by_label("Data (shared)").fill("Coping with cravings: urge surfing practised.")
    for i, client in enumerate(members):
        status = "absent" if i == 3 else "present"
        page.locator(f"input[name='status_{client.pk}'][value='{status}']").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Save and sign all notes").click()
    expect(page.get_by_text("Attendance taken; each member's note signed.")).to_be_visible()
    expect(page.locator("#attendance-taken")).to_contain_text("Signed note")
    shot(page, "groups-04-attendance-taken")

    for i, client in enumerate(members[:3]):
        page.goto(f"/clients/{client.pk}/notes/")
        page.get_by_role("link", name="In-person contact, 90 min").first.click()
        body = page.locator("main").inner_text()
        assert "Dual Recovery Group" in body and "urge surfing" in body
        for j, (_first, last) in enumerate(NAMES):
            if j != i:
                assert last not in body, (client.display_name, last)
        if i == 0:
            assert "Shared a plan for the weekend." in body
            shot(page, "groups-05-member-note")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/groups/sessions/{session.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "groups-06-session-phone")
    page.goto(f"/groups/{session.group_id}/")
    shot(page, "groups-07-group-phone")
    assert page.csp_violations == []
