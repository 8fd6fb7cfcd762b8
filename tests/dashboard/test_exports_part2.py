"""Issue 14, finding 2 (exports): a CSV download names no recipient, so no Part 2 consent
can cover it; it never carries substance use information."""

import pytest
from django.urls import reverse

from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
CSV = reverse("dashboard:clients_csv")


@pytest.mark.parametrize(
    "query",
    [
        {"measure": "fua_7"},
        {"measure": "fua_30"},
        {"measure": "dual_both_goals"},
        {"dual_diagnosis": "true"},
        {"risk_flag": "overdose_risk"},
    ],
)
def test_a_list_defined_by_substance_use_is_not_exported(browser_as, supervisor, team, query):
    client = ClientFactory(team=team, is_dual_diagnosis=True)
    client.risk_flags.create(kind="overdose_risk", reason="Recent overdose")
    response = browser_as(supervisor).get(CSV, query)
    assert response.status_code == 409
    assert "42 CFR Part 2" in response.content.decode()
    assert client.client_number not in response.content.decode()


def test_the_flags_column_leaves_out_overdose_risk(browser_as, supervisor, team):
    client = ClientFactory(team=team)
    client.risk_flags.create(kind="overdose_risk", reason="Recent overdose")
    client.risk_flags.create(kind="suicide_risk", reason="Said so")
    lines = browser_as(supervisor).get(CSV).content.decode().splitlines()
    row = next(line for line in lines if client.client_number in line)
    assert row.endswith(",suicide_risk") and "overdose" not in row


def test_the_page_of_such_a_list_offers_no_export(browser_as, supervisor, team):
    page = browser_as(supervisor).get(reverse("dashboard:clients"), {"measure": "fua_7"})
    assert page.status_code == 200 and "Export CSV" not in page.content.decode()
    page = browser_as(supervisor).get(reverse("dashboard:clients"), {"measure": "current_plan"})
    assert "Export CSV" in page.content.decode()
