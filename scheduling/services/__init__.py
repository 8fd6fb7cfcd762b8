"""Writes of the scheduling app. Other apps import from here."""

from .appointments import (
    Overlap,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_create,
    appointment_no_show,
    appointment_note_write,
    appointment_reschedule,
    appointment_update,
    find_overlaps,
    note_prefill,
)
from .feeds import calendar_feed_create, calendar_feed_revoke, client_reminder_consent_set
from .recurrences import recurrence_edit_following, recurrence_end, recurrences_extend
from .reminders import appointment_reminders_sweep

__all__ = [
    "Overlap",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_complete",
    "appointment_create",
    "appointment_no_show",
    "appointment_note_write",
    "appointment_reminders_sweep",
    "appointment_reschedule",
    "appointment_update",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "client_reminder_consent_set",
    "find_overlaps",
    "note_prefill",
    "recurrence_edit_following",
    "recurrence_end",
    "recurrences_extend",
]
