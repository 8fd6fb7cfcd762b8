"""documents.services: upload (type by content, size limit, attachments), entered in
error (nothing deleted), download (audited)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casemgmt.audit.models import AuditEvent
from clients.models import Consent, ConsentKind, ExpiryKind, TimelineEntry
from documents import services
from documents.models import Document, DocumentStatus
from tests.factories import ClientFactory

from .conftest import EXE, HTML, PDF, PNG, big_pdf, upload

pytestmark = pytest.mark.django_db


def part2_consent(client, recorded_by):
    return Consent.objects.create(
        client=client,
        kind=ConsentKind.PART2,
        patient_name=client.legal_name,
        discloser="Riverside",
        information_description="Substance use treatment",
        recipients=["Harbor Detox"],
        purpose="Coordinate treatment",
        right_to_revoke_explained=True,
        expiry_kind=ExpiryKind.DATE,
        expires_on=timezone.localdate() + timedelta(days=90),
        signed_by=client.legal_name,
        signed_on=timezone.localdate() - timedelta(days=1),
        signature_method="paper",
        recorded_by=recorded_by,
    )


def test_a_pdf_is_stored_under_a_random_name_and_audited(
    case_manager, client_record, documents_storage
):
    document = services.document_upload(
        actor=case_manager,
        client=client_record,
        upload=upload("Jane Doe signed ROI.pdf"),
        kind="release",
    )
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert document.title == "Signed release of information"  # empty title: the kind
    assert document.original_name == "Jane Doe signed ROI.pdf"
    # The stored name says nothing about the client: clients/<id>/<hex>.pdf
    assert document.file.name.startswith(f"clients/{client_record.pk}/")
    assert "Jane" not in document.file.name and document.file.name.endswith(".pdf")
    assert (documents_storage / document.file.name).read_bytes() == PDF
    import hashlib

    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    event = AuditEvent.objects.get(object_type="documents.document", action="create")
    assert event.client_id == client_record.pk and event.detail["bytes"] == len(PDF)
    assert TimelineEntry.objects.filter(client=client_record, kind="document").exists()


def test_an_image_gets_the_extension_of_its_content(case_manager, client_record):
    document = services.document_upload(
        actor=case_manager,
        client=client_record,
        upload=upload("id.pdf", PNG),
        kind="identification",
    )
    assert document.content_type == "image/png" and document.file.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "content"), [("scan.pdf", HTML), ("photo.png", EXE), ("consent.pdf", b"just text")]
)
def test_a_spoofed_extension_is_refused(case_manager, client_record, name, content):
    with pytest.raises(ValidationError) as error:
        services.document_upload(
            actor=case_manager,
            client=client_record,
            upload=upload(name, content),
            kind="signed_consent",
        )
    assert "not a PDF or an image" in error.value.message_dict["file"][0]
    assert not Document.objects.exists()


def test_an_oversized_file_is_refused_with_its_size_and_the_limit(
    settings, case_manager, client_record, documents_storage
):
    settings.DOCUMENT_MAX_MB = 1
    with pytest.raises(ValidationError) as error:
        services.document_upload(
            actor=case_manager,
            client=client_record,
            upload=upload(content=big_pdf(1.5)),
            kind="discharge_summary",
        )
    message = error.value.message_dict["file"][0]
    assert "is 1.5 MB; the limit is 1 MB" in message
    assert not Document.objects.exists() and not any(documents_storage.rglob("*.pdf"))


def test_an_empty_file_and_a_future_date_are_refused(case_manager, client_record):
    with pytest.raises(ValidationError) as error:
        services.document_upload(
            actor=case_manager,
            client=client_record,
            upload=upload(content=b""),
            kind="other",
            document_date=client_record.team.local_date() + timedelta(days=3),
        )
    assert set(error.value.message_dict) == {"file", "document_date"}


def test_attachments_must_be_the_clients_own(case_manager, client_record, team):
    other = ClientFactory(team=team)
    consent = part2_consent(other, case_manager)
    with pytest.raises(ValidationError) as error:
        services.document_upload(
            actor=case_manager,
            client=client_record,
            upload=upload(),
            kind="signed_consent",
            consent=consent,
        )
    assert "consent" in error.value.message_dict


def test_a_document_of_a_part2_consent_holds_substance_use_information(case_manager, client_record):
    consent = part2_consent(client_record, case_manager)
    document = services.document_upload(
        actor=case_manager,
        client=client_record,
        upload=upload(),
        kind="signed_consent",
        consent=consent,
        holds_substance_use=False,
    )
    assert document.holds_substance_use and document.consent_id == consent.pk


def test_entered_in_error_keeps_the_document_and_its_file(case_manager, client_record):
    document = services.document_upload(
        actor=case_manager, client=client_record, upload=upload(), kind="other"
    )
    with pytest.raises(ValidationError):
        services.document_mark_entered_in_error(actor=case_manager, document=document, reason=" ")
    services.document_mark_entered_in_error(
        actor=case_manager, document=document, reason="Wrong client"
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.ENTERED_IN_ERROR
    assert document.entered_in_error_reason == "Wrong client" and document.file.storage.exists(
        document.file.name
    )
    assert AuditEvent.objects.filter(object_type="documents.document", action="update").exists()


def test_a_download_is_audited_as_an_export(case_manager, client_record):
    document = services.document_upload(
        actor=case_manager, client=client_record, upload=upload(), kind="other"
    )
    download = services.document_download(
        user=case_manager, client=client_record, document=document
    )
    assert download.file.read() == PDF and download.filename == "Other.pdf"
    download.file.close()
    event = AuditEvent.objects.get(object_type="documents.document", action="export")
    assert event.client_id == client_record.pk and event.detail["download"] is True
