"""Forgetting submission keys after IDEMPOTENCY_KEY_TTL_HOURS: the sweep, its beat
entry and its management command."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from casemgmt.lib.idempotency.models import SubmissionKey, SubmissionMode
from casemgmt.lib.idempotency.services import submission_keys_expire
from casemgmt.lib.idempotency.tasks import submission_keys_expire as expire_task

pytestmark = pytest.mark.django_db


def _key(user, key, *, hours_ago):
    return SubmissionKey.objects.create(
        user=user,
        key=key,
        mode=SubmissionMode.API,
        method="POST",
        path="/api/v1/notes/",
        fingerprint="0" * 64,
        response_status=201,
        response_body=b"{}",
        created_at=timezone.now() - timedelta(hours=hours_ago),
    )


def test_keys_older_than_the_ttl_are_deleted_with_their_bodies(case_manager):
    _key(case_manager, "old", hours_ago=25)
    _key(case_manager, "fresh", hours_ago=23)
    assert submission_keys_expire() == 1
    assert list(SubmissionKey.objects.values_list("key", flat=True)) == ["fresh"]
    assert submission_keys_expire() == 0  # twice is harmless


def test_task_and_command_run_the_sweep(case_manager, capsys):
    _key(case_manager, "a", hours_ago=30)
    assert expire_task() == 1
    _key(case_manager, "b", hours_ago=30)
    call_command("submission_keys_expire")
    assert "1 submission key(s) deleted" in capsys.readouterr().out
    assert not SubmissionKey.objects.exists()


def test_beat_runs_the_sweep_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["submission-keys-expire"]
    assert entry["task"] == "casemgmt.lib.idempotency.tasks.submission_keys_expire"
    assert entry["schedule"] == 60 * 60
