"""The Documents tab and /api/v1/documents/: upload, list, download with safe headers,
audited; out of reach is 404; the 42 CFR Part 2 gate for outside organisations."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import Role
from casemgmt.audit.models import AuditEvent
from clients.models import Consent, ConsentKind, ExpiryKind
from documents import services
from documents.models import Document
from referrals.models import Disclosure, Organization
from tests.factories import ClientFactory, UserFactory

from .conftest import EXE, HTML, PDF, big_pdf, upload

pytestmark = pytest.mark.django_db


def tab(client):
    return reverse("documents:client_documents", args=[client.pk])


def _doc(user, client, **extra):
    return services.document_upload(
        actor=user, client=client, upload=upload(), kind="discharge_summary", **extra
    )


# ------------------------------------------------------------------------ the chart tab
def test_tab_is_on_the_chart_with_an_empty_state(browser_as, case_manager, client_record):
    page = browser_as(case_manager).get(tab(client_record))
    assert page.status_code == 200
    assert 'id="documents-empty"' in page.text and f'href="{tab(client_record)}"' in page.text
    assert 'enctype="multipart/form-data"' in page.text


def test_upload_from_the_tab(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    response = browser.post(
        tab(client_record),
        {"file": upload("summary.pdf"), "kind": "discharge_summary", "title": "Riverside ED"},
        follow=True,
    )
    assert "Uploaded: Riverside ED." in response.text
    document = Document.objects.get()
    assert f'href="{reverse("documents:download", args=[client_record.pk, document.pk])}"' in (
        response.text
    )


@pytest.mark.parametrize("content", [HTML, EXE])
def test_a_spoofed_file_is_refused_next_to_the_field(
    browser_as, case_manager, client_record, content
):
    response = browser_as(case_manager).post(
        tab(client_record), {"file": upload("consent.pdf", content), "kind": "signed_consent"}
    )
    assert response.status_code == 200 and 'id="id_file_error"' in response.text
    assert "not a PDF or an image" in response.text and not Document.objects.exists()


def test_an_oversized_file_is_refused_next_to_the_field(
    settings, browser_as, case_manager, client_record
):
    settings.DOCUMENT_MAX_MB = 1
    response = browser_as(case_manager).post(
        tab(client_record),
        {"file": upload(content=big_pdf(2)), "kind": "court_order", "title": "Kept title"},
    )
    assert 'id="id_file_error"' in response.text and "the limit is 1 MB" in response.text
    assert 'value="Kept title"' in response.text  # nothing typed is lost
    assert not Document.objects.exists()


def test_download_has_safe_headers_and_is_audited(browser_as, case_manager, client_record):
    document = _doc(case_manager, client_record, title="ED summary")
    response = browser_as(case_manager).get(
        reverse("documents:download", args=[client_record.pk, document.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="ED-summary.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    event = AuditEvent.objects.get(object_type="documents.document", action="export")
    assert event.user == case_manager and event.object_id == str(document.pk)


def test_outsider_gets_404_and_nothing_is_audited_for_the_client(
    browser_as, api_as, case_manager, outsider, other_team, client_record
):
    document = _doc(case_manager, client_record)
    browser = browser_as(outsider)
    assert browser.get(tab(client_record)).status_code == 404
    url = reverse("documents:download", args=[client_record.pk, document.pk])
    assert browser.get(url).status_code == 404
    # Another client's id in the URL of a client in reach: 404 too.
    mine = ClientFactory(team=other_team)
    assert (
        browser.get(reverse("documents:download", args=[mine.pk, document.pk])).status_code == 404
    )
    api = api_as(outsider)
    assert api.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404
    assert not AuditEvent.objects.filter(
        user=outsider, action="export", client_id=client_record.pk
    ).exists()


def test_entered_in_error_from_the_tab(browser_as, case_manager, client_record):
    document = _doc(case_manager, client_record, title="Wrong scan")
    browser = browser_as(case_manager)
    url = reverse("documents:entered_in_error", args=[client_record.pk, document.pk])
    response = browser.post(url, {"reason": "Wrong client"}, follow=True)
    assert "It stays in the record" in response.text
    assert 'id="documents-in-error"' in response.text and "<del>Wrong scan</del>" in response.text
    assert Document.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize("n", [1, 15])
def test_tab_query_count(browser_as, case_manager, client_record, django_assert_max_num_queries, n):
    for _ in range(n):
        _doc(case_manager, client_record)
    browser = browser_as(case_manager)
    browser.get(tab(client_record))  # warm the session
    with django_assert_max_num_queries(15):
        page = browser.get(tab(client_record))
    assert len(re.findall(r'id="document-\d', page.text)) == n


# ------------------------------------------------------------------------------- the API
def test_api_upload_list_download(api_as, case_manager, client_record, team):
    api = api_as(case_manager)
    response = api.post(
        "/api/v1/documents/",
        {"client": client_record.pk, "kind": "identification", "file": upload("id.pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "application/pdf" and body["download_url"].endswith(
        f"/documents/{body['id']}/download/"
    )
    bad = api.post(
        "/api/v1/documents/",
        {"client": client_record.pk, "kind": "identification", "file": upload("id.pdf", HTML)},
        format="multipart",
    )
    assert bad.status_code == 400 and "file" in bad.json()
    other_team_client = ClientFactory()
    far = api.post(
        "/api/v1/documents/",
        {"client": other_team_client.pk, "kind": "identification", "file": upload()},
        format="multipart",
    )
    assert far.status_code == 400 and "client" in far.json()
    listed = api.get("/api/v1/documents/", {"client": client_record.pk, "kind": "identification"})
    assert [d["id"] for d in listed.json()["results"]] == [body["id"]]
    assert api.get("/api/v1/documents/", {"kind": "poster"}).status_code == 400
    download = api.get(f"/api/v1/documents/{body['id']}/download/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    gone = api.post(f"/api/v1/documents/{body['id']}/entered-in-error/", {"reason": ""})
    assert gone.status_code == 400 and "reason" in gone.json()
    gone = api.post(
        f"/api/v1/documents/{body['id']}/entered-in-error/", {"reason": "Duplicate"}, format="json"
    )
    assert gone.status_code == 200 and gone.json()["status"] == "entered_in_error"


@pytest.mark.parametrize("n", [1, 20])
def test_api_list_query_count(
    api_as, case_manager, client_record, team, django_assert_max_num_queries, n
):
    second = ClientFactory(team=team, primary_case_manager=case_manager)
    for _ in range(n):
        _doc(case_manager, client_record)
        _doc(case_manager, second)
    api = api_as(case_manager)
    with django_assert_max_num_queries(10):
        response = api.get("/api/v1/documents/")
    assert response.json()["count"] == 2 * n


# -------------------------------------------------------------------- 42 CFR Part 2 gate
@pytest.fixture
def partner(team):
    org = Organization.objects.create(name="Lakeside Primary Care")
    user = UserFactory(username="lakeside", role=Role.CASE_MANAGER)
    user.outside_organization_directory_id = org.pk
    user.save(update_fields=["outside_organization_directory_id"])
    team.members.add(user)
    return org, user


def _consent_for(client, org, recorded_by):
    return Consent.objects.create(
        client=client,
        kind=ConsentKind.PART2,
        patient_name=client.legal_name,
        discloser="Riverside",
        information_description="Substance use treatment records",
        recipients=[org.name],
        recipient_directory_ids=[org.pk],
        purpose="Coordinate treatment",
        right_to_revoke_explained=True,
        expiry_kind=ExpiryKind.DATE,
        expires_on=timezone.localdate() + timedelta(days=90),
        signed_by=client.legal_name,
        signed_on=timezone.localdate() - timedelta(days=1),
        signature_method="paper",
        recorded_by=recorded_by,
    )


def test_part2_documents_are_closed_to_an_outside_organisation_without_consent(
    browser_as, api_as, case_manager, client_record, partner
):
    org, user = partner
    plain = _doc(case_manager, client_record, title="Court order copy")
    sud = _doc(case_manager, client_record, title="Detox discharge", holds_substance_use=True)
    page = browser_as(user).get(tab(client_record))
    assert "Court order copy" in page.text and "Detox discharge" not in page.text
    assert "no active 42 CFR Part 2 consent names your organisation" in page.text
    url = reverse("documents:download", args=[client_record.pk, sud.pk])
    assert browser_as(user).get(url).status_code == 404
    api = api_as(user)
    ids = [
        d["id"]
        for d in api.get("/api/v1/documents/", {"client": client_record.pk}).json()["results"]
    ]
    assert ids == [plain.pk]
    assert api.get(f"/api/v1/documents/{sud.pk}/download/").status_code == 404
    # Staff of the program see both.
    staff = browser_as(case_manager).get(tab(client_record))
    assert "Detox discharge" in staff.text and "Part 2: substance use" in staff.text


def test_part2_documents_open_under_consent_and_each_download_is_a_disclosure(
    browser_as, api_as, case_manager, client_record, partner
):
    org, user = partner
    consent = _consent_for(client_record, org, case_manager)
    sud = _doc(case_manager, client_record, title="Detox discharge", holds_substance_use=True)
    url = reverse("documents:download", args=[client_record.pk, sud.pk])
    assert browser_as(user).get(url).status_code == 200
    disclosure = Disclosure.objects.get(client=client_record)
    assert disclosure.recipient == org.name and disclosure.consent_id == consent.pk
    assert f"Document {sud.pk}" in disclosure.information
    api = api_as(user)
    ids = [
        d["id"]
        for d in api.get("/api/v1/documents/", {"client": client_record.pk}).json()["results"]
    ]
    assert ids == [sud.pk]
    assert api.get(f"/api/v1/documents/{sud.pk}/download/").status_code == 200
    assert Disclosure.objects.filter(client=client_record).count() == 2
    # Staff downloads are no disclosure.
    browser_as(case_manager).get(url)
    assert Disclosure.objects.filter(client=client_record).count() == 2
