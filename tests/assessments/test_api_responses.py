"""``/api/v1/instrument-responses/``: list (?client= ?instrument=), retrieve, create.
Scored by the server; bad input names the item or field; out of reach is 404."""

import pytest

from assessments.models import InstrumentResponse
from casemgmt.audit.models import AuditEvent
from clients.models import RiskFlag
from tests.factories import ClientFactory

from .helpers import PHQ9_ITEM9, give, phq9

pytestmark = pytest.mark.django_db

URL = "/api/v1/instrument-responses/"


def post(api, **body):
    return api.post(URL, body, format="json")


def test_anonymous_is_refused(api):
    assert api.get(URL).status_code in (401, 403)
    assert post(api, client=1, instrument="phq9", answers=[0] * 9).status_code in (401, 403)


def test_create_scores_on_the_server_and_ignores_sent_totals(api_as, case_manager, client_record):
    response = post(
        api_as(case_manager),
        client=client_record.pk,
        instrument="phq9",
        answers=phq9(11),
        total=0,
        band="minimal",
        notes="Read aloud.",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["total"], body["band"], body["positive"]) == (11, "moderate", True)
    assert body["instrument_name"] == "PHQ-9" and body["administered_by"] == case_manager.pk
    assert body["amends"] is None and body["amended_by"] is None and body["notes"] == "Read aloud."
    assert InstrumentResponse.objects.get().total == 11


def test_create_with_item9_sets_the_flag(api_as, case_manager, client_record):
    body = post(
        api_as(case_manager), client=client_record.pk, instrument="phq9", answers=PHQ9_ITEM9
    ).json()
    assert body["flags"] == ["suicide_risk"]
    assert RiskFlag.objects.filter(client=client_record, kind="suicide_risk").exists()


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"instrument": "phq9", "answers": [0] * 8 + [4]}, "answers", "item 9"),
        ({"instrument": "phq9", "answers": [0] * 8}, "answers", "9 items"),
        ({"instrument": "phq9", "answers": [0] * 8 + [None]}, "answers", "item 9"),
        (
            {"instrument": "cssrs_screen", "answers": ["no", "no", "yes", None, None, "no", None]},
            "answers",
            "item 3",
        ),
        ({"instrument": "nope", "answers": []}, "instrument", "Unknown"),
        ({"instrument": "audit_c", "answers": [1, 1, 1]}, "sex", "female or male"),
        ({"instrument": "audit_c", "answers": [1, 1, 1], "sex": "other"}, "sex", ""),
        (
            {"instrument": "phq9", "answers": [0] * 9, "administered_at": "2999-01-01T00:00Z"},
            "administered_at",
            "future",
        ),
        ({"instrument": "phq9", "answers": "0,0"}, "answers", ""),
        ({"instrument": "phq9", "answers": [0] * 9, "amends": 999999}, "amends", ""),
    ],
)
def test_bad_input_is_400_naming_the_field(api_as, case_manager, team, body, field, text):
    client = ClientFactory(team=team, sex_at_birth="unknown")
    response = post(api_as(case_manager), client=client.pk, **body)
    assert response.status_code == 400
    errors = response.json()[field]
    assert text in " ".join(errors)
    assert not InstrumentResponse.objects.exists()


def test_client_out_of_reach_is_400_naming_client(api_as, outsider, client_record):
    response = post(api_as(outsider), client=client_record.pk, instrument="phq9", answers=[0] * 9)
    assert response.status_code == 400 and "client" in response.json()


def test_correction_and_second_correction_conflict(api_as, case_manager, client_record):
    api = api_as(case_manager)
    first = give(case_manager, client_record, answers=phq9(12))
    fixed = post(api, client=client_record.pk, instrument="phq9", answers=phq9(7), amends=first.pk)
    assert fixed.status_code == 201 and fixed.json()["amends"] == first.pk
    assert api.get(f"{URL}{first.pk}/").json()["amended_by"] == fixed.json()["id"]
    again = post(api, client=client_record.pk, instrument="phq9", answers=phq9(6), amends=first.pk)
    assert again.status_code == 409 and "corrected already" in again.json()["detail"]


def test_responses_cannot_be_changed_or_deleted(api_as, case_manager, client_record):
    api = api_as(case_manager)
    r = give(case_manager, client_record)
    assert api.put(f"{URL}{r.pk}/", {"total": 3}, format="json").status_code == 405
    assert api.patch(f"{URL}{r.pk}/", {"total": 3}, format="json").status_code == 405
    assert api.delete(f"{URL}{r.pk}/").status_code == 405


def test_list_filters_and_audit(api_as, case_manager, client_record, team):
    other = ClientFactory(team=team)
    give(case_manager, client_record)
    give(case_manager, client_record, code="gad7", answers=[0] * 7)
    give(case_manager, other)
    api = api_as(case_manager)
    assert api.get(URL).json()["count"] == 3
    assert api.get(URL, {"client": client_record.pk}).json()["count"] == 2
    body = api.get(URL, {"client": client_record.pk, "instrument": "gad7"}).json()
    assert [r["instrument"] for r in body["results"]] == ["gad7"]
    assert api.get(URL, {"instrument": "bogus"}).status_code == 400
    assert AuditEvent.objects.filter(
        action="view", object_type="assessments.instrumentresponse_list", client_id=client_record.pk
    ).exists()


def test_outsider_gets_404_and_an_empty_list(api_as, outsider, case_manager, client_record):
    r = give(case_manager, client_record)
    api = api_as(outsider)
    assert api.get(f"{URL}{r.pk}/").status_code == 404
    assert api.get(URL, {"client": client_record.pk}).json()["count"] == 0


def test_retrieve_is_audited(api_as, supervisor, case_manager, client_record):
    r = give(case_manager, client_record)
    assert api_as(supervisor).get(f"{URL}{r.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        user=supervisor, action="view", object_id=str(r.pk), client_id=client_record.pk
    ).exists()


def test_list_query_count_is_flat(
    api_as, case_manager, client_record, team, django_assert_max_num_queries
):
    api = api_as(case_manager)
    give(case_manager, client_record)
    with django_assert_max_num_queries(12) as one:
        assert api.get(URL).json()["count"] == 1
    for _ in range(30):
        c = ClientFactory(team=team)
        first = give(case_manager, c, answers=phq9(12))
        give(case_manager, c, answers=phq9(10), amends=first)
    with django_assert_max_num_queries(12) as many:
        assert api.get(URL, {"page_size": 100}).json()["count"] == 61
    assert len(many.captured_queries) == len(one.captured_queries)
