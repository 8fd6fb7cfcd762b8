"""The API's JSON parser: depth limit, numbers beyond a float (issue 13, item 6).

Before the parser, each of these answered 500 (RecursionError, OverflowError).
"""

import pytest


# JSON depth
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/clients/"),
        ("post", "/api/v1/follow-ups/"),
        ("post", "/api/v1/notes/"),
        ("patch", "/api/v1/clients/{client}/"),
    ],
)
def test_deeply_nested_json_is_400_naming_the_problem(
    api_500, case_manager, client_record, method, url
):
    body = "[" * 100_000 + "]" * 100_000
    response = getattr(api_500(case_manager), method)(
        url.format(client=client_record.pk), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_json_nested_within_the_limit_still_parses(api_as, case_manager, client_record):
    # 20 levels is more than any endpoint needs and well inside the limit.
    body = (
        f'{{"first_name": "Sasha", "version": {client_record.version}, "extra": '
        + "[" * 20
        + "]" * 20
        + "}"
    )
    response = api_as(case_manager).patch(
        f"/api/v1/clients/{client_record.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 200


# numbers out of range
def _client_body(team_id, team_literal):
    return (
        '{"first_name": "Sasha", "last_name": "Lindqvist", "date_of_birth": "1992-06-15", '
        f'"status": "intake", "team": {team_literal or team_id}}}'
    )


@pytest.mark.parametrize(
    "literal", ["1e400", "-1e400", "1e300", "99999999999999999999", "-99999999999999999999"]
)
def test_client_create_with_a_team_out_of_range_is_400_on_team(
    api_500, case_manager, team, literal
):
    response = api_500(case_manager).post(
        "/api/v1/clients/", _client_body(team.pk, literal), content_type="application/json"
    )
    assert response.status_code == 400
    assert "team" in response.json()


@pytest.mark.parametrize("client_id", [10**20, -(10**20), 2**63])
def test_followup_create_for_a_huge_client_id_is_400_on_client(api_500, case_manager, client_id):
    response = api_500(case_manager).post(
        "/api/v1/follow-ups/",
        {"client": client_id, "title": "Call", "due_on": "2030-01-01"},
        format="json",
    )
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert "client" in response.json()


def test_followup_list_filtered_by_a_huge_client_id_is_not_a_500(api_500, case_manager):
    response = api_500(case_manager).get("/api/v1/follow-ups/?client=99999999999999999999")
    assert response.status_code in (200, 400)


# free text
def test_a_json_string_over_the_free_text_limit_is_400_naming_the_field(
    api_500, case_manager, client_record
):
    body = {"client": client_record.pk, "title": "Call", "due_on": "2031-01-01"}
    response = api_500(case_manager).post(
        "/api/v1/follow-ups/", {**body, "title": "x" * 20_001}, format="json"
    )
    assert response.status_code == 400
    assert "20,000 characters" in response.json()["title"][0]


def test_client_cultural_considerations_of_2_mb_are_refused(api_500, case_manager, client_record):
    response = api_500(case_manager).patch(
        f"/api/v1/clients/{client_record.pk}/",
        {"version": client_record.version, "cultural_considerations": "x" * 2_000_000},
        format="json",
    )
    assert response.status_code == 400
    assert "cultural_considerations" in response.json()
