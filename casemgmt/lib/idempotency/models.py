"""What a first submission answered, kept so that its repeats get the same answer."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SubmissionMode(models.TextChoices):
    FORM = "form", "Browser form (submission_key field)"
    API = "api", "API (Idempotency-Key header)"


class SubmissionKey(models.Model):
    """One submission key of one user and the answer its first request got.

    The row is written before the view runs, in the transaction that wraps the view, so a
    second request with the same key waits for the first to commit (or roll back) on the
    unique (user, key) index: there is never a committed key without its result, nor a
    result without its key. Browser forms keep only the status and the redirect
    ``Location``; the API also keeps the body (JSON, possibly personal data: purged with
    the row after ``IDEMPOTENCY_KEY_TTL_HOURS``).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    mode = models.CharField(max_length=4, choices=SubmissionMode.choices)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    # sha256 of what was sent (method, path, body; a form's fields without the CSRF token).
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_location = models.CharField(max_length=2000, blank=True, default="")
    response_content_type = models.CharField(max_length=255, blank=True, default="")
    response_body = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="submission_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.mode} {self.method} {self.path} ({self.response_status})"
