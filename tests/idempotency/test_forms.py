"""A create form's one-time ``submission_key``: sent twice (Back + Save, a double click,
a retry), it saves once and the repeat is sent to the first result."""

import pytest
from django.contrib.messages import get_messages

from assessments.models import InstrumentResponse
from casemgmt.lib.idempotency.models import SubmissionKey, SubmissionMode
from clients.models import ContactNote

from .helpers import gad7_form, gad7_url

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_create_form_carries_a_fresh_key_on_every_page(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    first = browser.get(gad7_url(client_record)).content.decode()
    second = browser.get(gad7_url(client_record)).content.decode()
    assert first.count('name="submission_key"') == 1
    key = first.split('name="submission_key" value="')[1].split('"')[0]
    assert len(key) == 36 and key not in second


def test_same_key_twice_saves_once_and_replays_the_redirect(
    browser_as, case_manager, client_record
):
    browser = browser_as(case_manager)
    data = gad7_form()
    first = browser.post(gad7_url(client_record), data)
    assert first.status_code == 302
    again = browser.post(gad7_url(client_record), data)
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert InstrumentResponse.objects.filter(client=client_record).count() == 1
    assert any("already been saved" in m for m in _messages(again))
    # Nothing of the page is kept: the status and where it pointed.
    row = SubmissionKey.objects.get(key=data["submission_key"])
    assert (row.mode, row.response_status, row.response_body) == (SubmissionMode.FORM, 302, None)
    assert row.response_location == first["Location"]


def test_a_new_key_is_a_new_result(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    browser.post(gad7_url(client_record), gad7_form())
    browser.post(gad7_url(client_record), gad7_form())
    assert InstrumentResponse.objects.filter(client=client_record).count() == 2


def test_csrf_token_is_not_part_of_the_fingerprint(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    data = gad7_form()
    browser.post(gad7_url(client_record), {**data, "csrfmiddlewaretoken": "a"})
    again = browser.post(gad7_url(client_record), {**data, "csrfmiddlewaretoken": "b"})
    assert again["Idempotent-Replayed"] == "true"
    assert not any("changes you made" in m for m in _messages(again))


def test_changed_form_after_back_goes_to_the_first_result_saying_so(
    browser_as, case_manager, client_record
):
    browser = browser_as(case_manager)
    data = gad7_form()
    first = browser.post(gad7_url(client_record), data)
    changed = browser.post(gad7_url(client_record), {**data, "item_1": "3"})
    assert changed.status_code == 302 and changed["Location"] == first["Location"]
    assert InstrumentResponse.objects.filter(client=client_record).count() == 1
    assert any("changes you made after it were not saved" in m for m in _messages(changed))


def test_bad_input_releases_the_key_so_the_corrected_form_saves(
    browser_as, case_manager, client_record
):
    browser = browser_as(case_manager)
    data = gad7_form()
    incomplete = {k: v for k, v in data.items() if k != "item_7"}
    shown_again = browser.post(gad7_url(client_record), incomplete)
    assert shown_again.status_code == 200 and b"An answer is required" in shown_again.content
    assert not SubmissionKey.objects.filter(key=data["submission_key"]).exists()
    saved = browser.post(gad7_url(client_record), data)
    assert saved.status_code == 302 and "Idempotent-Replayed" not in saved
    assert InstrumentResponse.objects.filter(client=client_record).count() == 1


def test_another_users_key_is_not_replayed_to_you(
    browser_as, case_manager, teammate, client_record
):
    data = gad7_form()
    browser_as(case_manager).post(gad7_url(client_record), data)
    theirs = browser_as(teammate).post(gad7_url(client_record), data)
    assert theirs.status_code == 302 and "Idempotent-Replayed" not in theirs
    assert InstrumentResponse.objects.filter(client=client_record).count() == 2
    assert SubmissionKey.objects.filter(key=data["submission_key"]).count() == 2


def test_same_key_on_another_form_is_refused(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    data = gad7_form()
    browser.post(gad7_url(client_record), data)
    note = {
        "contact_at": data["administered_at"],
        "contact_type": "phone",
        "duration_minutes": "15",
        "data": "Spoke by phone.",
        "assessment": "Stable.",
        "plan": "Call next week.",
        "submission_key": data["submission_key"],
    }
    refused = browser.post(f"/clients/{client_record.pk}/notes/new/", note)
    assert refused.status_code == 422
    assert b"already used for a different request" in refused.content
    assert not ContactNote.objects.filter(client=client_record).exists()


def test_outsider_replays_nothing_and_gets_404(browser_as, case_manager, outsider, client_record):
    data = gad7_form()
    browser_as(case_manager).post(gad7_url(client_record), data)
    assert browser_as(outsider).post(gad7_url(client_record), data).status_code == 404
    assert SubmissionKey.objects.filter(key=data["submission_key"]).count() == 1


def test_a_refusal_behind_a_redirect_is_not_kept(browser_as, case_manager, client_record):
    """A button whose service refuses goes back with an error message: the same click
    again runs again (here: revising a plan that is not active)."""
    from careplans.services import careplan_create

    plan = careplan_create(actor=case_manager, client=client_record)
    browser = browser_as(case_manager)
    data = {"submission_key": "revise-once"}
    refused = browser.post(f"/careplans/{client_record.pk}/plans/{plan.pk}/revise/", data)
    assert refused.status_code == 302
    assert not SubmissionKey.objects.filter(key="revise-once").exists()


CREATE_PAGES = [
    "/clients/new/",
    "/clients/{c}/notes/new/",
    "/clients/{c}/consents/new/?kind=treatment",
    "/clients/{c}/diagnoses/",
    "/clients/{c}/flags/",
    "/clients/{c}/care-team/",
    "/assessments/clients/{c}/give/gad7/",
    "/assessments/clients/{c}/give/phq9/",
    "/assessments/clients/{c}/",
    "/careplans/{c}/",
    "/referrals/clients/{c}/new/",
    "/referrals/clients/{c}/follow-ups/new/",
    "/referrals/clients/{c}/transitions/new/",
    "/health/clients/{c}/medications/",
    "/health/clients/{c}/crisis/",
]


@pytest.mark.parametrize("page", CREATE_PAGES)
def test_every_create_form_carries_a_submission_key(browser_as, case_manager, client_record, page):
    html = browser_as(case_manager).get(page.format(c=client_record.pk)).content.decode()
    posting = html.count('method="post"') - 1  # the log-out button in the top bar
    assert posting >= 1
    assert html.count('name="submission_key"') >= 1
    assert html.count("data-submission-key") == html.count('name="submission_key"')
    assert 'src="/static/js/submission_key.js"' in html


def test_edit_forms_carry_no_key(browser_as, case_manager, client_record):
    note = ContactNote.objects.create(
        client=client_record,
        author=case_manager,
        contact_at=client_record.created_at,
        contact_type="phone",
        duration_minutes=10,
        data="Spoke.",
    )
    html = (
        browser_as(case_manager)
        .get(f"/clients/{client_record.pk}/notes/{note.pk}/edit/")
        .content.decode()
    )
    assert 'name="submission_key"' not in html
