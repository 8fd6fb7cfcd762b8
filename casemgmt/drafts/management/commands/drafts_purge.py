from django.core.management.base import BaseCommand

from casemgmt.drafts.services import drafts_purge


class Command(BaseCommand):
    help = "Delete form drafts untouched for DRAFT_RETENTION_DAYS (what celery beat runs daily)."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {drafts_purge()} draft(s).")
