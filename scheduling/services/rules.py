"""Recurrence rules (RFC 5545 RRULE, through ``dateutil.rrule``) and the rolling horizon.

A rule is expanded in the team's wall-clock time: the first start, taken as a local
time, gives DTSTART; each occurrence is that local time on its day, turned into UTC.
Rules with no end (no COUNT, no UNTIL) are allowed, as RFC 5545 allows them
(RFC 5545 section 3.3.10: "If [neither] is specified, the recurrence is considered to
repeat forever"); only the occurrences up to ``RECURRENCE_HORIZON_DAYS`` ahead are
written, and the beat task ``recurrences_extend`` moves the horizon on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError

#: Calendars repeat by day at the finest: an hourly "appointment" is a mistake.
ALLOWED_FREQUENCIES = frozenset({DAILY, WEEKLY, MONTHLY, YEARLY})
#: At most this many occurrences in one horizon (a daily visit for 6 months is 183).
MAX_OCCURRENCES_PER_HORIZON = 200


def horizon_days() -> int:
    return int(getattr(settings, "RECURRENCE_HORIZON_DAYS", 183))


def parse_rule(rule: str, *, first_local: datetime) -> rrule:
    """The ``rrule`` for ``rule`` from ``first_local`` (a naive local datetime), or
    ``ValidationError`` on ``rule`` saying what is wrong."""
    text = (rule or "").strip().removeprefix("RRULE:")
    if not text:
        raise ValidationError({"rule": ["Give the rule, e.g. FREQ=WEEKLY;BYDAY=TU."]})
    if "DTSTART" in text.upper() or "\n" in text:
        raise ValidationError(
            {"rule": ["Give only the RRULE part; the first appointment gives the start."]}
        )
    try:
        parsed = rrulestr(text, dtstart=first_local)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValidationError({"rule": [f"Not an RFC 5545 rule: {exc}."]}) from None
    if not isinstance(parsed, rrule):
        raise ValidationError({"rule": ["Give one rule."]})
    if rule_parts(parsed)[0] not in ALLOWED_FREQUENCIES:
        raise ValidationError(
            {"rule": ["Appointments repeat daily, weekly, monthly or yearly at most often."]}
        )
    until = rule_parts(parsed)[1]
    if until is not None and until.tzinfo is not None:
        # An UTC UNTIL (…Z): compare in local naive time like DTSTART.
        raise ValidationError({"rule": ["Give UNTIL as a local date, e.g. UNTIL=20270630."]})
    return parsed


def rule_parts(parsed: rrule) -> tuple[int, datetime | None]:
    """(frequency, UNTIL as a naive local datetime or None) of a parsed rule (dateutil
    keeps them as private attributes; read them in this one place)."""
    attrs = vars(parsed)
    freq: int = attrs["_freq"]
    until: datetime | None = attrs["_until"]
    return freq, until


def occurrences(
    parsed: rrule, *, zone: ZoneInfo, after: datetime | None, through: datetime
) -> list[datetime]:
    """The UTC starts of the occurrences after ``after`` (exclusive; None: from the
    first) and up to ``through`` (inclusive), local wall time kept across DST."""
    through_local = through.astimezone(zone).replace(tzinfo=None)
    starts: list[datetime] = []
    for local in parsed:
        if local > through_local:
            break
        moment = local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
        if after is not None and moment <= after:
            continue
        starts.append(moment)
        if len(starts) > MAX_OCCURRENCES_PER_HORIZON:
            raise ValidationError(
                {
                    "rule": [
                        f"This rule gives more than {MAX_OCCURRENCES_PER_HORIZON} "
                        f"appointments in {horizon_days()} days: choose a less frequent one."
                    ]
                }
            )
    return starts


def horizon_from(now: datetime) -> datetime:
    return now + timedelta(days=horizon_days())
