"""Documents on the chart: a file that only pretends to be a PDF is refused next to the
field; a real scan is uploaded, listed and downloaded (as an attachment, audited)."""

from pathlib import Path

from playwright.sync_api import expect

from casemgmt.audit.models import AuditEvent
from documents.models import Document
from tests.browser.conftest import log_in
from tests.documents.conftest import HTML, PDF
from tests.factories import PASSWORD, ClientFactory


def test_upload_and_download_a_document(page, shot, case_manager, team, tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    field = Document._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path, base_url=None))
    client = ClientFactory(
        team=team, first_name="Marisol", last_name="Quintero", primary_case_manager=case_manager
    )
    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Documents", exact=True).click()
    expect(page.locator("#documents-empty")).to_be_visible()

    # A web page renamed to .pdf: refused by its content, next to the field.
    page.get_by_label("File").set_input_files(
        {"name": "signed-consent.pdf", "mimeType": "application/pdf", "buffer": HTML}
    )
    page.get_by_label("What it is").select_option(label="Signed release of information")
    page.get_by_label("Title").fill("ROI to Harbor Detox")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#id_file_error")).to_contain_text("not a PDF or an image")
    expect(page.get_by_label("Title")).to_have_value("ROI to Harbor Detox")  # kept
    assert not Document.objects.exists()

    page.get_by_label("File").set_input_files(
        {"name": "signed-consent.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("What it is").select_option(label="Signed release of information")
    page.get_by_label("Holds substance use information").check()
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".alert-success")).to_contain_text("Uploaded: ROI to Harbor Detox.")
    card = page.locator("#documents-current li").first
    expect(card).to_contain_text("Signed release of information")
    expect(card).to_contain_text("Part 2: substance use")
    shot(page, "documents-01-uploaded")

    with page.expect_download() as info:
        card.get_by_role("link", name="Download").click()
    download = info.value
    assert download.suggested_filename == "ROI-to-Harbor-Detox.pdf"
    assert Path(download.path()).read_bytes() == PDF
    document = Document.objects.get()
    assert AuditEvent.objects.filter(
        object_type="documents.document", object_id=str(document.pk), action="export"
    ).exists()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#documents-current li")).to_have_count(1)
    shot(page, "documents-02-phone")
    assert page.csp_violations == []
