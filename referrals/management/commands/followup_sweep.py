from django.core.management.base import BaseCommand

from referrals.services.reminders import followup_sweep


class Command(BaseCommand):
    help = "Claim due follow-ups and queue their reminders (what celery beat runs)."

    def handle(self, *args, **options):
        result = followup_sweep()
        self.stdout.write(
            f"Swept {result['followups']} follow-up(s); re-queued {result['requeued']} reminder(s)."
        )
