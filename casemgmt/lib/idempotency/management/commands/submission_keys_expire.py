from django.core.management.base import BaseCommand

from casemgmt.lib.idempotency.services import submission_keys_expire


class Command(BaseCommand):
    help = "Delete the one-save-per-click keys older than IDEMPOTENCY_KEY_TTL_HOURS."

    def handle(self, *args, **options) -> None:
        deleted = submission_keys_expire()
        self.stdout.write(f"{deleted} submission key(s) deleted.")
