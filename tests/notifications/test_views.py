import pytest
from django.urls import reverse

from casemgmt.notifications.services import notification_create

pytestmark = pytest.mark.django_db


def test_bell_shows_unread_count_and_mark_read(browser_as, case_manager, outsider):
    note = notification_create(recipient=case_manager, kind="reminder", title="Call back Robin")
    notification_create(recipient=outsider, kind="reminder", title="Someone else's")
    browser = browser_as(case_manager)
    page = browser.get(reverse("notifications:list")).text
    assert "Call back Robin" in page and "Someone else" not in page
    assert '1<span class="visually-hidden"> unread</span>' in page
    browser.post(reverse("notifications:read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is not None


def test_cannot_mark_someone_elses_notification(browser_as, case_manager, outsider):
    note = notification_create(recipient=outsider, kind="reminder", title="x")
    browser_as(case_manager).post(reverse("notifications:read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is None
