"""Queueing a Celery task without ever failing the caller.

Every task this project queues after a commit only nudges work that is already safe in
PostgreSQL (an outbox row, a reminder row), and a periodic sweep finds that work again
if the nudge is lost. So a broker that is down must cost the caller nothing: no publish
retries (a request does not wait for Redis), and the error is logged, not raised.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)


def publish_quietly(task: Any, args: Sequence[Any] = (), *, recovery: str) -> bool:
    """Queue ``task`` with ``args`` (ids only). On a broker error, log it with
    ``recovery`` (what will pick the work up instead) and return False."""
    try:
        task.apply_async(tuple(args), retry=False)
    except Exception as exc:  # any broker or connection error: the work is committed
        logger.warning("%s not queued (%s); %s", task.name, type(exc).__name__, recovery)
        return False
    return True
