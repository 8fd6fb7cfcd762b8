"""Writes of the accounts app: API tokens (issue, revoke), sign-in throttling."""

import math
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, LoginThrottle, User

DEFAULT_DEVICE = "API client"


@transaction.atomic
def api_token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user`` on device ``name``, replacing that device's token.
    Returns the row and the token itself, which is shown once and never stored."""
    name = (name or DEFAULT_DEVICE).strip()[:100] or DEFAULT_DEVICE
    ApiToken.objects.filter(user=user, name=name).delete()
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=ApiToken.digest_of(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, raw


def api_token_revoke(*, actor: User, token_id: int) -> bool:
    """Revoke one token: its owner or an admin may. False when there was none."""
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        return False
    if token.user_id != actor.pk and not actor.is_admin_role:
        raise PermissionDenied("Only the owner or an admin can revoke this token.")
    token.delete()
    return True


def api_token_touch(*, token: ApiToken) -> None:
    """Record a use, at most once a minute per token (no write on every request)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# ------------------------------------------------------------------ sign-in throttling
# Failures of a username (or of one known device) are forgotten after a quiet day.
THROTTLE_QUIET = timedelta(hours=24)


def login_throttle_key(*, username: str, device_id: str | None = None) -> str:
    """The bucket an attempt counts in: the browser's own when it has signed in to this
    account before (``device_id`` from its known-device cookie), else the username's."""
    if device_id:
        return f"device:{device_id}"
    return f"user:{username.strip().lower()[:150]}"


def too_many_attempts(wait: int) -> str:
    """The message of a throttled attempt, for the login form and the API alike."""
    return f"Too many attempts, try again in {wait} second{'s' if wait != 1 else ''}."


def login_wait_seconds(*, key: str, now: datetime | None = None) -> int:
    """Seconds the next attempt in this bucket must still wait (0: go ahead)."""
    now = now or timezone.now()
    wait_until = (
        LoginThrottle.objects.filter(key=key, wait_until__gt=now)
        .values_list("wait_until", flat=True)
        .first()
    )
    if wait_until is None:
        return 0
    return max(1, math.ceil((wait_until - now).total_seconds()))


@transaction.atomic
def login_failure_record(*, key: str, username: str, now: datetime | None = None) -> int:
    """Count one failed sign-in in ``key``'s bucket; returns the seconds the next attempt
    must wait. The first time a bucket starts waiting, the account's owner (if the
    username is one) is told in the app and by email."""
    now = now or timezone.now()
    LoginThrottle.objects.get_or_create(key=key, defaults={"last_failure_at": now})
    row = LoginThrottle.objects.select_for_update().get(key=key)
    if row.last_failure_at < now - THROTTLE_QUIET:
        row.failures, row.notified_at = 0, None
    row.failures += 1
    row.last_failure_at = now
    free = settings.LOGIN_THROTTLE_FREE_FAILURES
    wait = 0
    if row.failures >= free:
        wait = min(2 ** (row.failures - free + 1), settings.LOGIN_THROTTLE_MAX_SECONDS)
        row.wait_until = now + timedelta(seconds=wait)
    notify = row.failures >= free and row.notified_at is None
    if notify:
        row.notified_at = now
    row.save(update_fields=["failures", "last_failure_at", "wait_until", "notified_at"])
    if notify:
        owner = User.objects.filter(username=username, is_active=True).first()
        if owner is not None:
            _notify_failed_sign_ins(owner=owner, failures=row.failures)
    return wait


def _notify_failed_sign_ins(*, owner: User, failures: int) -> None:
    from casemgmt.notifications.models import NotificationKind
    from casemgmt.notifications.services import notification_create

    notification_create(
        recipient=owner,
        kind=NotificationKind.INFO,
        title="Repeated failed sign-ins to your account",
        body=f"Someone entered a wrong password for your account {failures} times in a row. "
        "Further attempts are slowed down; your account is not locked. If it was not you, "
        "change your password, tell a program admin, and turn on two-factor sign-in.",
        link="/accounts/2fa/setup/",
        email=True,
    )


def login_success_record(*, key: str) -> None:
    """A successful sign-in clears its bucket."""
    LoginThrottle.objects.filter(key=key).delete()


def login_throttles_clear_stale(*, now: datetime | None = None) -> int:
    """Forget buckets quiet for a day (run with the hourly session sweep)."""
    now = now or timezone.now()
    deleted, _ = LoginThrottle.objects.filter(last_failure_at__lt=now - THROTTLE_QUIET).delete()
    return deleted


# -------------------------------------------------------------------- two-factor sign-in
RECOVERY_CODES = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def totp_device_start(*, user: User) -> Any:
    """The user's authenticator-app device being set up (created unconfirmed once; the
    same secret is shown until a code confirms it)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: Any, code: str) -> list[str] | None:
    """Confirm the device with a code from the app; returns the new recovery codes (shown
    once), or None when the code is wrong. Any other authenticator device of the user is
    removed: one app per user."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not device.verify_token(code.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_issue(user=device.user)


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Ten new single-use recovery codes (the old ones stop working); shown once."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def two_factor_verify(*, user: User, code: str) -> Any:
    """The device a code from the app (or an unused recovery code, then used up) belongs
    to, or None. Failures are throttled like passwords (bucket "otp:<user id>")."""
    from django_otp import match_token

    return match_token(user, code.strip().replace(" ", "").lower())
