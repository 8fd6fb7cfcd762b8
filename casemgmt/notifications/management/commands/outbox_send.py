from django.core.management.base import BaseCommand

from casemgmt.notifications.services import outbox_send, outbox_sweep


class Command(BaseCommand):
    help = (
        "Give back stale outbox claims, then send every due outbox message in this "
        "process (what celery beat's outbox sweep and the nudged workers do)."
    )

    def handle(self, *args, **options):
        swept = outbox_sweep()
        sent = retry = failed = 0
        while (result := outbox_send()).claimed:
            sent, retry, failed = (
                sent + len(result.sent),
                retry + len(result.retry),
                failed + len(result.failed),
            )
        self.stdout.write(
            f"Re-queued {swept['requeued']} stale claim(s); sent {sent}, "
            f"temporary failures {retry}, permanent failures {failed}."
        )
