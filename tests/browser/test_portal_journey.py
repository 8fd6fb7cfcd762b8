"""A client on their phone: opens the check-in link, confirms the date of birth, answers
a PHQ-9 in Spanish (the published translation) with item 9 positive and sees at once
what to do now (911, 988 with its Spanish options, their safety plan); the case manager
and the supervisor are told. An expired link and a wrong date of birth are refused."""

from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import SafetyPlan
from careplans.services import safety_plan_save
from portal import services
from portal.models import PortalLink
from portal.tokens import token_for
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory

PHONE = {"width": 390, "height": 844}
DOB = date(1979, 11, 23)
# Published Spanish PHQ-9 answer labels (Pfizer): 0 for items 1-8, "Varios días" (1) on 9.
ANSWERS = ["Ningún día"] * 8 + ["Varios días"]


def _client(team, case_manager):
    client = ClientFactory(
        team=team,
        first_name="Lucía",
        last_name="Quintanar",
        date_of_birth=DOB,
        phone="+15555550188",
        preferred_language="Spanish",
        primary_case_manager=case_manager,
    )
    safety_plan_save(
        actor=case_manager,
        client=client,
        values={
            "warning_signs": "No duermo",
            "internal_coping": "Salir a caminar",
            "social_distraction": "La casa de mi tía",
            "people_to_ask": "Mi hermana Rosa 555-0142",
            "professionals": "Clínica Riverside",
            "crisis_lines": SafetyPlan.DEFAULT_CRISIS_LINES,
            "environment_safe": "Rosa guarda mis medicinas",
            "reasons_for_living": "Mis hijos",
        },
        expected_version=0,
    )
    return client


def _phone(page):
    page.set_viewport_size(PHONE)


def test_client_answers_phq9_in_spanish_and_sees_what_to_do_now(
    page, shot, team, case_manager, supervisor
):
    client = _client(team, case_manager)
    checkin = services.checkin_send(
        actor=case_manager, client=client, instruments=["phq9"], channel="sms"
    )
    _phone(page)
    page.goto(f"/p/{token_for(checkin.link.nonce)}/")
    page.wait_for_url("**/p/")  # the token left the address bar
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Unas preguntas de su equipo de atención"
    )
    shot(page, "portal-01-date-of-birth-phone")
    page.get_by_label("Mes").select_option("11")
    page.get_by_label("Día").fill("23")
    page.get_by_label("Año").fill("1979")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url("**/p/q/")
    expect(page.locator("#question-text")).to_contain_text("Poco interés")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "portal-02-question-phone")
    for number, label in enumerate(ANSWERS, start=1):
        expect(page.locator("input[name=item]")).to_have_value(str(number))
        page.get_by_label(label, exact=True).check()
        if number == 9:
            shot(page, "portal-03-item9-phone")
        page.get_by_role("button", name="Siguiente").click()
    page.wait_for_url("**/p/help/")
    steps = page.locator("#crisis-steps")
    expect(steps).to_contain_text("911")
    expect(steps).to_contain_text("988")
    expect(page.locator("#spanish-988")).to_contain_text("AYUDA")
    expect(page.locator("#my-safety-plan")).to_contain_text("Mi hermana Rosa")
    expect(page.locator("main")).to_contain_text("horario de trabajo")
    assert page.csp_violations == []
    shot(page, "portal-04-help-now-phone")

    # The case manager and the supervisor are told (in-app), and Today lists it.
    staff = page.context.browser.new_context(base_url=page.url.split("/p/")[0])
    desk = staff.new_page()
    for username in ("cm", "sup"):
        log_in(desk, username, PASSWORD)
        desk.goto("/notifications/")
        expect(desk.locator("main")).to_contain_text("Suicide risk: Lucía Quintanar")
        desk.goto("/")
        expect(desk.locator("#today-checkins")).to_contain_text("Risk answer")
        shot(desk, f"portal-05-today-{username}")
        desk.context.clear_cookies()
    log_in(desk, "cm", PASSWORD)
    desk.goto(f"/portal/clients/{client.pk}/checkins/")
    expect(desk.locator("#checkins-table")).to_contain_text("Completed")
    shot(desk, "portal-06-chart-checkins")
    desk.set_viewport_size(PHONE)
    shot(desk, "portal-06-chart-checkins-phone")
    staff.close()


def test_expired_link_and_wrong_date_of_birth_are_refused(page, shot, team, case_manager):
    client = _client(team, case_manager)
    expired = services.checkin_send(
        actor=case_manager, client=client, instruments=["phq9"], channel="sms"
    )
    PortalLink.objects.filter(pk=expired.link_id).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    _phone(page)
    page.goto(f"/p/{token_for(expired.link.nonce)}/")
    expect(page.locator("#closed-reason")).to_have_text("Este enlace ya venció.")
    expect(page.locator("main")).not_to_contain_text("Quintanar")
    shot(page, "portal-07-expired-phone")

    fresh = services.checkin_send(
        actor=case_manager, client=client, instruments=["phq9"], channel="sms"
    )
    page.goto(f"/p/{token_for(fresh.link.nonce)}/")
    page.get_by_label("Mes").select_option("1")
    page.get_by_label("Día").fill("2")
    page.get_by_label("Año").fill("1980")
    page.get_by_role("button", name="Continuar").click()
    expect(page.locator("#dob-wrong")).to_be_visible()
    shot(page, "portal-08-wrong-dob-phone")
    page.goto("/p/q/")
    page.wait_for_url("**/p/")  # still asked for the date of birth
