"""The instrument library and scoring over the API: read-only, nothing saved."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemgmt.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = "/api/v1/instruments/"
NO, YES = "no", "yes"


def detail(code):
    return f"/api/v1/instruments/{code}/"


def score_url(code):
    return f"/api/v1/instruments/{code}/score/"


def test_anonymous_is_refused(api):
    assert api.get(LIST).status_code in (401, 403)
    assert api.get(detail("phq9")).status_code in (401, 403)
    response = api.post(score_url("phq9"), {"answers": [0] * 9}, format="json")
    assert response.status_code in (401, 403)


def test_list(api_as, case_manager):
    response = api_as(case_manager).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert [i["code"] for i in body] == [
        "phq9",
        "phq2",
        "gad7",
        "gad2",
        "audit",
        "audit_c",
        "dast10",
        "cage_aid",
        "cssrs_screen",
        "pcl5",
        "k10",
    ]
    phq9 = body[0]
    assert set(phq9) == {"code", "name", "full_name", "item_count", "source"}
    assert phq9["name"] == "PHQ-9" and phq9["item_count"] == 9
    assert "Kroenke" in phq9["source"] and "2001" in phq9["source"]


def test_retrieve_gives_items_and_options(api_as, case_manager):
    body = api_as(case_manager).get(detail("phq9")).json()
    assert body["code"] == "phq9" and body["item_count"] == len(body["items"]) == 9
    assert body["items"][8]["text"].startswith("Thoughts that you would be better off dead")
    assert body["items"][0]["options"] == [
        {"value": 0, "label": "Not at all", "points": 0},
        {"value": 1, "label": "Several days", "points": 1},
        {"value": 2, "label": "More than half the days", "points": 2},
        {"value": 3, "label": "Nearly every day", "points": 3},
    ]
    assert body["bands"][3] == {"low": 15, "high": 19, "label": "moderately severe"}
    assert body["cutoff"] == 10 and body["cutoff_range"] is None and body["requires_sex"] is False
    assert body["scoring"] == "sum"
    assert body["critical_items"] == [{"item": 9, "min_points": 1, "flag": "suicide_risk"}]


def test_retrieve_shows_skip_rules_reverse_scoring_and_sex(api_as, case_manager):
    api = api_as(case_manager)
    cssrs = api.get(detail("cssrs_screen")).json()
    assert [i["asked_if"] for i in cssrs["items"]] == [
        None,
        None,
        {"item": 2, "answer": "yes"},
        {"item": 2, "answer": "yes"},
        {"item": 2, "answer": "yes"},
        None,
        {"item": 6, "answer": "yes"},
    ]
    dast = api.get(detail("dast10")).json()
    assert dast["items"][2]["options"] == [
        {"value": "yes", "label": "Yes", "points": 0},
        {"value": "no", "label": "No", "points": 1},
    ]
    audit_c = api.get(detail("audit_c")).json()
    assert audit_c["requires_sex"] is True
    assert audit_c["cutoff_by_sex"] == {"female": 3, "male": 4}
    assert cssrs["scoring"] == "triage"
    pcl5 = api.get(detail("pcl5")).json()
    assert pcl5["subscales"]["C"] == [6, 7] and pcl5["cutoff_range"] == [31, 33]


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_code_is_404(api_as, case_manager, method):
    api = api_as(case_manager)
    if method == "get":
        response = api.get(detail("phq10"))
    else:
        response = api.post(score_url("phq10"), {"answers": [0] * 10}, format="json")
    assert response.status_code == 404


HAPPY = [
    ("phq9", {"answers": [0] * 8 + [1]}, 1, "minimal", False, ["suicide_risk"]),
    ("phq9", {"answers": [2] * 9}, 18, "moderately severe", True, ["suicide_risk"]),
    ("phq9", {"answers": [3] * 8 + [0]}, 24, "severe", True, []),
    ("phq2", {"answers": [1, 2]}, 3, "positive", True, []),
    ("gad7", {"answers": [1] * 7}, 7, "mild", False, []),
    ("gad2", {"answers": [1, 1]}, 2, "negative", False, []),
    ("audit", {"answers": [2] * 8 + [2, 4]}, 22, "zone iv", True, []),
    ("audit_c", {"answers": [1, 1, 1], "sex": "female"}, 3, "positive", True, []),
    ("audit_c", {"answers": [1, 1, 1], "sex": "male"}, 3, "negative", False, []),
    ("dast10", {"answers": [YES, YES, NO] + [NO] * 7}, 3, "moderate", True, []),
    ("cage_aid", {"answers": [YES, YES, NO, NO]}, 2, "positive", True, []),
    (
        "cssrs_screen",
        {"answers": [NO, NO, None, None, None, YES, YES]},
        None,
        "high",
        True,
        ["suicide_risk"],
    ),
    ("cssrs_screen", {"answers": [YES, NO, None, None, None, NO, None]}, None, "low", True, []),
    ("k10", {"answers": [2] * 10}, 20, "moderate", None, []),
]


@pytest.mark.parametrize(
    ("code", "payload", "total", "band", "positive", "flags"),
    HAPPY,
    ids=[f"{h[0]}-{h[3]}" for h in HAPPY],
)
def test_score(api_as, case_manager, code, payload, total, band, positive, flags):
    response = api_as(case_manager).post(score_url(code), payload, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "code": code,
        "total": total,
        "band": band,
        "positive": positive,
        "flags": flags,
    }


@pytest.mark.parametrize(
    ("answers", "total", "band", "subtotals"),
    [
        ([1] * 5 + [2] * 2 + [3] * 7 + [0] * 6, 30, "below cut-off", [5, 4, 21, 0]),
        ([2] * 5 + [2] * 2 + [2] * 7 + [2] * 6, 40, "provisional ptsd", [10, 4, 14, 12]),
    ],
)
def test_score_pcl5_adds_cluster_subtotals(api_as, case_manager, answers, total, band, subtotals):
    response = api_as(case_manager).post(score_url("pcl5"), {"answers": answers}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "code": "pcl5",
        "total": total,
        "band": band,
        "positive": band == "provisional ptsd",
        "flags": [],
        "subtotals": dict(zip("BCDE", subtotals, strict=True)),
    }


BAD = [
    ("no answers", "phq9", {}, {"answers": ["This field is required."]}),
    ("answers not a list", "phq9", {"answers": 3}, "answers"),
    ("absurdly many answers", "phq9", {"answers": [0] * 101}, "answers"),
    ("too few", "phq9", {"answers": [0] * 8}, {"answers": ["PHQ-9 has 9 items; got 8 answers."]}),
    (
        "value not offered",
        "phq9",
        {"answers": [0] * 8 + [5]},
        {"answers": ["item 9: 5 is not one of the offered values (0, 1, 2, 3)"]},
    ),
    (
        "audit item 10 takes 0, 2 or 4",
        "audit",
        {"answers": [0] * 9 + [3]},
        {"answers": ["item 10: 3 is not one of the offered values (0, 2, 4)"]},
    ),
    (
        "k10 has no 0",
        "k10",
        {"answers": [0] + [1] * 9},
        {"answers": ["item 1: 0 is not one of the offered values (1, 2, 3, 4, 5)"]},
    ),
    (
        "yes/no item given a number",
        "cage_aid",
        {"answers": [1, NO, NO, NO]},
        {"answers": ['item 1: 1 is not one of the offered values ("yes", "no")']},
    ),
    (
        "missing answer",
        "gad7",
        {"answers": [0, 0, None, 0, 0, 0, 0]},
        {"answers": ["item 3: an answer is required"]},
    ),
    (
        "answer to a skipped item",
        "cssrs_screen",
        {"answers": [NO, NO, NO, None, None, NO, None]},
        {"answers": ['item 3: not asked unless item 2 is "yes"; leave it null']},
    ),
    (
        "follow-up missing",
        "cssrs_screen",
        {"answers": [NO, NO, None, None, None, YES, None]},
        {"answers": ["item 7: an answer is required"]},
    ),
    (
        "audit_c without sex",
        "audit_c",
        {"answers": [1, 1, 1]},
        {"sex": ['AUDIT-C needs the client\'s sex ("female", "male").']},
    ),
    ("audit_c with an unknown sex", "audit_c", {"answers": [1, 1, 1], "sex": "other"}, "sex"),
]


@pytest.mark.parametrize(
    ("code", "payload", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_input_is_400_naming_the_item_or_field(api_as, case_manager, code, payload, expected):
    response = api_as(case_manager).post(score_url(code), payload, format="json")
    assert response.status_code == 400
    if isinstance(expected, str):
        assert list(response.json()) == [expected]
    else:
        assert response.json() == expected


def test_score_takes_json_only(api_as, case_manager):
    response = api_as(case_manager).post(score_url("phq2"), {"answers": [1, 2]})  # multipart
    assert response.status_code == 415


def test_scoring_saves_nothing(api_as, case_manager):
    api = api_as(case_manager)
    events = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = api.post(score_url("phq9"), {"answers": [3] * 9}, format="json")
        api.post(score_url("phq9"), {"answers": [9] * 9}, format="json")
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]  # the idle timeout renews the session cookie
    ]
    assert writes == []
    assert AuditEvent.objects.count() == events


def test_schema_documents_the_endpoints(api_as, case_manager):
    schema = api_as(case_manager).get("/api/schema/", {"format": "json"}).json()
    score_op = schema["paths"]["/api/v1/instruments/{code}/score/"]["post"]
    assert score_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ScoreInputRequest"
    )
    # 403 for every operation; 409 and 422: the Idempotency-Key every POST takes.
    assert set(score_op["responses"]) == {"200", "400", "403", "404", "409", "422"}
    assert "/api/v1/instruments/" in schema["paths"]
