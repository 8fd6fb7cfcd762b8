"""Emergency access opens the records that hang off the client in every app, for its 60
minutes only; it never lists the client in the caseload."""

from datetime import timedelta

import pytest
from django.utils import timezone

from careplans.models import CarePlan
from casemgmt.audit.models import AuditEvent
from clients.models import EmergencyAccess
from clients.services import diagnosis_add, emergency_access_grant
from referrals.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(case_manager, client_record):
    referral = Referral.objects.create(
        client=client_record,
        provider_name="Harbor Detox",
        reason="x",
        created_by=case_manager,
        discloses_substance_use=False,
    )
    plan = CarePlan.objects.create(
        client=client_record,
        version=1,
        status="active",
        author=case_manager,
        effective_date=timezone.localdate(),
        review_due=timezone.localdate() + timedelta(days=90),
    )
    return referral, plan


def test_nested_records_open_under_emergency_access(
    browser_as, api_as, outsider, client_record, records
):
    referral, plan = records
    urls = [
        f"/referrals/clients/{client_record.pk}/{referral.pk}/",
        f"/careplans/{client_record.pk}/plans/{plan.pk}/",
    ]
    browser = browser_as(outsider)
    assert [browser.get(u).status_code for u in urls] == [404, 404]
    emergency_access_grant(
        reason_code="medical_emergency",
        user=outsider,
        client_number=client_record.client_number,
        reason="ED called: client in crisis",
    )
    assert [browser.get(u).status_code for u in urls] == [200, 200]
    assert api_as(outsider).get(f"/api/v1/referrals/{referral.pk}/").status_code == 200
    assert client_record.client_number not in browser.get("/clients/").text


def test_expired_emergency_access_opens_nothing(browser_as, outsider, client_record, records):
    referral, _ = records
    EmergencyAccess.objects.create(
        client=client_record,
        user=outsider,
        reason="old",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    url = f"/referrals/clients/{client_record.pk}/{referral.pk}/"
    assert browser_as(outsider).get(url).status_code == 404


def test_every_chart_read_under_emergency_access_is_audited_as_emergency_access(
    browser_as, case_manager, outsider, client_record, records
):
    """One rule (``clients.services.client_read_audit``) for the chart and the records
    on it: the access log tells a break-the-glass read from an ordinary view."""
    referral, plan = records
    diagnosis = diagnosis_add(
        actor=case_manager, client=client_record, category="mental_health", icd10_code="F33.1"
    )
    pages = {
        f"/clients/{client_record.pk}/": client_record,
        f"/clients/{client_record.pk}/diagnoses/{diagnosis.pk}/": diagnosis,
        f"/referrals/clients/{client_record.pk}/{referral.pk}/": referral,
        f"/careplans/{client_record.pk}/plans/{plan.pk}/": plan,
    }
    emergency_access_grant(
        reason_code="medical_emergency",
        user=outsider,
        client_number=client_record.client_number,
        reason="ED called: crisis",
    )
    browser = browser_as(outsider)
    for url, obj in pages.items():
        assert browser.get(url).status_code == 200, url
        event = AuditEvent.objects.filter(user=outsider, object_id=str(obj.pk)).latest("pk")
        assert (event.action, event.object_type, event.client_id) == (
            "emergency_access",
            obj._meta.label_lower,
            client_record.pk,
        ), url
    browser_as(case_manager).get(f"/referrals/clients/{client_record.pk}/{referral.pk}/")
    event = AuditEvent.objects.filter(user=case_manager, object_id=str(referral.pk)).latest("pk")
    assert event.action == "view"


def test_api_reads_under_emergency_access_are_audited_as_emergency_access(
    api_as, case_manager, outsider, client_record, records
):
    """The API's audited reads follow the chart's rule: a retrieve, and a list narrowed
    to the client, are emergency access in the client's access log."""
    referral, plan = records
    emergency_access_grant(
        reason_code="medical_emergency",
        user=outsider,
        client_number=client_record.client_number,
        reason="ED called: crisis",
    )
    api = api_as(outsider)
    assert api.get(f"/api/v1/careplans/{plan.pk}/").status_code == 200
    event = AuditEvent.objects.filter(user=outsider).latest("pk")
    assert (event.action, event.object_id, event.client_id) == (
        "emergency_access",
        str(plan.pk),
        client_record.pk,
    )
    assert api.get(f"/api/v1/careplans/?client={client_record.pk}").status_code == 200
    event = AuditEvent.objects.filter(user=outsider).latest("pk")
    assert (event.action, event.object_type, event.client_id) == (
        "emergency_access",
        "careplans.careplan_list",
        client_record.pk,
    )
    api_as(case_manager).get(f"/api/v1/careplans/{plan.pk}/")
    assert AuditEvent.objects.filter(user=case_manager).latest("pk").action == "view"
