"""Drafts are purged after DRAFT_RETENTION_DAYS, by celery beat and by hand."""

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from faker import Faker

from casemgmt.drafts.models import Draft, DraftReason
from casemgmt.drafts.services import draft_keep, drafts_purge
from casemgmt.drafts.tasks import drafts_purge as drafts_purge_task

fake = Faker()


def _draft(user, days_old):
    draft = draft_keep(
        user=user,
        path=f"/clients/{days_old}/notes/new/",
        fields={"data": [fake.paragraph()]},
        reason=DraftReason.AUTOSAVE,
    )
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=days_old))
    return draft


def test_drafts_past_retention_are_purged(case_manager):
    old = _draft(case_manager, settings.DRAFT_RETENTION_DAYS + 1)
    recent = _draft(case_manager, settings.DRAFT_RETENTION_DAYS - 1)

    assert drafts_purge() == 1
    assert list(Draft.objects.values_list("pk", flat=True)) == [recent.pk]
    assert drafts_purge() == 0  # twice is harmless
    assert not Draft.objects.filter(pk=old.pk).exists()


def test_the_purge_runs_from_beat_and_by_hand(case_manager, settings):
    settings.DRAFT_RETENTION_DAYS = 2
    _draft(case_manager, 1)
    _draft(case_manager, 5)
    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "casemgmt.drafts.tasks.drafts_purge" in entries
    assert drafts_purge_task.apply().get() == 1
    settings.DRAFT_RETENTION_DAYS = 0
    call_command("drafts_purge")
    assert not Draft.objects.exists()
