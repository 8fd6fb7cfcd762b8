"""Writes of client data (one transaction each, audited, with timeline entries).

Other apps import from here: ``from clients.services import risk_flag_set, timeline_record``.
"""

from ..search import phonetic_keys  # for bulk loaders (the demo seed) building rows
from .careteam import care_team_member_add, care_team_member_end
from .classification import (
    classify,
    code_ranges,
    diagnosis_classification_refresh,
    diagnosis_reclassify,
)
from .consents import consent_create, consent_expiry_reminders_send, consent_revoke
from .diagnoses import (
    client_diagnosis_flags_refresh,
    client_dual_diagnosis_refresh,
    diagnosis_add,
    diagnosis_update,
)
from .duplicates import DUPLICATE_INQUIRY_SENT, duplicate_inquiry_send
from .emergency import (
    EMERGENCY_ACCESS_MINUTES,
    EMERGENCY_ACCESS_REFUSED,
    client_read_audit,
    emergency_access_grant,
    emergency_access_request_approve,
)
from .flags import risk_flag_clear, risk_flag_set
from .merge import (
    MERGE_FIELDS,
    MERGE_UNDO_DAYS,
    client_merge,
    client_merge_relations,
    client_unmerge,
    merge_undo_until,
)
from .notes import note_addendum_add, note_cosign, note_create, note_sign, note_update
from .record import (
    EDITABLE_FIELDS,
    TRANSITIONS,
    client_change_status,
    client_create,
    client_numbers_allocate,
    client_search_refresh,
    client_transfer,
    client_update,
)
from .related import (
    RELATED_FIELDS,
    related_person_add,
    related_person_deactivate,
    related_person_update,
)
from .timeline import timeline_record

__all__ = [
    "phonetic_keys",
    "EDITABLE_FIELDS",
    "DUPLICATE_INQUIRY_SENT",
    "EMERGENCY_ACCESS_MINUTES",
    "EMERGENCY_ACCESS_REFUSED",
    "TRANSITIONS",
    "care_team_member_add",
    "care_team_member_end",
    "client_change_status",
    "client_merge",
    "client_merge_relations",
    "client_unmerge",
    "merge_undo_until",
    "MERGE_FIELDS",
    "MERGE_UNDO_DAYS",
    "client_create",
    "client_diagnosis_flags_refresh",
    "client_dual_diagnosis_refresh",
    "client_numbers_allocate",
    "client_read_audit",
    "client_search_refresh",
    "client_transfer",
    "client_update",
    "consent_create",
    "consent_revoke",
    "consent_expiry_reminders_send",
    "classify",
    "code_ranges",
    "diagnosis_add",
    "diagnosis_classification_refresh",
    "diagnosis_reclassify",
    "diagnosis_update",
    "duplicate_inquiry_send",
    "emergency_access_grant",
    "emergency_access_request_approve",
    "note_addendum_add",
    "note_cosign",
    "note_create",
    "note_sign",
    "note_update",
    "RELATED_FIELDS",
    "related_person_add",
    "related_person_deactivate",
    "related_person_update",
    "risk_flag_clear",
    "risk_flag_set",
    "timeline_record",
]
