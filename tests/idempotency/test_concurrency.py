"""Two submissions of one key at the same moment (a double click, a client retrying while
the first request still runs), each on its own thread and database connection: one row,
and both answers are the first one's."""

import threading
import time

import pytest
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from assessments import services as assessment_services
from assessments.models import InstrumentResponse
from casemgmt.accounts.services import api_token_issue
from casemgmt.lib.idempotency.models import SubmissionKey

from .helpers import gad7_body, gad7_form, gad7_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_save(monkeypatch):
    """The save takes a moment, so the second request arrives while the first runs."""
    record = assessment_services.instrument_response_record
    entered = []

    def slow(**kwargs):
        entered.append(threading.current_thread().name)
        result = record(**kwargs)
        time.sleep(0.5)
        return result

    monkeypatch.setattr(assessment_services, "instrument_response_record", slow)
    return entered


def _in_parallel(send, n=2):
    results = [None] * n
    start = threading.Barrier(n)

    def run(i):
        try:
            start.wait()
            results[i] = send()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), name=f"submit-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_api_posts_of_one_key_save_one_row(slow_save, case_manager, client_record):
    token = api_token_issue(user=case_manager, name="test")[1]
    body = gad7_body(client_record)

    def send():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return api.post(
            "/api/v1/instrument-responses/",
            body,
            format="json",
            headers={"Idempotency-Key": "parallel"},
        )

    first, second = _in_parallel(send)
    assert InstrumentResponse.objects.filter(client=client_record).count() == 1
    assert len(slow_save) == 1  # the second never reached the service
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.content == second.content
    assert [r.get("Idempotent-Replayed") for r in (first, second)].count("true") == 1
    assert SubmissionKey.objects.filter(key="parallel").count() == 1


def test_a_double_click_on_a_form_saves_one_result(slow_save, case_manager, client_record):
    data = gad7_form()

    def send():
        browser = Client()
        browser.force_login(case_manager)
        return browser.post(gad7_url(client_record), data)

    first, second = _in_parallel(send)
    assert InstrumentResponse.objects.filter(client=client_record).count() == 1
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"]


def test_a_repeat_waits_at_most_the_wait_setting_then_409(
    settings, monkeypatch, case_manager, client_record
):
    """The first request holds the key longer than IDEMPOTENCY_WAIT_SECONDS: the repeat
    answers 409 (try again) and saves nothing; the first still saves."""
    settings.IDEMPOTENCY_WAIT_SECONDS = 0.3
    record = assessment_services.instrument_response_record
    entered, release = threading.Event(), threading.Event()

    def stuck(**kwargs):
        result = record(**kwargs)
        entered.set()
        release.wait(10)
        return result

    monkeypatch.setattr(assessment_services, "instrument_response_record", stuck)
    token = api_token_issue(user=case_manager, name="test")[1]
    body = gad7_body(client_record)

    def send():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return api.post(
            "/api/v1/instrument-responses/",
            body,
            format="json",
            headers={"Idempotency-Key": "slow"},
        )

    answers = []
    first = threading.Thread(target=lambda: (answers.append(send()), connections.close_all()))
    first.start()
    assert entered.wait(10)  # the first holds the key
    try:
        busy = send()
    finally:
        release.set()
        first.join(30)
        connections.close_all()
    assert busy.status_code == 409 and "still being processed" in busy.json()["detail"]
    assert answers[0].status_code == 201
    assert InstrumentResponse.objects.filter(client=client_record).count() == 1
