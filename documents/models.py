"""Scanned and uploaded documents of a client's record: signed consents and releases,
discharge summaries, court orders, identification.

A document belongs to a client and may be attached to one of the client's consents, care
transitions or referrals. Its file lives in the ``documents`` storage (Django's storage
API: the file system under ``MEDIA_ROOT`` by default, an S3-compatible bucket through
django-storages when configured; see settings), under a random name that says nothing
about the client; the name it was uploaded with is kept here only. Nothing is deleted: a
wrong upload is marked entered in error, with the reason, and stays in the record.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q

from casemgmt.lib.limits import FREE_TEXT_MAX_LENGTH

USER = settings.AUTH_USER_MODEL


def documents_storage() -> Storage:
    """The storage documents are kept in (``STORAGES["documents"]``)."""
    return storages["documents"]


def document_path(instance: Document, filename: str) -> str:
    """``clients/<client id>/<random>.<ext>``: the extension comes from the detected
    content type (``filename`` is already that), never from the uploaded name."""
    extension = filename[filename.rfind(".") :] if "." in filename else ""
    return f"clients/{instance.client_id}/{uuid.uuid4().hex}{extension}"


class DocumentKind(models.TextChoices):
    SIGNED_CONSENT = "signed_consent", "Signed consent"
    RELEASE = "release", "Signed release of information"
    DISCHARGE_SUMMARY = "discharge_summary", "Discharge summary"
    COURT_ORDER = "court_order", "Court order"
    IDENTIFICATION = "identification", "Identification"
    INSURANCE_CARD = "insurance_card", "Insurance card"
    OTHER = "other", "Other"


class DocumentStatus(models.TextChoices):
    CURRENT = "current", "Current"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class Document(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    document_date = models.DateField(
        null=True, blank=True, help_text="The date on the document (signed, discharged, ...)."
    )
    file = models.FileField(storage=documents_storage, upload_to=document_path, max_length=300)
    original_name = models.CharField(max_length=255, help_text="The name it was uploaded with.")
    content_type = models.CharField(max_length=60, help_text="Detected from the content.")
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    holds_substance_use = models.BooleanField(
        "holds substance use information",
        default=False,
        help_text="42 CFR Part 2 records: shown to outside organisations only under a "
        "Part 2 consent naming them, each download entered in the accounting of disclosures.",
    )
    consent = models.ForeignKey(
        "clients.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transition = models.ForeignKey(
        "referrals.CareTransition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.CURRENT
    )
    entered_in_error_reason = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["client", "-uploaded_at"], name="document_client_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="current") | ~Q(entered_in_error_reason=""),
                name="document_error_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_current(self) -> bool:
        return self.status == DocumentStatus.CURRENT

    @property
    def extension(self) -> str:
        name = self.file.name or ""
        return name[name.rfind(".") :] if "." in name else ""
