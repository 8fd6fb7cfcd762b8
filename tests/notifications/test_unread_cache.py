"""The bell's unread count comes from the cache (Redis) and every write that changes it
drops it (issue 20: nothing on the hot path that a cache would serve equally)."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casemgmt.notifications.selectors import notification_unread_count_cached
from casemgmt.notifications.services import (
    NotificationDraft,
    notification_create,
    notification_mark_read,
    notifications_create_many,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unread_cache_on")]


@pytest.fixture
def unread_cache_on(settings):
    settings.UNREAD_COUNT_CACHE_SECONDS = 300


BELL = '<span class="visually-hidden"> unread</span>'


def _count_queries(captured) -> int:
    return sum(
        1
        for q in captured.captured_queries
        if "notifications_notification" in q["sql"] and "COUNT" in q["sql"].upper()
    )


def test_a_second_page_counts_the_bell_without_a_query(browser_as, case_manager):
    notification_create(recipient=case_manager, kind="reminder", title="Call back Robin")
    browser = browser_as(case_manager)
    with CaptureQueriesContext(connection) as first:
        assert f"1{BELL}" in browser.get(reverse("my_followups")).text
    with CaptureQueriesContext(connection) as second:
        assert f"1{BELL}" in browser.get(reverse("my_followups")).text
    assert _count_queries(first) == 1
    assert _count_queries(second) == 0


def test_a_new_notification_shows_at_once(browser_as, case_manager):
    browser = browser_as(case_manager)
    assert BELL not in browser.get(reverse("my_followups")).text  # 0, now cached
    notification_create(recipient=case_manager, kind="reminder", title="One")
    assert f"1{BELL}" in browser.get(reverse("my_followups")).text
    notifications_create_many(
        drafts=[NotificationDraft(recipient_id=case_manager.pk, kind="reminder", title="Two")]
    )
    assert f"2{BELL}" in browser.get(reverse("my_followups")).text


def test_reading_them_clears_the_bell(browser_as, case_manager, outsider):
    note = notification_create(recipient=case_manager, kind="reminder", title="One")
    notification_create(recipient=outsider, kind="reminder", title="Theirs")
    browser = browser_as(case_manager)
    assert f"1{BELL}" in browser.get(reverse("my_followups")).text
    browser.post(reverse("notifications:read", args=[note.pk]))
    assert BELL not in browser.get(reverse("my_followups")).text
    assert notification_unread_count_cached(user=outsider) == 1


def test_mark_all_read_drops_the_count(case_manager):
    notification_create(recipient=case_manager, kind="reminder", title="One")
    notification_create(recipient=case_manager, kind="reminder", title="Two")
    assert notification_unread_count_cached(user=case_manager) == 2
    assert notification_mark_read(user=case_manager) == 2
    assert notification_unread_count_cached(user=case_manager) == 0


def test_a_cache_that_does_not_answer_costs_the_query_not_the_page(browser_as, case_manager):
    notification_create(recipient=case_manager, kind="reminder", title="One")
    broken = mock.patch("django.core.cache.cache.get", side_effect=ConnectionError("down"))
    with broken:
        assert f"1{BELL}" in browser_as(case_manager).get(reverse("my_followups")).text
