"""Pages: happy path, bad input shown next to the field, outsider 404, query counts."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casemgmt.notifications.models import NotificationPreference
from referrals.models import CareTransition, FollowUp, Referral, Service
from referrals.services import followup_create, referral_create, referral_send
from tests.factories import ClientFactory
from tests.referrals.conftest import part2_consent

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def test_referrals_tab_is_registered_and_renders(browser_as, case_manager, client_record):
    response = browser_as(case_manager).get(f"/referrals/clients/{client_record.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    tab = f'href="/referrals/clients/{client_record.pk}/">Referrals</a>'
    assert tab in html  # the chart tab, registered by referrals.apps
    assert "No referrals yet" in html


def test_outsider_gets_404_on_every_client_page(
    browser_as, outsider, case_manager, client_record, service
):
    referral = referral_create(
        actor=case_manager, client=client_record, service=service, reason="x"
    )
    browser = browser_as(outsider)
    for url in (
        f"/referrals/clients/{client_record.pk}/",
        f"/referrals/clients/{client_record.pk}/new/",
        f"/referrals/clients/{client_record.pk}/{referral.pk}/",
        f"/referrals/clients/{client_record.pk}/{referral.pk}/packet/",
        f"/referrals/clients/{client_record.pk}/disclosures/",
        f"/referrals/clients/{client_record.pk}/transitions/new/",
    ):
        assert browser.get(url).status_code == 404, url


def test_new_referral_with_errors_keeps_input(browser_as, case_manager, client_record):
    response = browser_as(case_manager).post(
        f"/referrals/clients/{client_record.pk}/new/",
        {"reason": "Needs housing", "urgency": "routine"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a service from the directory, or name the provider." in html
    assert "Needs housing" in html
    assert not Referral.objects.exists()


def test_send_without_consent_shows_the_reason(browser_as, case_manager, client_record, service):
    referral = referral_create(
        actor=case_manager, client=client_record, service=service, reason="x"
    )
    response = browser_as(case_manager).post(
        f"/referrals/clients/{client_record.pk}/{referral.pk}/",
        {"move": "sent", "sent-status": "sent", "sent-note": ""},
    )
    assert response.status_code == 200
    assert "No active 42 CFR Part 2 consent names" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "draft"


def test_send_with_consent_then_packet_and_disclosure_log(
    browser_as, case_manager, client_record, service
):
    part2_consent(client_record, case_manager)
    referral = referral_create(
        actor=case_manager, client=client_record, service=service, reason="x"
    )
    browser = browser_as(case_manager)
    response = browser.post(
        f"/referrals/clients/{client_record.pk}/{referral.pk}/",
        {"move": "sent", "sent-status": "sent", "sent-note": "Faxed"},
    )
    assert response.status_code == 302
    packet = browser.get(f"/referrals/clients/{client_record.pk}/{referral.pk}/packet/")
    assert packet["Content-Type"] == "application/pdf"
    assert packet.content.startswith(b"%PDF")
    page = browser.get(f"/referrals/clients/{client_record.pk}/{referral.pk}/packet/?format=html")
    assert "42 CFR 2.32" in page.content.decode()
    log = browser.get(f"/referrals/clients/{client_record.pk}/disclosures/?print=1")
    assert "Harbor Detox" in log.content.decode()


def test_transition_form_errors_and_success(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    url = f"/referrals/clients/{client_record.pk}/transitions/new/"
    today = timezone.localdate()
    data = {
        "from_level": "inpatient_psych",
        "to_level": "outpatient",
        "focus": "mental_health",
        "facility": "St. Jude",
        "admitted_on": str(today),
        "discharged_on": str(today - timedelta(days=2)),
    }
    response = browser.post(url, data)
    assert "The discharge date cannot be before the admission date." in response.content.decode()
    assert not CareTransition.objects.exists()
    data["admitted_on"] = str(today - timedelta(days=5))
    response = browser.post(url, data, follow=True)
    assert "FUH follow-ups created" in response.content.decode()
    assert FollowUp.objects.count() == 2


def test_outsider_cannot_close_a_followup(browser_as, outsider, case_manager, client_record):
    f = followup_create(
        actor=case_manager,
        client=client_record,
        assignee=None,
        reason="general",
        title="x",
        due_on=timezone.localdate(),
    )
    response = browser_as(outsider).post(f"/referrals/follow-ups/{f.pk}/close/", {"status": "done"})
    assert response.status_code == 404


@pytest.mark.parametrize("rows", [1, 10])
def test_pages_query_counts_do_not_grow(
    browser_as, case_manager, team, service, rows, django_assert_max_num_queries
):
    part2_consent_client = None
    for _ in range(rows):
        client = ClientFactory(team=team, primary_case_manager=case_manager)
        part2_consent(client, case_manager)
        referral_send(
            actor=case_manager,
            referral=referral_create(
                actor=case_manager, client=client, service=service, reason="x"
            ),
        )
        part2_consent_client = client
    browser = browser_as(case_manager)
    for url in ("/follow-ups/", "/referrals/", "/referrals/directory/"):
        with django_assert_max_num_queries(20):
            assert browser.get(url).status_code == 200
    with django_assert_max_num_queries(30):
        assert browser.get(f"/referrals/clients/{part2_consent_client.pk}/").status_code == 200


def test_directory_search(browser_as, case_manager, service):
    Service.objects.create(
        organization=service.organization, name="Pantry", category="food", languages=["English"]
    )
    browser = browser_as(case_manager)
    html = browser.get("/referrals/directory/?language=spanish").content.decode()
    assert "Medically managed withdrawal" in html and "Pantry" not in html
    html = browser.get("/referrals/directory/?category=food").content.decode()
    assert "Pantry" in html and "Medically managed withdrawal" not in html


def _uploads(folder):
    return {
        p.stem: SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv")
        for p in (DATA / folder).glob("*.csv")
    }


def test_hsds_import_page_is_admin_only(browser_as, case_manager):
    assert browser_as(case_manager).get("/referrals/directory/import/").status_code == 403


def test_hsds_import_page_dry_run_lists_bad_rows(browser_as, admin_user):
    browser = browser_as(admin_user)
    response = browser.post("/referrals/directory/import/", {**_uploads("bad"), "dry_run": "on"})
    html = response.content.decode()
    assert "services.csv line 3: Unknown organization_id" in html
    response = browser.post("/referrals/directory/import/", _uploads("bad"))
    assert "Nothing was imported." in response.content.decode()
    assert not Service.objects.exists()
    response = browser.post("/referrals/directory/import/", _uploads("good"))
    assert response.status_code == 302 and Service.objects.count() == 3


def test_notification_settings_turn_email_off(browser_as, case_manager):
    browser = browser_as(case_manager)
    assert "checked" in browser.get("/notifications/settings/").content.decode()
    browser.post("/notifications/settings/", {})
    assert NotificationPreference.objects.get(user=case_manager).email_reminders is False
    browser.post("/notifications/settings/", {"email_reminders": "on"})
    assert NotificationPreference.objects.get(user=case_manager).email_reminders is True


def test_followup_close_never_redirects_off_site(browser_as, case_manager, client_record):

    from referrals.services import followup_create

    followup = followup_create(
        actor=case_manager,
        client=client_record,
        assignee=case_manager,
        reason="general",
        title="x",
        due_on=timezone.localdate(),
    )
    response = browser_as(case_manager).post(
        f"/referrals/follow-ups/{followup.pk}/close/",
        {"status": "done", "next": "https://evil.example/x"},
    )
    assert response.status_code == 302 and response.url == "/follow-ups/"


# ------------------------------------------------------------------------ reschedule
def _followup(client, actor, days=1, title="Check-in call"):
    return followup_create(
        actor=actor,
        client=client,
        assignee=None,
        reason="general",
        title=title,
        due_on=timezone.localdate() + timedelta(days=days),
    )


def test_reschedule_is_offered_next_to_mark_done(browser_as, case_manager, client_record):
    f = _followup(client_record, case_manager)
    browser = browser_as(case_manager)
    url = f"/referrals/follow-ups/{f.pk}/reschedule/"
    for page in (f"/referrals/clients/{client_record.pk}/", "/follow-ups/"):
        assert f'href="{url}?next=' in browser.get(page).content.decode(), page


def test_reschedule_page_moves_the_followup_and_goes_back(browser_as, case_manager, client_record):
    f = _followup(client_record, case_manager)
    browser = browser_as(case_manager)
    url = f"/referrals/follow-ups/{f.pk}/reschedule/"
    html = browser.get(url).content.decode()
    assert "Reschedule follow-up" in html and "Check-in call" in html
    assert f'value="{f.due_on:%Y-%m-%d}"' in html  # the current date to start from
    assert "Not moved before." in html
    new_due = timezone.localdate() + timedelta(days=3)
    response = browser.post(
        url,
        {
            "due_on": str(new_due),
            "due_time": "15:00",
            "reason": "Client asked for Thursday",
            "next": "/follow-ups/",
        },
    )
    assert response.status_code == 302 and response.url == "/follow-ups/"
    f.refresh_from_db()
    assert (f.due_on, f"{f.due_time:%H:%M}", f.schedule_version) == (new_due, "15:00", 2)
    html = browser.get(url).content.decode()
    assert "Client asked for Thursday" in html  # the move is listed
    tab = browser.get(f"/referrals/clients/{client_record.pk}/").content.decode()
    assert "Rescheduled" in tab


def test_reschedule_errors_are_next_to_the_field_and_the_input_is_kept(
    browser_as, case_manager, client_record
):
    f = _followup(client_record, case_manager)
    browser = browser_as(case_manager)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = browser.post(
        f"/referrals/follow-ups/{f.pk}/reschedule/",
        {"due_on": str(yesterday), "due_time": "09:15", "reason": "Client is in hospital"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="form-errors"' in html
    assert 'id="id_due_on_error"' in html and "cannot be in the past" in html
    assert f'value="{yesterday:%Y-%m-%d}"' in html and 'value="09:15"' in html
    assert "Client is in hospital" in html
    response = browser.post(
        f"/referrals/follow-ups/{f.pk}/reschedule/",
        {"due_on": str(timezone.localdate() + timedelta(days=2)), "reason": ""},
    )
    assert 'id="id_reason_error"' in response.content.decode()
    f.refresh_from_db()
    assert f.schedule_version == 1


def test_a_closed_followup_says_it_cannot_be_rescheduled(browser_as, case_manager, client_record):
    from referrals.services import followup_close

    f = _followup(client_record, case_manager)
    followup_close(actor=case_manager, followup=f, status="done")
    browser = browser_as(case_manager)
    url = f"/referrals/follow-ups/{f.pk}/reschedule/"
    html = browser.get(url).content.decode()
    assert "only an open follow-up can be rescheduled" in html
    assert 'name="reason"' not in html
    response = browser.post(
        url, {"due_on": str(timezone.localdate() + timedelta(days=2)), "reason": "x"}
    )
    assert response.status_code == 200
    assert "already done; only an open follow-up" in response.content.decode()


def test_outsider_gets_404_on_the_reschedule_page(
    browser_as, outsider, case_manager, client_record
):
    f = _followup(client_record, case_manager)
    browser = browser_as(outsider)
    url = f"/referrals/follow-ups/{f.pk}/reschedule/"
    assert browser.get(url).status_code == 404
    data = {"due_on": str(timezone.localdate() + timedelta(days=2)), "reason": "x"}
    assert browser.post(url, data).status_code == 404
    f.refresh_from_db()
    assert f.schedule_version == 1


def test_reschedule_never_redirects_off_site(browser_as, case_manager, client_record):
    f = _followup(client_record, case_manager)
    response = browser_as(case_manager).post(
        f"/referrals/follow-ups/{f.pk}/reschedule/",
        {
            "due_on": str(timezone.localdate() + timedelta(days=2)),
            "reason": "x",
            "next": "https://evil.example/x",
        },
    )
    assert response.status_code == 302
    assert response.url == f"/referrals/clients/{client_record.pk}/#followup-{f.pk}"


def test_a_transition_followup_page_states_the_window_rule(browser_as, case_manager, client_record):
    from referrals.services import transition_record

    transition_record(
        actor=case_manager,
        client=client_record,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="St. Jude",
        discharged_on=timezone.localdate() - timedelta(days=1),
    )
    seven = FollowUp.objects.get(window_days=7)
    url = f"/referrals/follow-ups/{seven.pk}/reschedule/"
    browser = browser_as(case_manager)
    assert "7-day FUH window:" in browser.get(url).content.decode()
    response = browser.post(
        url, {"due_on": str(seven.due_on + timedelta(days=1)), "reason": "Client away"}
    )
    html = response.content.decode()
    assert 'id="id_due_on_error"' in html and "window ends on" in html
