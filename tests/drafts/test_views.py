"""Drafts that survive: a form posted after the session ended, with an expired CSRF token,
or answered by a server error keeps what was typed, restored after login to the same
user in the same browser; a save deletes the draft; autosave and keep-alive."""

import json
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from faker import Faker

from casemgmt.audit.models import AuditEvent
from casemgmt.drafts.models import Draft, DraftReason
from casemgmt.drafts.services import PENDING_PER_BROWSER
from tests.factories import PASSWORD

fake = Faker()
RESTORED = "We kept what you typed on this form"


def _page(client_record):
    return reverse("clients:note_create", kwargs={"pk": client_record.pk})


def _note_post(page, text, **extra):
    return {
        "_draft": page,
        "contact_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "contact_type": "phone",
        "duration_minutes": "20",
        "data": text,
        "assessment": "",
        "plan": "",
        "csrfmiddlewaretoken": "x",
        "submission_key": "k-1",
        **extra,
    }


def _kept_fields(response):
    match = re.search(
        r'<script id="draft-fields" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1)) if match else None


def _log_in(browser, user):
    response = browser.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    return response


def _signed_out_browser(user):
    """A browser where ``user`` was signed in, whose session then expired server-side."""
    browser = Client()
    browser.force_login(user)
    assert browser.get(reverse("home")).status_code == 200  # the draft cookie names the user
    Session.objects.all().delete()
    return browser


def test_post_after_the_session_ended_is_kept_and_restored_after_login(case_manager, client_record):
    page = _page(client_record)
    browser = _signed_out_browser(case_manager)
    text = fake.paragraph()

    response = browser.post(page, _note_post(page, text))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={page.replace('/', '%2F')}"
    draft = Draft.objects.get()
    assert draft.needs_claim and draft.user == case_manager
    assert draft.reason == DraftReason.SESSION_EXPIRED
    assert draft.fields["data"] == [text]
    assert not {"csrfmiddlewaretoken", "submission_key", "_draft"} & set(draft.fields)
    login_page = browser.get(response["Location"])
    assert "log in again to go back to it" in login_page.content.decode()

    _log_in(browser, case_manager)
    form = browser.get(page)

    assert RESTORED in form.content.decode()
    assert _kept_fields(form)["data"] == [text]
    assert AuditEvent.objects.filter(object_type="drafts.draft", user=case_manager).exists()


def test_another_user_logging_in_on_that_browser_gets_nothing(
    case_manager, teammate, client_record
):
    page = _page(client_record)
    browser = _signed_out_browser(case_manager)
    browser.post(page, _note_post(page, fake.paragraph()))

    _log_in(browser, teammate)
    form = browser.get(page)

    assert RESTORED not in form.content.decode() and _kept_fields(form) is None
    assert Draft.objects.get().needs_claim  # still waiting for its owner
    browser.post(reverse("accounts:logout"))
    _log_in(browser, case_manager)
    assert RESTORED in browser.get(page).content.decode()


def test_the_same_user_in_another_browser_gets_nothing(case_manager, client_record):
    page = _page(client_record)
    _signed_out_browser(case_manager).post(page, _note_post(page, fake.paragraph()))

    other = Client()
    _log_in(other, case_manager)

    assert RESTORED not in other.get(page).content.decode()


def test_a_forged_draft_cookie_claims_nothing(case_manager, client_record):
    page = _page(client_record)
    _signed_out_browser(case_manager).post(page, _note_post(page, fake.paragraph()))
    other = Client()
    other.cookies[settings.DRAFT_COOKIE_NAME] = "forged:value"
    _log_in(other, case_manager)
    assert RESTORED not in other.get(page).content.decode()


def test_csrf_failure_keeps_the_draft(case_manager, client_record):
    page = _page(client_record)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(case_manager)
    text = fake.paragraph()

    response = browser.post(page, _note_post(page, text), HTTP_ORIGIN="http://testserver")

    assert response.status_code == 302 and response["Location"] == page
    draft = Draft.objects.get(user=case_manager, needs_claim=False)
    assert draft.reason == DraftReason.CSRF_FAILURE and draft.fields["data"] == [text]
    form = browser.get(page)
    assert RESTORED in form.content.decode() and _kept_fields(form)["data"] == [text]


def test_csrf_failure_after_the_session_ended_goes_to_login_and_keeps(case_manager, client_record):
    page = _page(client_record)
    browser = _signed_out_browser(case_manager)
    browser.handler.enforce_csrf_checks = True

    response = browser.post(
        page, _note_post(page, fake.paragraph()), HTTP_ORIGIN="http://testserver"
    )

    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    assert Draft.objects.get().needs_claim


def test_a_cross_site_post_is_not_kept(case_manager, client_record):
    page = _page(client_record)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(case_manager)

    response = browser.post(
        page, _note_post(page, fake.paragraph()), HTTP_ORIGIN="https://evil.example"
    )

    assert response.status_code == 403
    assert not Draft.objects.exists()


def test_server_error_keeps_the_draft(case_manager, client_record):
    page = _page(client_record)
    browser = Client(raise_request_exception=False)
    browser.force_login(case_manager)
    text = fake.paragraph()

    with mock.patch("clients.services.note_create", side_effect=RuntimeError("boom")):
        response = browser.post(page, _note_post(page, text, assessment="a", plan="p"))

    assert response.status_code == 500
    assert "What you typed on the form is kept as a draft" in response.content.decode()
    assert f'href="{page}"' in response.content.decode()
    draft = Draft.objects.get(user=case_manager)
    assert draft.reason == DraftReason.SERVER_ERROR and draft.fields["data"] == [text]


def test_a_successful_save_deletes_the_draft(browser_as, case_manager, client_record):
    page = _page(client_record)
    browser = browser_as(case_manager)
    browser.post(reverse("drafts:autosave"), _note_post(page, fake.paragraph()))
    assert Draft.objects.filter(user=case_manager).exists()

    response = browser.post(page, _note_post(page, fake.paragraph(), assessment="a", plan="p"))

    assert response.status_code == 302
    assert not Draft.objects.exists()


def test_a_form_with_errors_keeps_the_draft(browser_as, case_manager, client_record):
    page = _page(client_record)
    browser = browser_as(case_manager)
    browser.post(reverse("drafts:autosave"), _note_post(page, fake.paragraph()))
    assert browser.post(page, _note_post(page, "")).status_code == 200
    assert Draft.objects.filter(user=case_manager).exists()


def test_autosave_keeps_one_draft_per_page_without_secrets(browser_as, case_manager, client_record):
    page = _page(client_record)
    browser = browser_as(case_manager)
    first, second = fake.paragraph(), fake.paragraph()

    assert browser.post(reverse("drafts:autosave"), _note_post(page, first)).json()["kept"]
    response = browser.post(
        reverse("drafts:autosave"), _note_post(page, second, new_password="hunter2-hunter2")
    )

    assert response.status_code == 200
    draft = Draft.objects.get()
    assert draft.fields["data"] == [second] and draft.reason == DraftReason.AUTOSAVE
    assert "new_password" not in draft.fields


def test_autosave_of_an_empty_form_keeps_nothing(browser_as, case_manager, client_record):
    page = _page(client_record)
    response = browser_as(case_manager).post(
        reverse("drafts:autosave"), {"_draft": page, "data": "  "}
    )
    assert response.json()["kept"] is False and not Draft.objects.exists()


@pytest.mark.parametrize(
    "page", ["", "https://evil.example/x", "//evil.example/x", "/api/v1/notes/"]
)
def test_autosave_refuses_a_page_that_is_not_ours(browser_as, case_manager, page):
    response = browser_as(case_manager).post(
        reverse("drafts:autosave"), {"_draft": page, "data": "x"}
    )
    assert response.status_code == 400 and not Draft.objects.exists()


def test_autosave_signed_out_answers_401_and_keeps_for_the_browser(case_manager, client_record):
    page = _page(client_record)
    browser = _signed_out_browser(case_manager)
    response = browser.post(reverse("drafts:autosave"), _note_post(page, fake.paragraph()))
    assert response.status_code == 401 and response.json()["kept"] is True
    assert Draft.objects.get().needs_claim


def test_drafts_of_another_user_are_never_shown(browser_as, case_manager, teammate, client_record):
    page = _page(client_record)
    browser = browser_as(teammate)
    browser.post(reverse("drafts:autosave"), _note_post(page, fake.paragraph()))
    browser.force_login(case_manager)
    assert RESTORED not in browser.get(page).content.decode()


def test_discard_forgets_the_draft(browser_as, case_manager, client_record):
    page = _page(client_record)
    browser = browser_as(case_manager)
    browser.post(reverse("drafts:autosave"), _note_post(page, fake.paragraph()))
    response = browser.post(reverse("drafts:discard"), {"_draft": page})
    assert response.status_code == 302 and response["Location"] == page
    assert not Draft.objects.exists()


def test_keepalive_renews_the_session(browser_as, case_manager):
    browser = browser_as(case_manager)
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(seconds=30))

    response = browser.post(reverse("drafts:keepalive"))

    assert response.status_code == 200 and response.json()["signed_in"] is True
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_keepalive_signed_out_is_401(client):
    assert client.post(reverse("drafts:keepalive")).status_code == 401


def test_idle_warning_is_on_every_signed_in_page(browser_as, case_manager):
    body = browser_as(case_manager).get(reverse("home")).content.decode()
    assert 'id="idle-warning"' in body
    assert f'data-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in body
    assert f'data-warning-seconds="{settings.IDLE_WARNING_SECONDS}"' in body
    assert "Stay signed in" in body


def test_a_browser_nobody_signed_in_on_keeps_nothing(client, client_record):
    page = _page(client_record)
    response = client.post(page, _note_post(page, fake.paragraph()))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    assert not Draft.objects.exists()
    assert settings.DRAFT_COOKIE_NAME not in response.cookies


def test_a_signed_out_browser_keeps_a_bounded_number_of_pages(case_manager, client_record):
    browser = _signed_out_browser(case_manager)
    for n in range(PENDING_PER_BROWSER + 5):
        page = f"{_page(client_record)}?n={n}"
        browser.post(reverse("drafts:autosave"), _note_post(page, fake.sentence()))
    assert Draft.objects.filter(needs_claim=True).count() == PENDING_PER_BROWSER


def test_each_login_renews_the_draft_cookie(case_manager):
    browser = Client()
    _log_in(browser, case_manager)
    browser.post(reverse("accounts:logout"))
    response = _log_in(browser, case_manager)
    assert response.cookies[settings.DRAFT_COOKIE_NAME]["max-age"] == (
        settings.DRAFT_RETENTION_DAYS * 24 * 60 * 60
    )
