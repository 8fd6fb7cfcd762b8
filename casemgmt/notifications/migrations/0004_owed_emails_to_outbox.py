"""Emails the previous release still owed (asked for, never sent, less than a day old)
become outbox rows, so the switch to the outbox loses none of them. Older ones are left:
a day-old "you have a notification" is noise."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    now = timezone.now()
    owed = Notification.objects.filter(
        email_requested=True, emailed_at__isnull=True, created_at__gte=now - timedelta(days=1)
    ).values_list("pk", "recipient_id")
    OutboxMessage.objects.bulk_create(
        (
            OutboxMessage(
                template="notifications/email/notification",
                params={"notification_ids": [pk]},
                recipient_id=recipient_id,
                next_attempt_at=now,
                created_at=now,
            )
            for pk, recipient_id in owed.iterator()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_outbox")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
