"""Claiming a submission key, recording what its first request answered, forgetting it.

``submission_claim`` runs inside the transaction that wraps the view (the middleware's
``transaction.atomic``): it inserts the key row, or, when the key is taken, waits on the
unique index until the request holding it commits or rolls back (PostgreSQL does this
for ``INSERT ... ON CONFLICT``), at most ``IDEMPOTENCY_WAIT_SECONDS``. A key whose first
request committed is answered from the row; one whose first request rolled back (an
exception, a killed worker) or released it (bad input) is free again, and the waiting
request runs as the first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from .models import SubmissionKey, SubmissionMode

#: SQLSTATE of "canceling statement due to lock timeout".
LOCK_NOT_AVAILABLE = "55P03"

_CLAIM = """
INSERT INTO idempotency_submissionkey
    (user_id, key, mode, method, path, fingerprint, response_status, response_location,
     response_content_type, response_body, created_at)
VALUES (%(user_id)s, %(key)s, %(mode)s, %(method)s, %(path)s, %(fingerprint)s, NULL, '',
        '', NULL, %(now)s)
ON CONFLICT (user_id, key) DO UPDATE SET
    mode = EXCLUDED.mode, method = EXCLUDED.method, path = EXCLUDED.path,
    fingerprint = EXCLUDED.fingerprint, response_status = NULL, response_location = '',
    response_content_type = '', response_body = NULL, created_at = EXCLUDED.created_at
    WHERE idempotency_submissionkey.created_at < %(expired_before)s
RETURNING id
"""
# SET LOCAL for the claim only; the view's own lock waits keep the server's setting.
_LOCK_TIMEOUT = """
WITH previous AS MATERIALIZED (SELECT current_setting('lock_timeout') AS value)
SELECT value, set_config('lock_timeout', %s, true) FROM previous
"""
_RESTORE = "SELECT set_config('lock_timeout', %s, true)"


@dataclass(frozen=True)
class Submission:
    """What a request carries: whose key, which key, and a fingerprint of the rest."""

    user_id: int
    key: str
    mode: SubmissionMode
    method: str
    path: str
    fingerprint: str


@dataclass(frozen=True)
class Claim:
    """The answer to a claim: ``owner`` (run the view, then record or release), ``replay``
    (``row`` holds the first answer), ``mismatch`` (the key was used for another request:
    ``row``), or ``busy`` (the first request is still running after the wait)."""

    outcome: Literal["owner", "replay", "mismatch", "busy"]
    row: SubmissionKey | None = None
    row_id: int | None = None


def fingerprint(*parts: bytes) -> str:
    """A sha256 of ``parts``, each length-prefixed so that no two splits collide."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def submission_claim(*, submission: Submission, now: datetime | None = None) -> Claim:
    """Claim ``submission``'s key for this request (see the module). Must run inside a
    transaction: the claim holds until it commits."""
    if not connection.in_atomic_block:
        raise RuntimeError("submission_claim must run inside transaction.atomic")
    now = now or timezone.now()
    params: dict[str, int | str | datetime] = {
        "user_id": submission.user_id,
        "key": submission.key,
        "mode": submission.mode.value,
        "method": submission.method,
        "path": submission.path,
        "fingerprint": submission.fingerprint,
        "now": now,
        "expired_before": now - ttl(),
    }
    wait_ms = f"{max(1, int(settings.IDEMPOTENCY_WAIT_SECONDS * 1000))}ms"
    # Twice at most: a key forgotten (expired, purged) between the conflict and the read
    # is claimed on the second round.
    for _ in range(2):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_LOCK_TIMEOUT, [wait_ms])
                previous = cursor.fetchone()[0]
                cursor.execute(_CLAIM, params)
                inserted = cursor.fetchone()
                cursor.execute(_RESTORE, [previous])
        except OperationalError as error:
            # The savepoint's rollback also undid the SET LOCAL.
            if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                return Claim("busy")
            raise
        if inserted is not None:
            return Claim("owner", row_id=inserted[0])
        row = SubmissionKey.objects.filter(user_id=submission.user_id, key=submission.key).first()
        if row is None:
            continue
        same = row.method == submission.method and row.path == submission.path
        if same and row.fingerprint == submission.fingerprint:
            return Claim("replay", row=row)
        return Claim("mismatch", row=row)
    return Claim("busy")


def submission_record(
    *,
    row_id: int,
    status: int,
    location: str = "",
    content_type: str = "",
    body: bytes | None = None,
) -> None:
    """Keep what the first request answered (in the claim's transaction)."""
    SubmissionKey.objects.filter(pk=row_id).update(
        response_status=status,
        response_location=location,
        response_content_type=content_type,
        response_body=body,
    )


def submission_release(*, row_id: int) -> None:
    """Forget a claim whose request did not save (bad input, a refusal): the user corrects
    the form and sends the same key again."""
    SubmissionKey.objects.filter(pk=row_id).delete()


def submission_keys_expire(*, now: datetime | None = None) -> int:
    """Delete the keys older than ``IDEMPOTENCY_KEY_TTL_HOURS`` (with the API bodies they
    keep); returns how many. Safe to run twice or side by side."""
    cutoff = (now or timezone.now()) - ttl()
    deleted, _ = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
