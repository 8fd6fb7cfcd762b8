"""``InstrumentSummary``: first and latest current response per client and instrument,
kept in step by the service (corrections included), equal to a rebuild from scratch, and
safe when two responses are recorded at the same moment."""

import importlib
import threading

import pytest
from django.db import connection, transaction

from assessments.models import InstrumentSummary
from assessments.selectors import latest_band_counts
from assessments.services import instrument_summaries_refresh
from tests.factories import ClientFactory

from .helpers import give, phq9

backfill_migration = importlib.import_module(
    "assessments.migrations.0004_instrumentsummary_previous_total"
)
CSSRS_NONE = ["no", "no", None, None, None, "no", None]  # 3-5 and 7 skipped: "no" to 2 and 6


def _rows():
    return sorted(
        InstrumentSummary.objects.values_list(
            "client_id",
            "instrument",
            "responses",
            "first_response_id",
            "first_total",
            "latest_response_id",
            "latest_total",
            "latest_band",
            "previous_total",
            "any_positive",
        )
    )


@pytest.mark.django_db
def test_the_service_keeps_first_latest_and_positive_through_corrections(
    case_manager, client_record
):
    first = give(case_manager, client_record, answers=phq9(16), days_ago=60)
    later = give(case_manager, client_record, answers=phq9(3), days_ago=5)
    give(case_manager, client_record, code="gad7", answers=[0] * 7, days_ago=1)
    s = InstrumentSummary.objects.get(client=client_record, instrument="phq9")
    assert (s.responses, s.first_response, s.first_total) == (2, first, 16)
    assert (s.latest_response, s.latest_total, s.latest_band) == (later, 3, "minimal")
    assert s.previous_total == 16
    assert s.any_positive is True  # 16 screens positive, 3 does not

    fixed = give(case_manager, client_record, answers=phq9(6), days_ago=60, amends=first)
    s.refresh_from_db()
    assert (s.responses, s.first_response, s.first_total) == (2, fixed, 6)
    assert s.previous_total == 6  # the correction stands in for the corrected response
    assert s.any_positive is False  # the positive result was corrected
    gad = InstrumentSummary.objects.get(client=client_record, instrument="gad7")
    assert (gad.responses, gad.latest_total, gad.any_positive) == (1, 0, False)
    assert gad.previous_total is None  # one response: nothing to compare with

    kept = _rows()
    instrument_summaries_refresh()  # a rebuild from scratch finds the same rows
    assert _rows() == kept


@pytest.mark.django_db
def test_previous_total_is_the_response_before_the_latest(case_manager, client_record):
    give(case_manager, client_record, answers=phq9(20), days_ago=90)
    give(case_manager, client_record, answers=phq9(14), days_ago=30)
    latest = give(case_manager, client_record, answers=phq9(9), days_ago=2)
    s = InstrumentSummary.objects.get(client=client_record, instrument="phq9")
    assert (s.latest_total, s.previous_total, s.first_total) == (9, 14, 20)

    # A late entry of an older result does not change which one came before the latest.
    give(case_manager, client_record, answers=phq9(25), days_ago=60)
    s.refresh_from_db()
    assert (s.latest_total, s.previous_total) == (9, 14)

    # Correcting the latest keeps the previous one; a newer result moves it along.
    give(case_manager, client_record, answers=phq9(8), days_ago=2, amends=latest)
    s.refresh_from_db()
    assert (s.latest_total, s.previous_total, s.responses) == (8, 14, 4)
    give(case_manager, client_record, answers=phq9(5), days_ago=0)
    s.refresh_from_db()
    assert (s.latest_total, s.previous_total) == (5, 8)


@pytest.mark.django_db
def test_instruments_without_a_total_have_no_previous_total(case_manager, client_record):
    give(case_manager, client_record, code="cssrs_screen", answers=CSSRS_NONE, days_ago=10)
    give(case_manager, client_record, code="cssrs_screen", answers=CSSRS_NONE, days_ago=1)
    s = InstrumentSummary.objects.get(client=client_record, instrument="cssrs_screen")
    assert (s.responses, s.latest_total, s.previous_total) == (2, None, None)


@pytest.mark.django_db
def test_the_migration_backfill_gives_what_the_service_keeps(case_manager, team):
    """0004's statement fills ``previous_total`` of the summaries written before the
    column existed with what ``SUMMARY_UPSERT_SQL`` keeps."""
    for totals in [(12,), (18, 11), (7, 9, 4)]:
        client = ClientFactory(team=team)
        for days_ago, total in zip((60, 30, 1), totals, strict=False):
            give(case_manager, client, answers=phq9(total), days_ago=days_ago)
    fixed = ClientFactory(team=team)
    give(case_manager, fixed, answers=phq9(15), days_ago=20)
    wrong = give(case_manager, fixed, answers=phq9(13), days_ago=10)
    give(case_manager, fixed, answers=phq9(3), days_ago=10, amends=wrong)
    give(case_manager, fixed, answers=phq9(2), days_ago=1)
    kept = _rows()
    assert sorted(r[-2] for r in kept if r[-2] is not None) == [3, 9, 18]

    InstrumentSummary.objects.update(previous_total=None)
    with connection.cursor() as cursor:
        cursor.execute(backfill_migration.BACKFILL)
    assert _rows() == kept


@pytest.mark.django_db
def test_bands_read_the_summaries(case_manager, team):
    cases = [(20, 9), (16, 4), (12, 10), (8, 2), (14, None)]  # (first, latest)
    for baseline, latest in cases:
        client = ClientFactory(team=team)
        give(case_manager, client, answers=phq9(baseline), days_ago=200)
        if latest is not None:
            give(case_manager, client, answers=phq9(latest + 5), days_ago=30)
            give(case_manager, client, answers=phq9(latest), days_ago=3)
    only = ClientFactory(team=team)  # the baseline in the period is not a later PHQ-9
    give(case_manager, only, answers=phq9(15), days_ago=10)
    assert latest_band_counts(instrument="phq9", team_ids=[team.pk]) == {
        "mild": 1,  # 9
        "minimal": 2,  # 4, 2
        "moderate": 2,  # 10, 14
        "moderately severe": 1,  # 15
    }


@pytest.mark.django_db(transaction=True)
def test_two_responses_at_the_same_moment_both_count(case_manager, team):
    """The second recording waits for the first one's transaction (advisory lock), then
    recomputes with both responses: no summary misses a response."""
    client = ClientFactory(team=team)
    holding, done = threading.Event(), threading.Event()
    release = threading.Event()

    def first():
        try:
            with transaction.atomic():
                give(case_manager, client, answers=phq9(11), days_ago=2)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def second():
        try:
            give(case_manager, client, answers=phq9(4), days_ago=1)
            done.set()
        finally:
            connection.close()

    a = threading.Thread(target=first)
    a.start()
    assert holding.wait(10)
    b = threading.Thread(target=second)
    b.start()
    assert not done.wait(1)  # blocked behind the first transaction's lock
    release.set()
    a.join(10)
    b.join(10)
    assert done.is_set()
    s = InstrumentSummary.objects.get(client=client, instrument="phq9")
    assert (s.responses, s.first_total, s.latest_total) == (2, 11, 4)
