"""Writes for drafts: keep, claim after login, discard, purge.

Drafts hold what was typed into clinical forms: never log their values, and never pass
them to a task (the purge takes no argument).
"""

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.drafts.models import Draft, DraftReason

#: Field names never kept: the CSRF token, one-time submission keys, the page marker.
EXCLUDED_FIELDS = frozenset({"csrfmiddlewaretoken", "submission_key", "_draft"})
#: Drafts one browser may keep while signed out, waiting for a login there.
PENDING_PER_BROWSER = 20


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def draft_fields_clean(data: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The fields worth keeping: no CSRF token, password or submission key, not all empty."""
    fields: dict[str, list[str]] = {}
    for name, values in data.items():
        if name in EXCLUDED_FIELDS or "password" in name.lower() or len(name) > 200:
            continue
        fields[name] = [str(value) for value in values]
    return fields


def _has_text(fields: Mapping[str, Sequence[str]]) -> bool:
    return any(value.strip() for values in fields.values() for value in values)


@transaction.atomic
def draft_keep(
    *,
    path: str,
    fields: Mapping[str, Sequence[str]],
    reason: DraftReason,
    user: User | None = None,
    browser_token: str = "",
    owner_id: int | None = None,
) -> Draft | None:
    """Keep what was typed on the form at ``path``.

    With ``user`` (a signed-in request) the draft is that user's, one per page. Without
    (the session had ended), it is bound to the browser's token and waits for a login in
    that browser; ``owner_id``, when the browser said whose session it was, is the only
    user who may claim it. Nothing is kept when every field is empty.
    """
    cleaned = draft_fields_clean(fields)
    if not _has_text(cleaned):
        return None
    if user is not None:
        draft, _ = Draft.objects.update_or_create(
            user=user,
            path=path,
            needs_claim=False,
            defaults={"fields": cleaned, "reason": reason},
        )
        return draft
    if not browser_token:
        return None
    hashed = token_hash(browser_token)
    pending = Draft.objects.filter(browser_token=hashed, needs_claim=True)
    pending.filter(path=path).delete()
    # A browser keeps at most PENDING_PER_BROWSER pages waiting for a login: the oldest go.
    stale = pending.order_by("-updated_at").values_list("pk", flat=True)[PENDING_PER_BROWSER - 1 :]
    Draft.objects.filter(pk__in=list(stale)).delete()
    if owner_id is not None and not User.objects.filter(pk=owner_id).exists():
        owner_id = None
    return Draft.objects.create(
        user_id=owner_id,
        path=path,
        fields=cleaned,
        reason=reason,
        browser_token=hashed,
        needs_claim=True,
    )


@transaction.atomic
def drafts_claim(*, user: User, browser_token: str) -> int:
    """Give the drafts this browser kept without a session to ``user``, who just logged in.

    Only drafts that name no owner, or name this user, are claimed: another person
    logging in on the same browser gets nothing. A claimed draft replaces an older one
    of the same page."""
    if not browser_token:
        return 0
    pending = list(
        Draft.objects.select_for_update()
        .filter(browser_token=token_hash(browser_token), needs_claim=True)
        .filter(Q(user__isnull=True) | Q(user=user))
        .order_by("updated_at", "pk")
    )
    for draft in pending:
        Draft.objects.filter(user=user, path=draft.path, needs_claim=False).delete()
        draft.user = user
        draft.needs_claim = False
        draft.save(update_fields=["user", "needs_claim"])
    return len(pending)


def drafts_claim_on_login(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """``user_logged_in``: claim what this browser kept while signed out."""
    if request is None:
        return
    from casemgmt.drafts.browser import browser_identity

    request._draft_cookie_renew = True  # type: ignore[attr-defined]  # browser_bind
    token, _owner = browser_identity(request)
    if token:
        drafts_claim(user=user, browser_token=token)


def draft_discard(*, user: User, path: str) -> int:
    """The form at ``path`` was saved (or the user threw the draft away)."""
    deleted, _ = Draft.objects.filter(user=user, path=path, needs_claim=False).delete()
    return deleted


def draft_restored(*, user: User, draft: Draft) -> None:
    """Audit that a draft was shown back in its form (names of fields, no values)."""
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        obj=draft,
        detail={"restored_draft": draft.path, "fields": sorted(draft.fields)},
    )


def drafts_purge(*, now: datetime | None = None) -> int:
    """Delete drafts untouched for ``DRAFT_RETENTION_DAYS``. Safe to run twice."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DRAFT_RETENTION_DAYS)
    deleted, _ = Draft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted
