"""Writes of the accounts app: API tokens (issue, revoke)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, User

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
