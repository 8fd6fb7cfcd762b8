"""The one scoring engine: reads any ``InstrumentDefinition``, never a particular form.

Pure: no database, no request. Bad answers raise ``django.core.exceptions.ValidationError``
with a dict naming the field (``answers`` or ``sex``), each message naming the item.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .base import Answer, InstrumentDefinition, Item, Scoring


@dataclass(frozen=True)
class ScoreResult:
    code: str
    total: int | None
    band: str
    positive: bool | None
    flags: tuple[str, ...] = ()
    subtotals: Mapping[str, int] = field(default_factory=dict, hash=False)


class UnknownInstrument(LookupError):
    pass


def definition_for(code_or_definition: str | InstrumentDefinition) -> InstrumentDefinition:
    if isinstance(code_or_definition, InstrumentDefinition):
        return code_or_definition
    from . import INSTRUMENTS  # the registry imports this module

    try:
        return INSTRUMENTS[code_or_definition]
    except (KeyError, TypeError):
        raise UnknownInstrument(code_or_definition) from None


def score(
    code_or_definition: str | InstrumentDefinition,
    answers: Sequence[Answer],
    sex: str | None = None,
) -> ScoreResult:
    """Score one completed form. ``sex`` ("female" / "male") is needed by AUDIT-C only."""
    definition = definition_for(code_or_definition)
    by_item = _validated(definition, answers, sex)
    points: dict[int, int] = {}
    for item in definition.items:
        answer = by_item[item.number]
        option = item.option(answer) if answer is not None else None
        if option is not None:  # every answer given is one offered (_validated)
            points[item.number] = option.points
    flags: list[str] = []
    positive: bool | None

    if definition.scoring is Scoring.TRIAGE:
        total = None
        band = definition.triage_default
        positive = False
        for rule in definition.triage_rules:
            if rule.matches(by_item):
                band, positive = rule.band, True
                flags += rule.flags
                break
    else:
        total = sum(points.values())
        cutoff: int | None = definition.cutoff
        if definition.requires_sex and sex is not None:  # _validated: given where needed
            cutoff = definition.cutoff_by_sex[sex]
        positive = None if cutoff is None else total >= cutoff
        if definition.screen_labels is not None:
            band = definition.screen_labels[0 if positive else 1]
        else:
            matched = next(b for b in definition.bands if b.low <= total <= b.high)
            band = matched.label
            flags += matched.flags
    for critical in definition.critical_items:
        if points.get(critical.item, 0) >= critical.min_points:
            flags.append(critical.flag)

    subtotals = {
        name: sum(points.get(n, 0) for n in numbers)
        for name, numbers in definition.subscales.items()
    }
    return ScoreResult(
        code=definition.code,
        total=total,
        band=band,
        positive=positive,
        flags=tuple(dict.fromkeys(flags)),  # each flag once, in the order raised
        subtotals=subtotals,
    )


def _shown(value: object) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _validated(
    definition: InstrumentDefinition, answers: Sequence[Answer], sex: str | None
) -> dict[int, Answer]:
    errors: dict[str, list[str]] = {}
    if definition.requires_sex:
        offered = ", ".join(_shown(s) for s in definition.cutoff_by_sex)
        if sex is None or sex == "":
            errors["sex"] = [f"{definition.name} needs the client's sex ({offered})."]
        elif sex not in definition.cutoff_by_sex:
            errors["sex"] = [f"{_shown(sex)} is not one of the offered values ({offered})"]

    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        errors["answers"] = ["Expected a list with one answer per item."]
        raise ValidationError(errors)
    if len(answers) != definition.item_count:
        errors["answers"] = [
            f"{definition.name} has {definition.item_count} items; got {len(answers)} answers."
        ]
        raise ValidationError(errors)

    by_item = dict(enumerate(answers, start=1))
    messages: list[str] = []
    wrong: set[int] = set()
    for item in definition.items:
        if item.asked_if and item.asked_if.item in wrong:
            continue  # whether it is asked depends on an answer that is wrong already
        if (message := _item_error(item, by_item)) is not None:
            messages.append(message)
            wrong.add(item.number)
    if messages:
        errors["answers"] = messages
    if errors:
        raise ValidationError(errors)
    return by_item


def _item_error(item: Item, by_item: Mapping[int, Answer]) -> str | None:
    value = by_item[item.number]
    rule = item.asked_if
    asked = rule is None or by_item[rule.item] == rule.answer
    if rule is not None and not asked:
        if value is None:
            return None
        return (
            f"item {item.number}: not asked unless item {rule.item} is {_shown(rule.answer)}; "
            "leave it null"
        )
    if value is None:
        return f"item {item.number}: an answer is required"
    if item.option(value) is None:
        offered = ", ".join(_shown(v) for v in item.values)
        return f"item {item.number}: {_shown(value)} is not one of the offered values ({offered})"
    return None
