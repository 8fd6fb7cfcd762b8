"""The embedded Redis keeps the broker's queue across a kill and a restart (AOF + RDB).

It kills the checkout's own embedded Redis (SIGKILL: no chance to save on the way out)
and starts it again the way every process does (``redis_url()``)."""

import os
import signal
import time

import pytest
import redis

from casemgmt.celery import app
from casemgmt.lib import embedded

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("REDIS_URL")), reason="REDIS_URL points at a Redis of its own"
)


def _conn() -> redis.Redis:
    return redis.Redis(unix_socket_path=embedded.redis_url().removeprefix("redis+socket://"))


def test_the_embedded_redis_saves():
    conn = _conn()
    assert conn.config_get("appendonly") == {"appendonly": "yes"}
    assert conn.config_get("save") == {"save": "60 100"}  # not `save ''`


def test_a_killed_embedded_redis_comes_back_with_its_queue():
    queue = "casemgmt-test-persistence"
    conn = _conn()
    conn.delete(queue)
    for _ in range(3):
        app.send_task("casemgmt.notifications.tasks.outbox_flush", queue=queue)
    assert conn.llen(queue) == 3
    pid = int((embedded.DATA_DIR / "redis" / "redis.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid)

    conn = _conn()  # started again
    try:
        assert int((embedded.DATA_DIR / "redis" / "redis.pid").read_text()) != pid
        assert conn.llen(queue) == 3
        assert b"outbox_flush" in conn.lindex(queue, 0)
    finally:
        conn.delete(queue)


def _alive(pid: int) -> bool:
    """Whether the server answers (the pid alone can outlive it in a container)."""
    return embedded._redis_alive(embedded._redis_socket())
