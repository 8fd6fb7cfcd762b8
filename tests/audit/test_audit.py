import psycopg
import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from casemgmt.audit.models import AuditEvent
from casemgmt.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(case_manager, client_record):
    return audit_record(
        user=case_manager, action="view", obj=client_record, client_id=client_record.pk
    )


_INSERT = (
    "INSERT INTO audit_auditevent (occurred_at, action, object_type, object_id, detail)"
    " VALUES (now(), 'view', 'test', '', '{}') RETURNING id"
)


def test_database_refuses_update_even_to_the_owner(owner_cursor):
    owner_cursor.execute(_INSERT)
    pk = owner_cursor.fetchone()[0]
    with pytest.raises(psycopg.Error, match="append-only"):
        owner_cursor.execute("UPDATE audit_auditevent SET action = 'delete' WHERE id = %s", [pk])


def test_database_refuses_delete_even_to_the_owner(owner_cursor):
    owner_cursor.execute(_INSERT)
    pk = owner_cursor.fetchone()[0]
    with pytest.raises(psycopg.Error, match="append-only"):
        owner_cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [pk])


def test_the_app_may_not_update_or_delete(event):
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        event.delete()


def test_request_address_is_recorded(browser_as, case_manager, client_record):
    browser_as(case_manager).get(
        reverse("clients:detail", args=[client_record.pk]), REMOTE_ADDR="10.1.2.3"
    )
    assert (
        AuditEvent.objects.get(client_id=client_record.pk, action="view").ip_address == "10.1.2.3"
    )


@pytest.mark.parametrize("proxies, recorded", [(0, "10.0.0.1"), (1, "203.0.113.7")])
def test_a_spoofed_forwarded_hop_is_not_recorded(
    browser_as, case_manager, client_record, settings, proxies, recorded
):
    settings.TRUSTED_PROXY_COUNT = proxies
    browser_as(case_manager).get(
        reverse("clients:detail", args=[client_record.pk]),
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.7",
    )
    event = AuditEvent.objects.get(client_id=client_record.pk, action="view")
    assert event.ip_address == recorded


def test_a_forwarded_header_that_is_no_address_breaks_nothing(
    browser_as, case_manager, client_record, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    response = browser_as(case_manager).get(
        reverse("clients:detail", args=[client_record.pk]),
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="<script>",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(client_id=client_record.pk, action="view")
    assert event.ip_address == "10.0.0.1"


def test_admin_and_auditor_browse_and_filter(browser_as, admin_user, auditor, event, case_manager):
    for user in (admin_user, auditor):
        response = browser_as(user).get(reverse("audit:list"), {"user": case_manager.pk})
        assert response.status_code == 200
        assert event.client_id == response.context["page"].object_list[0].client_id


def test_audit_filter_by_action(api_as, auditor, event):
    api = api_as(auditor)
    assert api.get("/api/v1/audit-events/", {"action": "view"}).json()["count"] == 1
    assert api.get("/api/v1/audit-events/", {"action": "update"}).json()["count"] == 0


def test_case_manager_cannot_read_audit(browser_as, api_as, case_manager, event):
    assert browser_as(case_manager).get(reverse("audit:list")).status_code == 403
    assert api_as(case_manager).get("/api/v1/audit-events/").status_code == 403


def test_api_is_read_only(api_as, admin_user, event):
    api = api_as(admin_user)
    url = f"/api/v1/audit-events/{event.pk}/"
    assert api.get(url).status_code == 200
    assert api.delete(url).status_code == 405
    assert api.patch(url, {"action": "x"}, format="json").status_code == 405
    assert api.post("/api/v1/audit-events/", {}, format="json").status_code == 405


def test_a_nul_byte_in_a_filter_name_or_value_is_recorded_not_a_500(api_500, case_manager):
    api = api_500(case_manager)
    # The trail's JSONB column refuses "\u0000": the name is kept, the NUL replaced.
    assert api.get("/api/v1/clients/?last_name%00x=1").status_code == 200
    assert api.get("/clients/", {"q\x00": "x"}).status_code < 500
    assert AuditEvent.objects.filter(detail__filters=["last_name\ufffdx"]).exists()


def test_audit_record_replaces_nul_bytes_in_keys_and_values(case_manager):
    event = audit_record(
        user=case_manager,
        action="view",
        object_type="clients.client",
        detail={"filters": ["a\x00b"], "k\x00": {"nested\x00": "v\x00"}},
    )
    event.refresh_from_db()
    assert event.detail == {"filters": ["a\ufffdb"], "k\ufffd": {"nested\ufffd": "v\ufffd"}}
