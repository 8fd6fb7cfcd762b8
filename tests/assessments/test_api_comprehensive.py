"""``/api/v1/comprehensive-assessments/``: start, save fields of a draft, complete
(locked: 409), new version, substances, linked results; out of reach is 404."""

import pytest

from assessments.models import ComprehensiveAssessment
from tests.factories import ClientFactory

from .helpers import give

pytestmark = pytest.mark.django_db

URL = "/api/v1/comprehensive-assessments/"
COMPLETE = {
    "presenting_concerns": "Low mood.",
    "client_goals": "Keep my job.",
    "stage_mental_health": "action",
    "stage_substance_use": "contemplation",
    "level_indicated": "1",
    "level_arranged": "1",
    **{f"asam_d{n}": 1 for n in range(1, 7)},
}


def _start(api, client):
    response = api.post(URL, {"client": client.pk}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_start_update_complete_and_version(api_as, case_manager, client_record):
    api = api_as(case_manager)
    draft = _start(api, client_record)
    assert draft["status"] == "draft" and draft["version"] == 1
    assert _start(api, client_record)["id"] == draft["id"]  # one draft per client
    item = f"{URL}{draft['id']}/"
    body = api.patch(item, COMPLETE | {"social_needs": ["food"]}, format="json").json()
    assert body["client_goals"] == "Keep my job." and body["social_needs"] == ["food"]
    row = {"substance": "Alcohol", "pattern": "daily", "route": "oral", "age_first_use": 16}
    response = api.post(f"{item}substances/", row, format="json")
    assert (
        response.status_code == 201 and response.json()["substances"][0]["substance"] == "Alcohol"
    )
    done = api.post(f"{item}complete/")
    assert done.status_code == 200 and done.json()["status"] == "completed"

    locked = api.patch(item, {"housing": "x"}, format="json")
    assert locked.status_code == 409 and "locked" in locked.json()["detail"]
    assert api.post(f"{item}complete/").status_code == 409
    assert api.post(f"{item}substances/", row, format="json").status_code == 409
    assert api.post(f"{item}responses/", {"responses": []}, format="json").status_code == 409

    v2 = api.post(f"{item}new-version/")
    assert v2.status_code == 201 and v2.json()["version"] == 2
    assert v2.json()["supersedes"] == draft["id"]
    assert api.get(item).json()["superseded_by"] == v2.json()["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage_mental_health": "denial"}, "stage_mental_health"),
        ({"asam_d2": 9}, "asam_d2"),
        ({"asam_d2": "high"}, "asam_d2"),
        ({"level_arranged": "5"}, "level_arranged"),
        ({"social_needs": ["yachts"]}, "social_needs"),
        ({"status": "completed"}, "status"),
        ({"level_indicated": "3.7", "level_arranged": "2.5"}, "level_difference_reason"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api_as, case_manager, client_record, body, field):
    api = api_as(case_manager)
    draft = _start(api, client_record)
    response = api.patch(f"{URL}{draft['id']}/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_complete_names_what_is_missing(api_as, case_manager, client_record):
    api = api_as(case_manager)
    draft = _start(api, client_record)
    response = api.post(f"{URL}{draft['id']}/complete/")
    assert response.status_code == 400
    assert {"presenting_concerns", "client_goals", "asam_d1"} <= set(response.json())


def test_substance_bad_input(api_as, case_manager, client_record):
    api = api_as(case_manager)
    draft = _start(api, client_record)
    bad = {"substance": "", "pattern": "sometimes", "route": "oral", "age_first_use": 1}
    response = api.post(f"{URL}{draft['id']}/substances/", bad, format="json")
    assert response.status_code == 400 and "pattern" in response.json()


def test_link_responses(api_as, case_manager, client_record, team):
    api = api_as(case_manager)
    draft = _start(api, client_record)
    mine = give(case_manager, client_record)
    theirs = give(case_manager, ClientFactory(team=team))
    url = f"{URL}{draft['id']}/responses/"
    assert api.post(url, {"responses": [theirs.pk]}, format="json").status_code == 400
    body = api.post(url, {"responses": [mine.pk]}, format="json").json()
    assert body["responses"] == [mine.pk]


def test_outsider_gets_404(api_as, outsider, case_manager, client_record):
    a = ComprehensiveAssessment.objects.create(client=client_record, created_by=case_manager)
    api = api_as(outsider)
    assert api.get(f"{URL}{a.pk}/").status_code == 404
    assert api.patch(f"{URL}{a.pk}/", {"housing": "x"}, format="json").status_code == 404
    assert api.post(f"{URL}{a.pk}/complete/").status_code == 404
    assert api.get(URL, {"client": client_record.pk}).json()["count"] == 0
    assert api.post(URL, {"client": client_record.pk}, format="json").status_code == 400


def test_no_delete_or_put(api_as, case_manager, client_record):
    api = api_as(case_manager)
    draft = _start(api, client_record)
    assert api.delete(f"{URL}{draft['id']}/").status_code == 405
    assert api.put(f"{URL}{draft['id']}/", {}, format="json").status_code == 405


def test_list_query_count_is_flat(
    api_as, case_manager, client_record, team, django_assert_max_num_queries
):
    api = api_as(case_manager)
    _start(api, client_record)
    with django_assert_max_num_queries(12) as one:
        assert api.get(URL).json()["count"] == 1
    for _ in range(20):
        c = ClientFactory(team=team)
        give(case_manager, c)
        _start(api, c)
    with django_assert_max_num_queries(12) as many:
        assert api.get(URL).json()["count"] == 21
    assert len(many.captured_queries) == len(one.captured_queries)
