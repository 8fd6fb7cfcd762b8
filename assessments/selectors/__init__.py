"""Reads for assessments. The instrument library is data in code, the same for every user;
client data is read through the caller's reach (``clients.selectors``) or for a client the
caller has already fetched in reach.

One module a part: ``responses`` (the library, responses, trends, the chart Overview's
scores), ``comprehensive`` (comprehensive assessments and their findings), ``outcomes``
(dashboard counts) and ``reassessments`` (what is due for re-administration). Import
from ``assessments.selectors``: the names below are the public surface.
"""

from .comprehensive import (
    NEED_DOMAINS,
    SOCIAL_NEED_DOMAIN,
    assessment_get,
    assessment_list,
    assessment_list_in_reach,
    latest_assessment_findings,
)
from .outcomes import (
    DEPRESSION_MEASURES,
    client_depression_episodes,
    depression_episodes,
    depression_outcomes,
    latest_band_counts,
)
from .reassessments import (
    ClientReassessments,
    ReassessmentDue,
    reassessments_due,
    reassessments_due_by_client,
    reassessments_overdue_clients,
    reassessments_overdue_counts,
)
from .responses import (
    ENGLISH_ONLY_NOTE,
    ScoreLine,
    instrument_get,
    instrument_in_language,
    instrument_list,
    instrument_trend,
    latest_responses,
    latest_scores,
    overview_scores_panel,
    relative_day,
    response_get,
    response_list,
    response_list_in_reach,
    risk_answer_since_exists,
)

__all__ = [
    "NEED_DOMAINS",
    "SOCIAL_NEED_DOMAIN",
    "ClientReassessments",
    "ReassessmentDue",
    "ScoreLine",
    "assessment_get",
    "assessment_list",
    "assessment_list_in_reach",
    "ENGLISH_ONLY_NOTE",
    "instrument_get",
    "instrument_in_language",
    "instrument_list",
    "instrument_trend",
    "latest_assessment_findings",
    "latest_band_counts",
    "latest_responses",
    "latest_scores",
    "overview_scores_panel",
    "DEPRESSION_MEASURES",
    "client_depression_episodes",
    "depression_episodes",
    "depression_outcomes",
    "reassessments_due",
    "reassessments_due_by_client",
    "reassessments_overdue_clients",
    "reassessments_overdue_counts",
    "relative_day",
    "response_get",
    "response_list",
    "response_list_in_reach",
    "risk_answer_since_exists",
]
