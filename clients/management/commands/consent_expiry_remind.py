from django.core.management.base import BaseCommand

from clients.services import consent_expiry_reminders_send


class Command(BaseCommand):
    help = (
        "Remind case managers, once each, of consents and releases expiring within 30 days "
        "(what celery beat runs daily)."
    )

    def handle(self, *args, **options):
        sent = consent_expiry_reminders_send()
        self.stdout.write(f"Sent {sent} consent expiry reminder(s).")
