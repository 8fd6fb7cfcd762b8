"""The OpenAPI schema says what the endpoints really return (issue 14, finding 8): each
answer below once broke it. Checked by schemathesis' response conformance check."""

import pytest

from clients.models import RiskFlag, RiskFlagKind
from tests.api_harness import get_as, schema_errors

pytestmark = pytest.mark.django_db


def _conforms(user, url):
    response = get_as(user, url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return schema_errors("get", url, response)


def test_blank_email_and_choices_of_a_client_are_in_the_schema(case_manager, client_record):
    client_record.email = ""
    client_record.insurance_type = ""
    client_record.save(update_fields=["email", "insurance_type"])
    assert _conforms(case_manager, f"/api/v1/clients/{client_record.pk}/") == []
    assert _conforms(case_manager, "/api/v1/clients/") == []


def test_an_active_risk_flag_has_no_one_who_cleared_it(case_manager, client_record):
    flag = RiskFlag.objects.create(
        client=client_record, kind=RiskFlagKind.SUICIDE, set_by=case_manager, reason="Screen"
    )
    assert _conforms(case_manager, f"/api/v1/risk-flags/{flag.pk}/") == []


def test_today_is_an_object_of_sections(case_manager, client_record):
    assert _conforms(case_manager, "/api/v1/dashboard/today/") == []
