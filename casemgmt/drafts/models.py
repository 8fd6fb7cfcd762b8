"""What a user typed into a long form, kept server-side until it is saved.

A draft holds clinical text (PHI): it lives only in this table, belongs to one user,
is never logged, and is purged ``DRAFT_RETENTION_DAYS`` after its last change.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class DraftReason(models.TextChoices):
    AUTOSAVE = "autosave", "Saved while typing"
    SESSION_EXPIRED = "session_expired", "Kept when the session had ended"
    CSRF_FAILURE = "csrf_failure", "Kept when the form's security token had expired"
    SERVER_ERROR = "server_error", "Kept when the server failed"


class Draft(models.Model):
    # The user the draft belongs to; null when it was kept from a request whose session
    # had already gone and the browser did not say whose it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The form page (path and query) the text was typed on, where it is restored.
    path = models.CharField(max_length=500)
    # {"field name": ["value", ...]}: a form's fields as posted, without the CSRF token,
    # passwords or one-time submission keys.
    fields = models.JSONField(default=dict)
    # SHA-256 of the browser's draft token (a cookie). A draft kept from a request without
    # a session waits for a login in the same browser (``needs_claim``).
    browser_token = models.CharField(max_length=64, blank=True, db_index=True)
    needs_claim = models.BooleanField(default=False)
    # Why it was kept: autosave, an expired session, a CSRF failure, a server error.
    reason = models.CharField(max_length=20, choices=DraftReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "path"],
                condition=Q(needs_claim=False),
                name="drafts_one_per_user_and_page",
            ),
            models.CheckConstraint(
                condition=Q(needs_claim=True) | Q(user__isnull=False),
                name="drafts_claimed_has_user",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft {self.pk} ({self.reason})"
