"""A JSON body that is not an object (``null``, a list, a string, a number) is a 400 on
every operation that takes an object, never a 500. Operations come from the OpenAPI
schema, so a new endpoint is covered without being listed."""

import json

import pytest

from tests.api_harness import openapi_schema


def _object_body_operations():
    schema = openapi_schema()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("post", "put", "patch") and "requestBody" in operation:
                yield method, path


@pytest.fixture
def ids(client_record, case_manager):
    from assessments.services import assessment_start

    assessment = assessment_start(actor=case_manager, client=client_record)
    return {"comprehensive-assessments": assessment.pk, "clients": client_record.pk}


def _url(path, ids):
    prefix = path.removeprefix("/api/v1/").split("/")[0]
    return (
        path.replace("{id}", str(ids.get(prefix, 1)))
        .replace("{code}", "phq9")
        .replace("{request_id}", "1")
    )


@pytest.mark.parametrize("body", ["null", "[]", "[1, 2]", '"text"', "3"])
def test_a_body_that_is_not_an_object_is_400_everywhere(api_500, case_manager, ids, body):
    api = api_500(case_manager)
    errors = []
    for method, path in _object_body_operations():
        url = _url(path, ids)
        response = getattr(api, method)(url, body, content_type="application/json")
        if response.status_code >= 500 or response.status_code == 200:
            errors.append((method, url, response.status_code))
    assert not errors


@pytest.mark.parametrize("body", [None, []])
def test_patch_of_an_assessment_with_a_null_or_list_body_is_400(api_500, case_manager, ids, body):
    url = f"/api/v1/comprehensive-assessments/{ids['comprehensive-assessments']}/"
    response = api_500(case_manager).patch(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "object" in json.dumps(response.json())
