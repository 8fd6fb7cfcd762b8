"""Documents tests: the storage in a temporary folder, and synthetic files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

# A minimal valid one-page PDF (synthetic, no content).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
HTML = b"<!doctype html><html><script>alert(1)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 60


@pytest.fixture(autouse=True)
def documents_storage(monkeypatch, tmp_path):
    """The documents storage in a temporary folder (the model field holds the storage
    made from STORAGES["documents"] at start-up: replaced here for the test)."""
    from django.core.files.storage import FileSystemStorage

    from documents.models import Document

    location = tmp_path / "documents"
    field = Document._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=location, base_url=None))
    return location


def upload(name="consent.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def big_pdf(megabytes: float) -> bytes:
    body = io.BytesIO()
    body.write(PDF)
    body.write(b"%" + b"0" * int(megabytes * 1024 * 1024))
    return body.getvalue()
