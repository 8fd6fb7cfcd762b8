"""The questions of a check-in part as the client sees them, one at a time, in their
language where a published translation exists.

Instrument items are shown only in a published translation (the instrument definition
carries it, with its source: ``InstrumentDefinition.translations``); an instrument
without one for the client's language is shown in English, and the page says so. A
team's question set is the team's own text (``text`` / ``text_es``, ``label`` /
``label_es``), not a published instrument.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessments.selectors import instrument_get

from .models import QuestionSet


@dataclass(frozen=True)
class Choice:
    value: Any
    label: str
    risk: str = ""


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    choices: tuple[Choice, ...]
    # (item number, answer): asked only when that earlier item was answered so.
    asked_if: tuple[int, Any] | None = None
    # Points at or above which the answer is a risk answer (PHQ-9 item 9), else None.
    risk_min_points: int | None = None
    points: tuple[int, ...] = ()


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    stem: str
    questions: tuple[Question, ...]
    translated: bool  # shown in the language asked for (False: English, say so)
    source: str = ""


def instrument_part(code: str, language: str) -> Part:
    """An instrument's questions in ``language`` when the definition carries a published
    translation (``InstrumentDefinition.in_language``), else in English (``translated``
    False: the page says so). Values and points are the original's either way."""
    definition = instrument_get(code)
    worded = definition.in_language(language)
    translated = worded is not None
    shown = worded if worded is not None else definition
    translation = definition.translations.get(language)
    critical = {c.item: c.min_points for c in definition.critical_items}
    questions = tuple(
        Question(
            number=item.number,
            text=item.text,
            choices=tuple(Choice(option.value, option.label) for option in item.options),
            asked_if=(item.asked_if.item, item.asked_if.answer) if item.asked_if else None,
            risk_min_points=critical.get(item.number),
            points=tuple(option.points for option in item.options),
        )
        for item in shown.items
    )
    return Part(
        key=code,
        title=shown.name,
        stem=shown.instructions,
        questions=questions,
        translated=translated,
        source=translation.source if translation is not None else definition.source,
    )


def question_set_part(question_set: QuestionSet, language: str) -> Part:
    suffix = "" if language == "en" else f"_{language}"
    questions = []
    translated = True
    for number, q in enumerate(question_set.questions or [], start=1):
        text = q.get(f"text{suffix}") if suffix else q.get("text")
        translated = translated and bool(text)
        choices = tuple(
            Choice(
                o["value"],
                (o.get(f"label{suffix}") if suffix else None) or o.get("label", str(o["value"])),
                o.get("risk", "") or "",
            )
            for o in q.get("options", [])
        )
        questions.append(Question(number=number, text=text or q.get("text", ""), choices=choices))
    return Part(
        key=f"set:{question_set.pk}",
        title=question_set.name,
        stem="",
        questions=tuple(questions),
        translated=translated,
    )


def is_asked(question: Question, answers: dict[int, Any]) -> bool:
    if question.asked_if is None:
        return True
    item, answer = question.asked_if
    return answers.get(item) == answer


def is_risk_answer(question: Question, value: Any) -> bool:
    for index, choice in enumerate(question.choices):
        if choice.value == value and type(choice.value) is type(value):
            if choice.risk:
                return True
            if question.risk_min_points is not None and question.points:
                return question.points[index] >= question.risk_min_points
    return False


def choice_for(question: Question, raw: str) -> Choice | None:
    """The offered choice a submitted form value stands for (values arrive as text)."""
    for choice in question.choices:
        if str(choice.value) == raw:
            return choice
    return None


def answers_list(part: Part, answers: dict[int, Any]) -> list[Any]:
    """The answers in item order, ``None`` for an item its skip rule skips."""
    return [answers.get(q.number) if is_asked(q, answers) else None for q in part.questions]


def next_question(part: Part, answers: dict[int, Any]) -> Question | None:
    for question in part.questions:
        if is_asked(question, answers) and question.number not in answers:
            return question
    return None
