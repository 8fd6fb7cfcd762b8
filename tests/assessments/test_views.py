"""The Assessments pages: the chart tab, giving an instrument, the result, trends and the
comprehensive assessment. Three personas: case manager, teammate/supervisor, outsider."""

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import ComprehensiveAssessment, InstrumentResponse
from casemgmt.audit.models import AuditEvent
from clients.models import RiskFlag
from tests.factories import ClientFactory

from .helpers import PHQ9_ITEM9, give, phq9

pytestmark = pytest.mark.django_db


def tab(client):
    return f"/assessments/clients/{client.pk}/"


def give_url(client, code):
    return f"/assessments/clients/{client.pk}/give/{code}/"


def form_data(answers, **extra):
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data = {"administered_at": now, "notes": ""}
    data.update({f"item_{n}": str(v) for n, v in enumerate(answers, 1) if v is not None})
    data.update(extra)
    return data


# ------------------------------------------------------------------------------- the tab
def test_tab_empty_state_and_menu(browser_as, case_manager, client_record):
    page = browser_as(case_manager).get(tab(client_record))
    assert page.status_code == 200
    text = page.content.decode()
    assert "No screening results yet" in text and "Start the comprehensive assessment" in text
    assert f'href="/assessments/clients/{client_record.pk}/"' in text  # the chart tab
    assert give_url(client_record, "phq9") in text


def test_tab_lists_latest_results_with_trend(browser_as, supervisor, case_manager, client_record):
    give(case_manager, client_record, answers=phq9(18), days_ago=30)
    give(case_manager, client_record, answers=phq9(9))
    page = browser_as(supervisor).get(tab(client_record)).content.decode()
    assert "9 (mild)" in page and "better" in page


def test_outsider_gets_404_everywhere(browser_as, outsider, case_manager, client_record):
    r = give(case_manager, client_record)
    a = services.assessment_start(actor=case_manager, client=client_record)
    browser = browser_as(outsider)
    base = f"/assessments/clients/{client_record.pk}"
    for url in [
        tab(client_record),
        give_url(client_record, "phq9"),
        f"{base}/results/{r.pk}/",
        f"{base}/trends/phq9/",
        f"{base}/comprehensive/{a.pk}/",
        f"{base}/comprehensive/{a.pk}/sections/history/",
    ]:
        assert browser.get(url).status_code == 404, url
    assert browser.post(give_url(client_record, "phq9"), form_data([0] * 9)).status_code == 404
    assert browser.post(f"{base}/comprehensive/start/").status_code == 404
    assert InstrumentResponse.objects.count() == 1


def test_tab_query_count_is_flat(
    browser_as, case_manager, client_record, django_assert_max_num_queries
):
    browser = browser_as(case_manager)
    give(case_manager, client_record)
    with django_assert_max_num_queries(40) as one:
        browser.get(tab(client_record))
    for code, answers in [("gad7", [1] * 7), ("audit", [1] * 8 + [2, 2]), ("k10", [2] * 10)]:
        for _ in range(5):
            give(case_manager, client_record, code=code, answers=answers)
    for _ in range(10):
        give(case_manager, client_record, answers=phq9(12))
    with django_assert_max_num_queries(40) as many:
        browser.get(tab(client_record))
    # One trend query per instrument shown (at most the library's 11), not per result.
    assert len(many.captured_queries) <= len(one.captured_queries) + 3


# --------------------------------------------------------------------- giving an instrument
def test_form_shows_every_item_with_its_published_wording(browser_as, case_manager, client_record):
    page = browser_as(case_manager).get(give_url(client_record, "phq9")).content.decode()
    assert "Thoughts that you would be better off dead or of hurting yourself" in page
    assert page.count('type="radio"') == 36
    assert "Nearly every day (3)" in page
    assert browser_as(case_manager).get(give_url(client_record, "nope")).status_code == 404


def test_missing_and_bad_answers_show_next_to_the_item(browser_as, case_manager, client_record):
    data = form_data([0, 0, 0, 0, 0, 0, 0, 0, None]) | {"item_1": "7"}
    page = browser_as(case_manager).post(give_url(client_record, "phq9"), data)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="item-9-error">An answer is required.' in text
    assert 'id="item-1-error"' in text  # 7 is not a choice offered
    assert 'href="#item-9"' in text  # in the summary at the top
    assert "not one of the offered values" in text
    assert text.count("checked") == 7  # what was chosen (items 2-8) is kept
    assert not InstrumentResponse.objects.exists()


def test_saving_scores_and_shows_the_result(browser_as, case_manager, client_record):
    page = browser_as(case_manager).post(
        give_url(client_record, "phq9"), form_data(phq9(12)), follow=True
    )
    r = InstrumentResponse.objects.get()
    assert page.redirect_chain[-1][0].endswith(f"/results/{r.pk}/")
    text = page.content.decode()
    assert "PHQ-9 saved: 12 (moderate)." in text and "Write a safety plan" not in text


def test_item9_shows_the_safety_plan_prompt_and_the_flag(browser_as, case_manager, client_record):
    page = browser_as(case_manager).post(
        give_url(client_record, "phq9"), form_data(PHQ9_ITEM9), follow=True
    )
    text = page.content.decode()
    assert "Suicide risk: act today" in text and "Write a safety plan" in text
    assert f"/careplans/clients/{client_record.pk}/safety-plan/" in text or "safety" in text
    assert "chip-suicide_risk" in text  # the banner
    assert RiskFlag.objects.filter(client=client_record, kind="suicide_risk").exists()


def test_cssrs_skipped_answers_are_dropped(browser_as, case_manager, client_record):
    data = form_data(["yes", "no", "yes", "yes", "yes", "no", "yes"])
    browser_as(case_manager).post(give_url(client_record, "cssrs_screen"), data)
    r = InstrumentResponse.objects.get()
    assert r.answers == ["yes", "no", None, None, None, "no", None] and r.band == "low"


def test_audit_c_asks_for_sex_when_not_recorded(browser_as, case_manager, team):
    client = ClientFactory(team=team, sex_at_birth="declined", primary_case_manager=case_manager)
    browser = browser_as(case_manager)
    text = browser.get(give_url(client, "audit_c")).content.decode()
    assert "declined to answer: choose female or male explicitly" in text
    page = browser.post(give_url(client, "audit_c"), form_data([1, 1, 1]))
    assert 'id="id_sex_error"' in page.content.decode()
    browser.post(give_url(client, "audit_c"), form_data([1, 1, 1], sex="female"))
    assert InstrumentResponse.objects.get().positive is True


def test_audit_c_uses_recorded_sex(browser_as, case_manager, team):
    client = ClientFactory(team=team, sex_at_birth="male", primary_case_manager=case_manager)
    text = browser_as(case_manager).get(give_url(client, "audit_c")).content.decode()
    assert "Recorded sex at birth: Male." in text
    browser_as(case_manager).post(give_url(client, "audit_c"), form_data([1, 1, 1]))
    assert InstrumentResponse.objects.get().sex_used == "male"


def test_correcting_a_result(browser_as, case_manager, client_record):
    first = give(case_manager, client_record, answers=phq9(12))
    browser = browser_as(case_manager)
    url = give_url(client_record, "phq9") + f"?amends={first.pk}"
    assert "You are correcting the result" in browser.get(url).content.decode()
    browser.post(url, form_data(phq9(6)))
    fixed = InstrumentResponse.objects.exclude(pk=first.pk).get()
    assert fixed.amends == first and fixed.total == 6
    again = browser.post(url, form_data(phq9(5)))
    assert "corrected already" in again.content.decode()


def test_result_page_is_audited(browser_as, teammate, case_manager, client_record):
    r = give(case_manager, client_record, code="pcl5", answers=[2] * 20)
    text = browser_as(teammate).get(f"/assessments/clients/{client_record.pk}/results/{r.pk}/")
    assert "B: 10" in text.content.decode()
    assert AuditEvent.objects.filter(user=teammate, object_id=str(r.pk), action="view").exists()


# -------------------------------------------------------------------------------- trends
def test_trend_page_draws_the_chart_and_the_table(browser_as, case_manager, client_record):
    give(case_manager, client_record, answers=phq9(20), days_ago=60)
    give(case_manager, client_record, answers=phq9(4))
    text = browser_as(case_manager).get(f"/assessments/clients/{client_record.pk}/trends/phq9/")
    text = text.content.decode()
    assert "<svg" in text and "<polyline" in text and 'id="trend-table"' in text
    assert "moderately severe" in text  # a threshold label
    # The PHQ-9's response and remission are the published measures' (no diagnosis of
    # depression here: no episode), not "latest against first".
    assert 'id="outcome-none"' in text and 'id="trend-response"' not in text
    assert "style=" not in text.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_trend_page_empty_and_triage(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    base = f"/assessments/clients/{client_record.pk}/trends"
    assert "No GAD-7 results yet" in browser.get(f"{base}/gad7/").content.decode()
    assert "risk level, not a total" in browser.get(f"{base}/cssrs_screen/").content.decode()
    assert browser.get(f"{base}/nope/").status_code == 404


# ------------------------------------------------------------------ comprehensive assessment
def _start(browser, client):
    page = browser.post(f"/assessments/clients/{client.pk}/comprehensive/start/", follow=True)
    return ComprehensiveAssessment.objects.get(client=client, status="draft"), page


V1 = {"edit_version": 1}  # what each section's form carries when loaded


def test_start_save_sections_and_complete(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    a, page = _start(browser, client_record)
    assert "Draft." in page.content.decode()
    base = f"/assessments/clients/{client_record.pk}/comprehensive/{a.pk}"
    page = browser.post(f"{base}/sections/history/", {"presenting_concerns": "Low mood.", **V1})
    assert page.status_code == 302 and page.url.endswith("#section-history")
    browser.post(f"{base}/sections/person/", {"client_goals": "Get my kids back.", **V1})
    browser.post(
        f"{base}/sections/life/",
        {"social_needs": ["housing", "transport"], "housing": "Shelter", **V1},
    )
    browser.post(
        f"{base}/sections/stages/",
        {"stage_mental_health": "action", "stage_substance_use": "preparation", **V1},
    )
    asam = {f"asam_d{n}": "1" for n in range(1, 7)} | {
        "asam_edition": "3",
        "level_indicated": "3:3.5",  # the page's options name their edition
        "level_arranged": "3:1",
        **V1,
    }
    page = browser.post(f"{base}/sections/asam/", asam)
    assert page.status_code == 200
    assert 'id="id_level_difference_reason_error"' in page.content.decode()
    asam["level_difference_reason"] = "Client declined residential."
    assert browser.post(f"{base}/sections/asam/", asam).status_code == 302
    page = browser.post(f"{base}/substances/", {"substance": "", "pattern": "daily"})
    assert page.status_code == 400 and "Name the substance." in page.content.decode()
    browser.post(
        f"{base}/substances/",
        {"substance": "Alcohol", "pattern": "daily", "route": "oral", "age_first_use": "15"},
    )
    page = browser.post(f"{base}/complete/", follow=True)
    assert "Assessment completed and locked" in page.content.decode()
    a.refresh_from_db()
    assert a.status == "completed" and a.housing == "Shelter"
    assert a.social_needs == ["housing", "transport"] and a.substances.count() == 1

    # Locked: the section page refuses with the reason, a POST changes nothing.
    page = browser.post(
        f"{base}/sections/history/", {"presenting_concerns": "x", **V1}, follow=True
    )
    assert "completed and locked" in page.content.decode()
    a.refresh_from_db()
    assert a.presenting_concerns == "Low mood."
    assert "Edit section" not in browser.get(f"{base}/").content.decode()

    page = browser.post(f"{base}/new-version/", follow=True)
    assert "Version 2 started as a draft." in page.content.decode()


def test_complete_with_missing_parts_says_what(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    a, _ = _start(browser, client_record)
    page = browser.post(
        f"/assessments/clients/{client_record.pk}/comprehensive/{a.pk}/complete/", follow=True
    )
    assert "Not completed yet" in page.content.decode()
    a.refresh_from_db()
    assert a.status == "draft"


def test_bad_section_value_is_shown_next_to_the_field(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    a, _ = _start(browser, client_record)
    url = f"/assessments/clients/{client_record.pk}/comprehensive/{a.pk}/sections/stages/"
    page = browser.post(url, {"stage_mental_health": "denial"})
    assert 'id="id_stage_mental_health_error"' in page.content.decode()
    assert browser.get(url.replace("stages", "nope")).status_code == 404


def test_link_screens(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    r = give(case_manager, client_record, days_ago=200)
    a, _ = _start(browser, client_record)
    assert list(a.responses.all()) == []
    url = f"/assessments/clients/{client_record.pk}/comprehensive/{a.pk}/sections/screens/"
    assert "PHQ-9: 0 (minimal)" in browser.get(url).content.decode()
    browser.post(url, {"responses": [r.pk]})
    assert list(a.responses.all()) == [r]
