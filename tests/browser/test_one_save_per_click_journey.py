"""One save per click: a case manager saves a GAD-7, presses Back and Save again (and
Back, Reload, Save): the chart holds one result. A new visit to the form is a new form."""

import re

from playwright.sync_api import expect

from assessments.models import InstrumentResponse
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory

LABELS = ["Several days (1)", "More than half the days (2)"]


def _answer(page):
    for n in range(1, 8):
        page.locator(f"#item-{n}").get_by_label(LABELS[n % 2]).check()


def test_gad7_save_back_save_keeps_one_result(page, shot, case_manager, team):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    form_url = f"/assessments/clients/{client.pk}/give/gad7/"
    log_in(page, "cm", PASSWORD)
    page.goto(form_url)
    expect(page.get_by_role("heading", name=re.compile("Generalized Anxiety"))).to_be_visible()
    key = page.locator("input[name=submission_key]").input_value()
    _answer(page)
    page.get_by_role("button", name="Save and score").click()
    expect(page.locator("#result-summary")).to_contain_text("11 / 21")
    result_url = page.url

    # Back, Save again: the first result, said so, and still one row.
    page.go_back()
    expect(page.get_by_role("button", name="Save and score")).to_be_visible()
    assert page.locator("input[name=submission_key]").input_value() == key
    _answer(page)  # as they were (a page fetched again may have lost them)
    page.get_by_role("button", name="Save and score").click()
    expect(page.locator("#result-summary")).to_contain_text("11 / 21")
    expect(page.get_by_role("status")).to_contain_text("already been saved")
    assert page.url == result_url
    shot(page, "one-save-01-replayed")
    assert InstrumentResponse.objects.filter(client=client, instrument="gad7").count() == 1

    # Back, Reload (the server renders a new key; the page puts the first one back), Save.
    page.go_back()
    page.reload()
    expect(page.get_by_role("button", name="Save and score")).to_be_visible()
    assert page.locator("input[name=submission_key]").input_value() == key
    _answer(page)
    page.get_by_role("button", name="Save and score").click()
    expect(page.get_by_role("status")).to_contain_text("already been saved")
    assert InstrumentResponse.objects.filter(client=client, instrument="gad7").count() == 1

    # A new visit to the form is a new form: its Save is a second result.
    page.goto(form_url)
    assert page.locator("input[name=submission_key]").input_value() != key
    _answer(page)
    page.get_by_role("button", name="Save and score").click()
    expect(page.locator("#result-summary")).to_contain_text("11 / 21")
    expect(page.get_by_role("status")).not_to_contain_text("already been saved")
    assert InstrumentResponse.objects.filter(client=client, instrument="gad7").count() == 2
    assert page.csp_violations == []
