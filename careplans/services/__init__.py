"""Writes for care plans (see the modules for the rules)."""

# The printed copies (audited prints), for the apps above: the portal's downloads.
from ..pdf import careplan_print, safety_plan_print
from .parts import (
    goal_add,
    goal_notes_link,
    goal_update,
    intervention_add,
    intervention_remove,
    intervention_update,
    objective_add,
    objective_remove,
    objective_update,
    problem_add,
    problem_update,
)
from .plans import (
    careplan_create,
    careplan_is_editable,
    careplan_is_signed,
    careplan_update,
    review_days_for,
)
from .reviews import review_record
from .safety import relapse_plan_save, safety_plan_save
from .states import (
    careplan_approve,
    careplan_close,
    careplan_coverage_refresh,
    careplan_return,
    careplan_revise,
    careplan_sign,
    careplan_submit,
    integration_rule_met,
)

__all__ = [
    "careplan_approve",
    "careplan_coverage_refresh",
    "careplan_close",
    "careplan_create",
    "careplan_is_editable",
    "careplan_is_signed",
    "careplan_print",
    "careplan_return",
    "careplan_revise",
    "careplan_sign",
    "careplan_submit",
    "careplan_update",
    "goal_add",
    "goal_notes_link",
    "goal_update",
    "integration_rule_met",
    "intervention_add",
    "intervention_remove",
    "intervention_update",
    "objective_add",
    "objective_remove",
    "objective_update",
    "problem_add",
    "problem_update",
    "relapse_plan_save",
    "safety_plan_print",
    "review_days_for",
    "review_record",
    "safety_plan_save",
]
