from django.conf import settings
from django.db import models
from django.utils import timezone

from casemgmt.lib.limits import FREE_TEXT_MAX_LENGTH


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    ESCALATION = "escalation", "Escalation"
    APPROVAL = "approval", "Approval request"
    INFO = "info", "Information"


class Notification(models.Model):
    """An in-app message to one staff user; optionally announced by email.

    The email carries no client data, only a link back to the app.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_requested = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A user's choices about notifications. No row means the defaults (emails on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_reminders = models.BooleanField(
        "email me reminders and escalations",
        default=True,
        help_text="In-app notifications are always shown; this only turns the emails off.",
    )
    updated_at = models.DateTimeField(auto_now=True)


class OutboxChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class OutboxState(models.TextChoices):
    PENDING = "pending", "Pending"
    CLAIMED = "claimed", "Sending"
    SENT = "sent", "Sent"
    RETRY = "retry", "Temporary failure (will retry)"
    FAILED = "failed", "Failed (not retried)"


class OutboxMessage(models.Model):
    """One message to one recipient on one channel, written in the transaction of the
    change that causes it, then sent by ``outbox_send`` (claim, send, record per row).

    It keeps as little personal data as it can: the recipient is a user id (the address
    is read when sending) and the text is a template named by ``template`` and rendered
    at send time from ``params`` (ids and counts only). ``to_address`` is only for
    recipients who are not users.
    """

    channel = models.CharField(
        max_length=10, choices=OutboxChannel.choices, default=OutboxChannel.EMAIL
    )
    template = models.CharField(
        max_length=100, help_text="Template path prefix: <template>_subject.txt, _body.txt"
    )
    params = models.JSONField(default=dict, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    to_address = models.CharField(max_length=254, blank=True)
    state = models.CharField(
        max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "outbox message"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(to_address=""),
                name="outbox_has_recipient",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["pending", "retry"]),
                name="outbox_due",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(state="claimed"),
                name="outbox_claimed",
            ),
            models.Index(
                fields=["created_at"], condition=models.Q(state="failed"), name="outbox_failed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} ({self.get_state_display()})"
