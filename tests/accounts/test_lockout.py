"""Finding 7 of issue 14: lockout that cannot be used to keep someone out.

Per username: growing waits after a few failures, never a lock; per address: django-axes
locks an address that fails too often, whatever the usernames; the owner is told.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import LoginThrottle
from casemgmt.notifications.models import Notification, OutboxMessage
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PROXY = "203.0.113.7"  # documentation range: one proxy address for everyone


def _post(client, username, password, ip=PROXY):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _end_waits():
    LoginThrottle.objects.filter(wait_until__isnull=False).update(
        wait_until=timezone.now() - timedelta(seconds=1)
    )


def test_failures_for_one_user_do_not_lock_another_behind_the_same_address(
    client, case_manager, teammate
):
    for _ in range(settings.LOGIN_THROTTLE_FREE_FAILURES + 3):
        _post(client, "cm", "wrong")
        _end_waits()
    response = _post(client, "teammate", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(teammate.pk)


def test_failures_behind_one_address_never_lock_the_account(client, case_manager):
    from django.test import Client

    attacker = Client()
    assert settings.AXES_FAILURE_LIMIT > 20
    for _ in range(20):
        _post(attacker, "cm", "wrong")  # the attacker shares the office proxy
        _end_waits()
    owner = Client()  # a browser that never signed in here before
    response = _post(owner, "cm", PASSWORD)
    assert response.status_code == 302  # before: 429 for 15 minutes after 5 guesses


def test_failures_from_many_addresses_slow_the_username_down(client, case_manager):
    free = settings.LOGIN_THROTTLE_FREE_FAILURES
    for i in range(free - 1):
        response = _post(client, "cm", "wrong", ip=f"198.51.100.{i + 1}")
        assert "Too many attempts" not in response.text
    response = _post(client, "cm", "wrong", ip="198.51.100.50")
    assert "Too many attempts, try again in 2 seconds." in response.text
    # Even the right password waits, from yet another address, with a clear message ...
    response = _post(client, "cm", PASSWORD, ip="198.51.100.51")
    assert response.status_code == 200
    assert "Too many attempts, try again in" in response.text
    assert "_auth_user_id" not in client.session


def test_the_wait_doubles_and_is_capped(client, case_manager, settings):
    settings.LOGIN_THROTTLE_FREE_FAILURES = 5
    settings.LOGIN_THROTTLE_MAX_SECONDS = 10
    waits = []
    for i in range(8):
        _post(client, "cm", "wrong", ip=f"198.51.100.{i + 1}")
        row = LoginThrottle.objects.get(key="user:cm")
        waits.append(
            round((row.wait_until - row.last_failure_at).total_seconds()) if row.wait_until else 0
        )
        _end_waits()
    assert waits == [0, 0, 0, 0, 2, 4, 8, 10]


def test_after_the_wait_the_right_password_works(client, case_manager):
    for i in range(settings.LOGIN_THROTTLE_FREE_FAILURES + 2):
        _post(client, "cm", "wrong", ip=f"198.51.100.{i + 1}")
        _end_waits()
    _end_waits()  # time passes: not a permanent lockout
    response = _post(client, "cm", PASSWORD, ip="198.51.100.99")
    assert response.status_code == 302
    assert not LoginThrottle.objects.filter(key="user:cm").exists()  # success clears it


def test_a_browser_that_signed_in_before_is_not_kept_out(client, case_manager):
    from django.test import Client

    assert _post(client, "cm", PASSWORD).status_code == 302  # the owner's own browser
    client.post(reverse("accounts:logout"))
    attacker = Client()
    for i in range(settings.LOGIN_THROTTLE_FREE_FAILURES + 2):
        _post(attacker, "cm", "wrong", ip=f"192.0.2.{i + 1}")
    assert "Too many attempts" in _post(attacker, "cm", PASSWORD, ip="192.0.2.99").text
    # The owner's browser carries its known-device cookie: its own bucket, no wait.
    response = _post(client, "cm", PASSWORD)
    assert response.status_code == 302


def test_the_owner_is_notified_once_of_repeated_failures(client, case_manager):
    for i in range(settings.LOGIN_THROTTLE_FREE_FAILURES + 2):
        _post(client, "cm", "wrong", ip=f"198.51.100.{i + 1}")
        _end_waits()
    notes = Notification.objects.filter(recipient=case_manager)
    assert notes.count() == 1
    assert "failed sign-ins" in notes.get().title
    assert OutboxMessage.objects.filter(recipient_id=case_manager.pk).count() == 1


def test_unknown_usernames_notify_nobody_and_are_throttled_too(client, case_manager):
    for i in range(settings.LOGIN_THROTTLE_FREE_FAILURES):
        _post(client, "nobody-here", "wrong", ip=f"198.51.100.{i + 1}")
    assert "Too many attempts" in _post(client, "nobody-here", "x", ip="198.51.100.77").text
    assert not Notification.objects.exists()


def test_an_address_with_too_many_failures_is_locked_out(client, case_manager, teammate):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _post(client, f"guess{i}", "wrong")  # many usernames, one address
    response = _post(client, "teammate", PASSWORD)
    assert response.status_code == 429
    assert "from this network" in response.text
    # Another address is not affected.
    assert _post(client, "teammate", PASSWORD, ip="198.51.100.200").status_code == 302


def test_api_token_endpoint_is_throttled_per_username(api, case_manager):
    url = reverse("api-token")
    for i in range(settings.LOGIN_THROTTLE_FREE_FAILURES):
        api.post(url, {"username": "cm", "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{i + 1}")
    response = api.post(url, {"username": "cm", "password": PASSWORD}, REMOTE_ADDR="198.51.100.88")
    assert response.status_code == 429
    assert "Too many attempts, try again in" in response.json()["detail"]
    assert int(response.headers["Retry-After"]) >= 1
