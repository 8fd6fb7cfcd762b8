"""The probes: /healthz/ (alive: no database, no login) and /readyz/ (PostgreSQL, Redis and
a worker on this process's queue; 503 naming what is down, and nothing else)."""

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from casemgmt import probes
from casemgmt.celery import app


@pytest.fixture(autouse=True)
def fresh_worker_answer():
    probes.worker_answer_forget()  # each test asks the workers itself
    yield
    probes.worker_answer_forget()


def test_liveness_needs_no_login_and_no_database(client):
    # No django_db mark: any query here would fail the test.
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz/").status_code == 405
    assert client.head("/healthz/").status_code == 200  # load balancers probe with HEAD


def test_the_clinical_health_pages_keep_their_prefix(client):
    assert reverse("health:medications", args=[1]) == "/health/clients/1/medications/"
    assert client.get("/health/").status_code == 404  # no probe hides there any more


@pytest.fixture
def worker():
    """A real worker thread consuming this suite's queue on the real Redis."""
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping
    from celery.contrib.testing.worker import start_worker

    queue = app.conf.task_default_queue
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[queue]
    ):
        yield


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_ready_when_postgres_redis_and_a_worker_answer(client, worker):
    response = client.get("/readyz/")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "worker": "ok"},
    }


@pytest.mark.django_db
def test_not_ready_without_a_worker_on_the_queue(client):
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "ok", "worker": "down"},
    }


@pytest.mark.django_db
def test_a_database_outage_is_named_without_its_details(client, monkeypatch):
    def refuse():
        raise OperationalError('connection to server at "10.9.8.7" failed: user "casemgmt"')

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"
    assert b"10.9.8.7" not in response.content and b"casemgmt" not in response.content


@pytest.mark.django_db
def test_a_redis_outage_is_named_without_its_url(client, settings):
    settings.REDIS_URL = "redis://:s3cret-pass@127.0.0.1:9/0"  # nothing listens on port 9
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "down", "worker": "unknown"}
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


def test_the_workers_answer_is_reused_for_a_while(client, monkeypatch):
    asked = []
    monkeypatch.setattr(probes, "_worker_consumes_queue", lambda: asked.append(1) or False)
    for _ in range(5):
        assert client.get("/readyz/").json()["checks"]["worker"] == "down"
    assert len(asked) == 1  # a burst of probes waits on the workers once
    probes.worker_answer_forget()
    client.get("/readyz/")
    assert len(asked) == 2
