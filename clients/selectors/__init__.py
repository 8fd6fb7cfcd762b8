"""Reads of client data, scoped to the user. Other apps import from here."""

from .clinical import (
    access_log,
    assignment_history,
    diagnosis_codes,
    diagnosis_list,
    open_risk_flag_exists,
    risk_flag_history,
    status_history,
    timeline_list,
)
from .consents import (
    DisclosureCheck,
    consent_allows_disclosure,
    consent_get,
    consent_list,
    consent_list_in_reach,
    consent_state,
)
from .notes import (
    care_team_in_reach,
    care_team_list,
    note_get,
    note_list,
    note_list_in_reach,
)
from .record import (
    client_get,
    client_ids_in_reach,
    client_list,
    client_possible_duplicates,
    client_reached_by_emergency_access,
    clients_of_teams,
    emergency_access_active,
    emergency_access_allowed,
    emergency_access_used,
)

__all__ = [
    "DisclosureCheck",
    "access_log",
    "assignment_history",
    "care_team_in_reach",
    "care_team_list",
    "client_get",
    "client_ids_in_reach",
    "client_list",
    "client_possible_duplicates",
    "client_reached_by_emergency_access",
    "clients_of_teams",
    "consent_allows_disclosure",
    "consent_get",
    "consent_list",
    "consent_list_in_reach",
    "consent_state",
    "diagnosis_codes",
    "diagnosis_list",
    "emergency_access_active",
    "emergency_access_allowed",
    "emergency_access_used",
    "note_get",
    "note_list",
    "note_list_in_reach",
    "open_risk_flag_exists",
    "risk_flag_history",
    "status_history",
    "timeline_list",
]
