"""Writes of the referrals app. Other apps import from here."""

from casemgmt.lib.dates import add_business_days

from .followups import (
    followup_close,
    followup_create,
    followup_reschedule,
    followup_schedule,
)
from .hsds import hsds_demo_import, hsds_import
from .referrals import (
    TRANSITIONS,
    disclosure_record,
    disclosure_record_api,
    referral_consent_check,
    referral_create,
    referral_move,
    referral_packet_disclose,
    referral_send,
)
from .reminders import followup_sweep, reminders_deliver
from .transitions import (
    transition_discharge,
    transition_discharge_cancel,
    transition_enter_in_error,
    transition_mark_medications_reconciled,
    transition_record,
    transition_update,
    transitions_classify,
)

__all__ = [
    "TRANSITIONS",
    "add_business_days",
    "disclosure_record",
    "disclosure_record_api",
    "followup_close",
    "followup_create",
    "followup_reschedule",
    "followup_schedule",
    "followup_sweep",
    "hsds_demo_import",
    "hsds_import",
    "referral_consent_check",
    "referral_create",
    "referral_move",
    "referral_packet_disclose",
    "referral_send",
    "reminders_deliver",
    "transition_discharge",
    "transition_discharge_cancel",
    "transition_enter_in_error",
    "transition_mark_medications_reconciled",
    "transition_record",
    "transition_update",
    "transitions_classify",
]
