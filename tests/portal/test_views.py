"""The client's pages: open the link, date of birth, one question at a time, help now,
the plan; used, expired or unknown links say so without saying whose."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import InstrumentResponse
from careplans.models import SafetyPlan
from careplans.services import safety_plan_save
from casemgmt.audit.models import AuditEvent
from portal import services
from portal.models import CheckInResult, PortalLink

from .conftest import DOB, token_of

pytestmark = pytest.mark.django_db

PHQ9 = [1, 2, 1, 2, 1, 1, 0, 0, 2]


def _checkin(client, actor, instruments=("phq9",)):
    return services.checkin_send(
        actor=actor, client=client, instruments=list(instruments), channel="sms"
    )


def _open(browser, link):
    response = browser.get(f"/p/{token_of(link)}/")
    assert response.status_code == 302 and response.url == "/p/"
    return browser.get("/p/")


def _dob(browser, day=DOB):
    return browser.post("/p/", {"month": day.month, "day": day.day, "year": day.year})


def _answer(browser, number, value, part="phq9"):
    return browser.post("/p/q/", {"part": part, "item": number, "answer": value})


def test_the_link_moves_to_a_clean_address_and_asks_for_the_date_of_birth(
    client, phone_client, case_manager
):
    page = _open(client, _checkin(phone_client, case_manager).link)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Date of birth" in html
    assert phone_client.last_name not in html and phone_client.first_name not in html
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "/clients/" not in html  # nothing of the record is linked


def test_questions_need_the_date_of_birth_first(client, phone_client, case_manager):
    _open(client, _checkin(phone_client, case_manager).link)
    assert client.get("/p/q/").url == "/p/"
    assert client.get("/p/plan/").url == "/p/"


def test_wrong_date_of_birth_is_refused_and_the_fifth_locks(client, phone_client, case_manager):
    _open(client, _checkin(phone_client, case_manager).link)
    wrong = DOB.replace(year=DOB.year + 1)
    page = _dob(client, wrong)
    assert page.status_code == 400 and "does not match" in page.content.decode()
    for _ in range(4):
        page = _dob(client, wrong)
    assert "locked" in page.content.decode()
    assert client.get("/p/").status_code == 403


def test_bad_date_input_gets_a_message_next_to_the_field(client, phone_client, case_manager):
    _open(client, _checkin(phone_client, case_manager).link)
    page = client.post("/p/", {"month": "2", "day": "31", "year": "84"})
    assert page.status_code == 400
    assert "4 digits" in page.content.decode()
    assert PortalLink.objects.get().dob_failures == 0  # not counted as a wrong date


def test_a_phq9_one_question_at_a_time_then_help_now(client, phone_client, case_manager):
    safety_plan_save(
        actor=case_manager,
        client=phone_client,
        values={
            "warning_signs": "Not sleeping",
            "internal_coping": "Walk the dog",
            "social_distraction": "Cafe on Main St",
            "people_to_ask": "My sister Ana",
            "professionals": "Clinic line",
            "crisis_lines": SafetyPlan.DEFAULT_CRISIS_LINES,
            "environment_safe": "Keep medicines with Ana",
            "reasons_for_living": "",
        },
        expected_version=0,
    )
    _open(client, _checkin(phone_client, case_manager).link)
    assert _dob(client).url == "/p/q/"
    page = client.get("/p/q/")
    assert "Question 1 of 9" in page.content.decode()
    for number, value in enumerate(PHQ9[:-1], start=1):
        assert _answer(client, number, value).url == "/p/q/"
    assert not InstrumentResponse.objects.exists()  # nothing saved until complete
    response = _answer(client, 9, PHQ9[-1])
    assert response.url == "/p/help/"
    page = client.get("/p/help/").content.decode()
    assert "988" in page and "911" in page and "AYUDA" in page
    assert "working hours" in page
    assert "My sister Ana" in page  # their own safety plan's people
    saved = InstrumentResponse.objects.get()
    assert saved.source == "client_self_report" and saved.total == 10


def test_double_submit_and_back_record_once(client, phone_client, case_manager):
    _open(client, _checkin(phone_client, case_manager, instruments=("gad7",)).link)
    _dob(client)
    for number in range(1, 7):
        _answer(client, number, 1, part="gad7")
    # Back on question 7: question 6 again, answered again.
    client.post("/p/q/", {"action": "back"})
    assert "Question 6 of 7" in client.get("/p/q/").content.decode()
    _answer(client, 6, 0, part="gad7")
    _answer(client, 7, 0, part="gad7")
    _answer(client, 7, 0, part="gad7")  # the double submit
    _answer(client, 7, 3, part="gad7")  # Back in the browser, then Next again
    assert CheckInResult.objects.count() == 1
    assert InstrumentResponse.objects.get().total == 5


def test_an_answer_not_offered_is_refused_with_the_message(client, phone_client, case_manager):
    _open(client, _checkin(phone_client, case_manager).link)
    _dob(client)
    page = _answer(client, 1, 7)
    assert page.status_code == 400
    assert "Choose one of the answers" in page.content.decode()


def test_spanish_speaker_gets_spanish_pages_and_the_published_phq9(
    client, phone_client, case_manager
):
    phone_client.preferred_language = "Español"
    phone_client.save(update_fields=["preferred_language"])
    page = _open(client, _checkin(phone_client, case_manager, instruments=("phq9", "gad7")).link)
    assert "Fecha de nacimiento" in page.content.decode()
    assert "noviembre" in page.content.decode()  # the month names too
    _dob(client)
    html = client.get("/p/q/").content.decode()
    assert "Pregunta 1 de 9" in html and "Poco interés" in html
    assert 'lang="es"' in html
    for number, value in enumerate([0] * 9, start=1):
        _answer(client, number, value)
    html = client.get("/p/q/").content.decode()  # the GAD-7: no published Spanish
    assert "no hay una traducción publicada" in html
    assert "Feeling nervous" in html


@pytest.mark.parametrize(
    ("make", "says"),
    [
        ("expired", "expired"),
        ("revoked", "withdrawn"),
        ("completed", "answered already"),
    ],
)
def test_a_closed_link_says_so_without_saying_whose(client, phone_client, case_manager, make, says):
    checkin = _checkin(phone_client, case_manager, instruments=("gad7",))
    if make == "expired":
        PortalLink.objects.filter(pk=checkin.link_id).update(expires_at=timezone.now())
    elif make == "revoked":
        services.checkin_revoke(actor=case_manager, checkin=checkin)
    else:
        services.checkin_part_record(checkin=checkin, part="gad7", answers=[0] * 7)
    page = client.get(f"/p/{token_of(checkin.link)}/")
    html = page.content.decode()
    assert page.status_code == 410
    assert says in html
    for private in (phone_client.first_name, phone_client.last_name, case_manager.last_name):
        assert private not in html


def test_an_unknown_token_is_404_and_says_nothing(client):
    page = client.get("/p/" + "A" * 43 + "/")
    assert page.status_code == 404
    assert "not valid" in page.content.decode()


def test_too_many_requests_from_one_address_are_refused(client, settings):
    settings.PORTAL_RATE_PER_ADDRESS = 3
    codes = [client.get("/p/" + "A" * 43 + "/").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_every_opening_is_audited(client, phone_client, case_manager):
    _open(client, _checkin(phone_client, case_manager).link)
    _dob(client)
    event = AuditEvent.objects.filter(client_id=phone_client.pk, detail__via="portal").last()
    assert event is not None and event.user is None


def test_plan_link_shows_the_plan_and_safety_plan_only(client, phone_client, case_manager):
    link = services.plan_link_send(actor=case_manager, client=phone_client, channel="email")
    _open(client, link)
    assert _dob(client).url == "/p/plan/"
    html = client.get("/p/plan/").content.decode()
    assert "My plan" in html and "My safety plan" in html
    assert "/clients/" not in html
    assert client.get("/p/q/").status_code == 302  # no check-in on this link
    assert AuditEvent.objects.filter(detail__what="plan", client_id=phone_client.pk).exists()


def test_leaving_forgets_the_link_in_this_browser(client, phone_client, case_manager):
    _open(client, _checkin(phone_client, case_manager).link)
    _dob(client)
    client.post("/p/leave/")
    assert client.get("/p/q/").status_code == 404


def test_staff_tab_lists_check_ins_with_their_state(browser_as, phone_client, case_manager):
    checkin = _checkin(phone_client, case_manager)
    PortalLink.objects.filter(pk=checkin.link_id).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    _checkin(phone_client, case_manager, instruments=("gad7",))
    page = browser_as(case_manager).get(f"/portal/clients/{phone_client.pk}/checkins/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Expired" in html and "Sent" in html


def test_staff_tab_is_404_for_an_outsider(browser_as, phone_client, outsider):
    assert (
        browser_as(outsider).get(f"/portal/clients/{phone_client.pk}/checkins/").status_code == 404
    )


def test_staff_send_form_bad_input_is_shown_next_to_the_field(
    browser_as, phone_client, case_manager
):
    page = browser_as(case_manager).post(
        f"/portal/clients/{phone_client.pk}/checkins/send/", {"channel": "sms"}
    )
    assert page.status_code == 400
    assert "Choose at least one instrument" in page.content.decode()


def test_staff_tab_query_count_is_fixed(
    browser_as, phone_client, case_manager, django_assert_max_num_queries
):
    browser = browser_as(case_manager)
    _checkin(phone_client, case_manager)
    with django_assert_max_num_queries(40) as one:
        browser.get(f"/portal/clients/{phone_client.pk}/checkins/")
    for _ in range(8):
        _checkin(phone_client, case_manager, instruments=("phq9", "gad7"))
    with django_assert_max_num_queries(40) as many:
        browser.get(f"/portal/clients/{phone_client.pk}/checkins/")
    assert len(many.captured_queries) == len(one.captured_queries)


def test_today_lists_a_risk_answer_to_look_at(browser_as, phone_client, case_manager, supervisor):
    checkin = _checkin(phone_client, case_manager)
    services.checkin_part_record(checkin=checkin, part="phq9", answers=PHQ9)
    for user in (case_manager, supervisor):
        html = browser_as(user).get("/").content.decode()
        assert "Check-ins to look at" in html and "Risk answer" in html
    browser_as(case_manager).post(
        f"/portal/clients/{phone_client.pk}/checkins/{checkin.pk}/acknowledge/", {"next": "today"}
    )
    assert "No answered check-in needs a look" in browser_as(case_manager).get("/").content.decode()


def test_staff_turn_automatic_check_ins_on_and_off(browser_as, phone_client, case_manager):
    from portal.models import AutoCheckIn

    browser = browser_as(case_manager)
    url = f"/portal/clients/{phone_client.pk}/checkins/automatic/"
    assert browser.post(url, {"channel": "email"}).status_code == 302
    assert AutoCheckIn.objects.get(client=phone_client).channel == "email"
    assert "<strong>On</strong>" in browser.get(url.replace("automatic/", "")).content.decode()
    browser.post(url, {"channel": ""})
    assert not AutoCheckIn.objects.exists()


def test_outsider_cannot_turn_automatic_check_ins_on(browser_as, phone_client, outsider):
    url = f"/portal/clients/{phone_client.pk}/checkins/automatic/"
    assert browser_as(outsider).post(url, {"channel": "sms"}).status_code == 404
