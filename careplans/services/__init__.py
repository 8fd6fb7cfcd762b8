"""Writes for care plans (see the modules for the rules)."""

from .plans import (
    careplan_approve,
    careplan_close,
    careplan_create,
    careplan_is_signed,
    careplan_return,
    careplan_revise,
    careplan_sign,
    careplan_submit,
    careplan_update,
    goal_add,
    goal_notes_link,
    goal_update,
    integration_rule_met,
    intervention_add,
    objective_add,
    problem_add,
    problem_update,
    review_days_for,
)
from .reviews import review_record
from .safety import relapse_plan_save, safety_plan_save

__all__ = [
    "careplan_approve",
    "careplan_close",
    "careplan_create",
    "careplan_is_signed",
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
    "objective_add",
    "problem_add",
    "problem_update",
    "relapse_plan_save",
    "review_days_for",
    "review_record",
    "safety_plan_save",
]
