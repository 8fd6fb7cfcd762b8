"""Small builders for assessment tests."""

from datetime import timedelta

from django.utils import timezone

from assessments.services import instrument_response_record

PHQ9_ITEM9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]


def phq9(total: int, *, item9: int | None = None) -> list[int]:
    """PHQ-9 answers adding up to ``total``: items 1-8 first; item 9 only when asked or
    when items 1-8 cannot hold the total (then it raises suicide risk)."""
    if item9 is None:
        item9 = max(0, total - 24)
    answers, rest = [], total - item9
    for _ in range(8):
        value = min(3, rest)
        answers.append(value)
        rest -= value
    assert rest == 0, "total too high for items 1-8"
    return [*answers, item9]


def give(user, client, code="phq9", answers=None, days_ago=0, **kwargs):
    answers = answers if answers is not None else phq9(0)
    return instrument_response_record(
        actor=user,
        client=client,
        instrument=code,
        answers=answers,
        administered_at=timezone.now() - timedelta(days=days_ago),
        **kwargs,
    )
