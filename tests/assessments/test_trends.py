"""Measurement-based care: totals over time, change from baseline (>= 50 % drop)
and the chart geometry (the PHQ-9's published response and remission:
test_depression_outcomes.py)."""

import pytest
from django.http import Http404

from assessments.charts import trend_chart
from assessments.selectors import instrument_trend

from .helpers import give, phq9

pytestmark = pytest.mark.django_db


def _series(user, client, totals, code="phq9"):
    return [
        give(user, client, code=code, answers=phq9(t) if code == "phq9" else t, days_ago=90 - i)
        for i, t in enumerate(totals)
    ]


def test_no_results(client_record):
    trend = instrument_trend(client=client_record, code="phq9")
    assert trend["points"] == [] and trend["baseline"] is None
    assert trend["response"] is None and "remission" not in trend  # see the episodes
    assert trend_chart(trend) is None


def test_one_result_is_a_baseline_only(case_manager, client_record):
    _series(case_manager, client_record, [18])
    trend = instrument_trend(client=client_record, code="phq9")
    assert trend["baseline"]["total"] == 18 and trend["change"] is None
    assert trend["response"] is None


@pytest.mark.parametrize(
    ("totals", "response", "pct"),
    [
        ([20, 14, 10], True, 50),  # exactly half: a response
        ([20, 11], False, 45),  # 45 % drop: no response
        ([16, 9, 4], True, 75),
        ([8, 12], False, -50),  # worse
    ],
)
def test_change_from_baseline(case_manager, client_record, totals, response, pct):
    _series(case_manager, client_record, totals)
    trend = instrument_trend(client=client_record, code="phq9")
    assert [p["total"] for p in trend["points"]] == totals
    assert trend["response"] is response
    assert trend["change_pct"] == pct and trend["change"] == totals[-1] - totals[0]


def test_zero_baseline_has_no_response(case_manager, client_record):
    _series(case_manager, client_record, [0, 3])
    trend = instrument_trend(client=client_record, code="phq9")
    assert trend["response"] is None and trend["change_pct"] is None


def test_gad7_change_and_thresholds(case_manager, client_record):
    _series(case_manager, client_record, [[3] * 7, [0] * 7], code="gad7")
    trend = instrument_trend(client=client_record, code="gad7")
    assert trend["response"] is True
    assert [t["value"] for t in trend["thresholds"]] == [5, 10, 15]


def test_corrected_results_are_left_out(case_manager, client_record):
    first, second = _series(case_manager, client_record, [20, 18])
    give(case_manager, client_record, answers=phq9(8), amends=second)
    trend = instrument_trend(client=client_record, code="phq9")
    assert [p["total"] for p in trend["points"]] == [20, 8]
    assert trend["response"] is True


def test_thresholds_are_band_starts_or_cut_off(client_record):
    phq = instrument_trend(client=client_record, code="phq9")
    assert [(t["value"], t["label"]) for t in phq["thresholds"]] == [
        (5, "mild"),
        (10, "moderate"),
        (15, "moderately severe"),
        (20, "severe"),
    ]
    assert instrument_trend(client=client_record, code="pcl5")["thresholds"] == [
        {"value": 31, "label": "cut-off"}
    ]
    assert len(instrument_trend(client=client_record, code="audit_c")["thresholds"]) == 2


def test_unknown_instrument_is_404(client_record):
    with pytest.raises(Http404):
        instrument_trend(client=client_record, code="nope")


def test_chart_geometry(case_manager, client_record):
    _series(case_manager, client_record, [27, 0])
    chart = trend_chart(instrument_trend(client=client_record, code="phq9"))
    first, last = chart["dots"]
    assert (first["x"], first["y"]) == (chart["x0"] + 16, chart["y0"])  # top left: 27
    assert (last["x"], last["y"]) == (chart["x1"] - 16, chart["y1"])  # bottom right: 0
    assert len(chart["thresholds"]) == 4
    assert all(chart["y0"] < t["y"] < chart["y1"] for t in chart["thresholds"])


def test_trend_query_count_is_flat(case_manager, client_record, django_assert_max_num_queries):
    _series(case_manager, client_record, [12])
    with django_assert_max_num_queries(1):
        instrument_trend(client=client_record, code="phq9")
    _series(case_manager, client_record, list(range(27, 0, -1)))
    with django_assert_max_num_queries(1):
        assert len(instrument_trend(client=client_record, code="phq9")["points"]) == 28
