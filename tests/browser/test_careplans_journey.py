"""A case manager drafts the care plan from the assessment (or blank if there is none),
adds goals for both disorders, submits it; a supervisor approves it; the client copy is
printed. Screenshots land in tests/_artifacts/."""

import importlib
import re
from datetime import timedelta

from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import CareTeamMember
from tests import pdf as pdfs
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def _completed_assessment(client, author) -> bool:
    """A completed comprehensive assessment, when the assessments app has it."""
    try:
        from assessments.models import ComprehensiveAssessment

        ComprehensiveAssessment.objects.create(
            client=client,
            status="completed",
            completed_at=timezone.now(),
            created_by=author,
            need_mental_health="Low mood most days; not sleeping.",
            need_substance_use="Drinking daily, often until blackout.",
            need_housing="Staying with a cousin; must leave by spring.",
            stage_mental_health="contemplation",
            stage_substance_use="precontemplation",
        )
    except Exception:  # the assessments app is not there (yet): start blank
        return False
    return True


def test_draft_submit_approve_and_print(
    page, shot, case_manager, supervisor, team, chromium, live_server, tmp_path
):
    client = ClientFactory(
        team=team,
        first_name="Rosa",
        last_name="Delgado",
        primary_case_manager=case_manager,
        is_dual_diagnosis=True,
    )
    CareTeamMember.objects.create(
        client=client, role="sud_counsellor", name="Dev Patel", added_by=case_manager
    )
    from_assessment = _completed_assessment(client, case_manager)
    # Transactional tests flush the tables: put back the suggestions the migration seeds.
    importlib.import_module("careplans.migrations.0002_seed_stage_suggestions").seed(apps, None)

    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Care plan", exact=True).click()
    expect(page.get_by_text("No care plan yet")).to_be_visible()
    shot(page, "careplan-01-empty")
    if from_assessment:
        page.get_by_role("button", name="Draft from the assessment").click()
        expect(page.get_by_text("Draft started from the assessment")).to_be_visible()
        expect(page.locator("#stages-heading + ul")).to_contain_text("Contemplation")
        # Stage-wise suggestions for each disorder (admin-editable data).
        expect(page.get_by_text("Suggested for substance use (precontemplation)")).to_be_visible()
    else:
        page.get_by_role("button", name="Start a blank plan").click()
        for domain, tag in (("Mental health", "mental health"), ("Substance use", "substance use")):
            page.get_by_role("link", name="Add a need").click()
            page.get_by_label("Domain").select_option(label=domain)
            page.get_by_label("The need, as the client and team see it").fill(f"{domain} need")
            page.get_by_label(f"Concerns the {tag} disorder").check()
            page.get_by_role("button", name="Add need").click()
    expect(page.get_by_role("heading", name="Care plan version 1")).to_be_visible()
    shot(page, "careplan-02-draft")

    today = timezone.localdate()
    # A target date before the plan starts is refused next to the field; input is kept.
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("Need this goal answers").select_option(index=0)
    page.get_by_label("Goal, in the client's own words").fill("I want to sleep through the night")
    page.get_by_label("Type of goal").select_option(label="Symptom management")
    page.get_by_label("Target date").fill((today - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Add goal").click()
    expect(page.locator("#id_target_date_error")).to_contain_text("before the plan starts")
    expect(page.get_by_label("Goal, in the client's own words")).to_have_value(
        "I want to sleep through the night"
    )
    shot(page, "careplan-03-goal-error")
    page.get_by_label("Target date").fill((today + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_text("Goal added.")).to_be_visible()

    # Only one disorder covered: submitting is refused with the reason.
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("status").filter(has_text="add a goal for each")).to_be_visible()

    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("Need this goal answers").select_option(index=1)
    page.get_by_label("Goal, in the client's own words").fill("Only drink at weekends")
    page.get_by_label("Type of goal").select_option(label="Reduced use or other harm reduction")
    page.get_by_label("Target date").fill((today + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_text("Goal added.")).to_be_visible()
    goal = page.locator(".goal").filter(has_text="Only drink at weekends")
    goal.get_by_role("link", name="Add intervention").click()
    page.get_by_label("Kind of intervention").select_option(label="Motivational interviewing")
    page.get_by_label("Responsible").select_option(label="Dev Patel (Substance use counsellor)")
    page.get_by_label("How often").fill("Weekly")
    page.get_by_role("button", name="Add intervention").click()
    expect(page.get_by_role("cell", name="Dev Patel")).to_be_visible()
    expect(page.locator("#integration-warning")).to_have_count(0)
    shot(page, "careplan-04-both-goals")

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Submit for approval").click()
    expect(
        page.get_by_text("Submitted. The team's supervisors have been notified.")
    ).to_be_visible()
    plan_url = page.url

    # The supervisor (a different person) approves.
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 860}
    )
    sup = context.new_page()
    sup.set_default_timeout(10_000)
    log_in(sup, "sup", PASSWORD)
    sup.goto(plan_url)
    expect(sup.get_by_text("waiting for a supervisor")).to_be_visible()
    messages = []
    sup.once("dialog", lambda d: (messages.append(d.message), d.accept()))
    sup.get_by_role("button", name="Approve").click()
    expect(sup.get_by_text("Approved. This version is now the active plan.")).to_be_visible()
    assert "superseded" in messages[0]
    expect(sup.locator("#plan-heading")).to_contain_text("Active")
    shot(sup, "careplan-05-approved")

    # Print the client copy: a real PDF with the goals in the client's words.
    href = sup.get_by_role("link", name="Print client copy (PDF)").get_attribute("href")
    response = sup.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "client-copy.pdf"
    pdf.write_bytes(response.body())
    text = pdfs.text(pdf.read_bytes())
    assert "Only drink at weekends" in text and "I want to sleep through the night" in text
    assert "988" in text
    assert "My safety plan" not in text  # none yet: the crisis lines are still printed
    context.close()

    # The suicide risk flag prompts a safety plan; write it with the client.
    client.risk_flags.create(kind="suicide_risk", reason="C-SSRS screen positive")
    page.goto(f"/careplans/{client.pk}/")
    expect(page.locator("#safety-plan-prompt")).to_be_visible()
    page.locator("#safety-plan-prompt").get_by_role("link", name="Write a safety plan").click()
    expect(page.get_by_label("Crisis lines")).to_have_value(re.compile("988"))
    page.get_by_role("button", name="Save safety plan").click()
    expect(page.locator("#id_warning_signs_error")).to_be_visible()
    page.get_by_label("1. Warning signs").fill("Not sleeping\nStaying in my room")
    page.get_by_label("2. Things I can do").fill("Walk the dog\nMusic")
    page.get_by_label("3. People and places").fill("Library on Main St")
    page.get_by_label("4. People I can ask").fill("Sister Ana 555-0101")
    page.get_by_label("5. Professionals").fill("Dr Lee 555-0199")
    page.get_by_label("6. Making my environment safe").fill("Pills kept by Ana")
    page.get_by_label("The most important reasons").fill("My daughter")
    page.get_by_role("button", name="Save safety plan").click()
    expect(page.get_by_text("Safety plan saved as a new version.")).to_be_visible()
    expect(page.get_by_text("Sister Ana 555-0101")).to_be_visible()
    shot(page, "careplan-06-safety-plan")
    response = page.request.get(href)
    pdf.write_bytes(response.body())
    text = pdfs.text(pdf.read_bytes())
    assert "My safety plan" in text and "Sister Ana 555-0101" in text

    # Revise: version 2 is a draft copy; the diff page shows what changed.
    page.goto(plan_url)
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Revise (new version)").click()
    expect(page.get_by_role("heading", name="Care plan version 2")).to_be_visible()
    goal = page.locator(".goal").filter(has_text="Only drink at weekends")
    goal.get_by_role("link", name="Add objective").click()
    page.get_by_label("Measurable objective").fill("No more than 2 drinking days a week")
    page.get_by_role("button", name="Add objective").click()
    expect(page.get_by_text("Objective added.")).to_be_visible()

    # Edit the objective: a bad date is refused next to the field, the text is kept.
    objective = page.locator(".objective").filter(has_text="No more than 2 drinking days")
    objective.get_by_role("link", name="Edit objective").click()
    expect(page.get_by_role("heading", name=re.compile("Edit an objective"))).to_be_visible()
    page.get_by_label("Measurable objective").fill("No more than 1 drinking day a week")
    page.get_by_label("Target date").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save objective").click()
    expect(page.locator("#id_target_date_error")).to_contain_text("before the plan starts")
    expect(page.locator("#form-errors")).to_contain_text("Target date")
    expect(page.get_by_label("Measurable objective")).to_have_value(
        "No more than 1 drinking day a week"
    )
    shot(page, "careplan-07-objective-error")
    page.get_by_label("Target date").fill((today + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save objective").click()
    expect(page.get_by_text("Objective saved.")).to_be_visible()
    objective = page.locator(".objective").filter(has_text="No more than 1 drinking day a week")
    expect(objective).to_contain_text((today + timedelta(days=30)).strftime("%b %-d, %Y"))
    shot(page, "careplan-08-objective-edited")

    # Remove asks first and says what will happen; saying no keeps the objective.
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    objective.get_by_role("button", name="Remove objective").click()
    expect(objective).to_be_visible()
    assert "will be deleted from version 2" in asked[0]
    assert "Earlier versions keep theirs" in asked[0]

    page.get_by_role("link", name="What changed").click()
    expect(page.locator("#plan-diff")).to_contain_text("No more than 1 drinking day a week")
    shot(page, "careplan-09-diff")
    assert not page.csp_violations
