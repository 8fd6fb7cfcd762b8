"""Probes for load balancers and orchestrators: no login, no data, no secrets.

``/healthz/`` (liveness) answers as long as the process serves requests: it touches no
database, cache or broker, so a PostgreSQL outage does not get every web process
restarted. ``/readyz/`` (readiness) checks what a request needs: PostgreSQL, Redis, and
a Celery worker consuming the queue this process sends tasks to. It answers 503 naming
what is down; why it is down goes to the log, never into the response (error messages
carry host names and user names).

A small view rather than ``django-health-check``: its 4.x view answers 500 rather than
503, is an async view (adapted to sync through this project's middleware on every probe),
names each check by its host and port in the response, and its releases after 4.8 need
Python 3.14.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from casemgmt.celery import app as celery_app

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 2.0  # seconds to reach Redis
WORKER_REPLY_WAIT = 1.0  # seconds to collect workers' replies
# The workers' answer is kept this long per web process, so a burst of probes (anyone may
# call them) costs one wait of WORKER_REPLY_WAIT, not one per request.
WORKER_ANSWER_TTL = 15.0


@require_safe
@never_cache
def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readiness(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "worker" and checks.get("redis") != "ok":
            checks[name] = "unknown"  # the broker is down: no worker can be asked
            continue
        try:
            check()
        except Exception as error:  # any failure means not ready; the reason is logged
            logger.warning("readiness: %s is down (%s)", name, type(error).__name__)
            checks[name] = "down"
        else:
            checks[name] = "ok"
    ready = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


def database_check() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise DatabaseError("SELECT 1 did not answer 1")


def redis_check() -> None:
    url = settings.REDIS_URL.replace("redis+socket://", "unix://")
    client = redis.Redis.from_url(
        url, socket_timeout=CONNECT_TIMEOUT, socket_connect_timeout=CONNECT_TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()


_worker_answer: dict[str, float | bool] = {"at": float("-inf"), "ok": False}
_worker_lock = threading.Lock()


def _worker_consumes_queue() -> bool:
    queue = celery_app.conf.task_default_queue
    replies = celery_app.control.inspect(timeout=WORKER_REPLY_WAIT).active_queues() or {}
    return any(q.get("name") == queue for queues in replies.values() for q in queues)


def worker_check() -> None:
    """Some worker answers and consumes the queue tasks are sent to (``celery`` in
    production; the test suite's own queue in tests). The answer is reused for
    ``WORKER_ANSWER_TTL`` seconds; one probe at a time asks the workers."""
    with _worker_lock:
        if time.monotonic() - float(_worker_answer["at"]) > WORKER_ANSWER_TTL:
            _worker_answer["ok"] = _worker_consumes_queue()
            _worker_answer["at"] = time.monotonic()
        ok = bool(_worker_answer["ok"])
    if not ok:
        raise LookupError(f"no worker consumes queue {celery_app.conf.task_default_queue}")


def worker_answer_forget() -> None:
    """Ask the workers again at the next probe (tests)."""
    _worker_answer["at"] = float("-inf")


CHECKS: dict[str, Callable[[], None]] = {
    "database": database_check,
    "redis": redis_check,
    "worker": worker_check,
}
