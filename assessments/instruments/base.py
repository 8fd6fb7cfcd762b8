"""The shape of an instrument definition: plain, frozen data that the whole app reads.

A definition holds what the published form prints (item wording, answer options and the
points each is worth) and how the form is scored (sum or triage rules, severity bands,
screening cut-off, critical items, skip rule). ``engine.score`` is the one function that
scores any definition; forms, PDFs and charts read the same objects.

Answers are given one per item, in item order: the point value printed on the form for
rated items, ``"yes"`` / ``"no"`` for yes/no items, ``None`` for an item that the
instrument's own skip rule skips.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

Answer = int | str | None


class Scoring(StrEnum):
    SUM = "sum"  # total = sum of the points of the answers; band from the total
    TRIAGE = "triage"  # no total; the first matching triage rule gives the band


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


@dataclass(frozen=True)
class Option:
    """One answer as printed: what the caller sends (``value``), the label, the points."""

    value: int | str
    label: str
    points: int


@dataclass(frozen=True)
class AskedIf:
    """Skip rule: the item is asked only when item ``item`` was answered ``answer``."""

    item: int
    answer: int | str


@dataclass(frozen=True)
class Item:
    number: int  # 1-based position in the answers list
    text: str  # the published wording
    options: tuple[Option, ...]
    asked_if: AskedIf | None = None

    @property
    def values(self) -> tuple[int | str, ...]:
        return tuple(option.value for option in self.options)

    def option(self, value: int | str) -> Option | None:
        for option in self.options:
            # type() as well as ==: True == 1 and 1.0 == 1 in Python, but neither is offered.
            if type(option.value) is type(value) and option.value == value:
                return option
        return None


@dataclass(frozen=True)
class Band:
    """Severity band on the total, both ends inclusive."""

    low: int
    high: int
    label: str
    flags: tuple[str, ...] = ()
    # What the band means and what the source recommends, in the source's words, for
    # readers (e.g. AUDIT "Zone III: harmful use ..."); the stored band stays ``label``.
    meaning: str = ""


@dataclass(frozen=True)
class CriticalItem:
    """An item that raises ``flag`` when it scores at least ``min_points``, whatever the total."""

    item: int
    min_points: int
    flag: str


@dataclass(frozen=True)
class TriageRule:
    """Band ``band`` when any of ``when`` holds; each entry is a set of (item, answer) pairs
    that must all hold. Rules are tried in order; the first that matches wins."""

    band: str
    when: tuple[tuple[tuple[int, int | str], ...], ...]
    flags: tuple[str, ...] = ()

    def matches(self, answers: Mapping[int, Answer]) -> bool:
        return any(all(answers.get(n) == a for n, a in conjunction) for conjunction in self.when)


@dataclass(frozen=True)
class TranslatedItem:
    """One item of a published translation: its wording and its answer labels, in the
    order of the item's options (values and points stay the original's)."""

    text: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Translation:
    """A published translation of an instrument, copied exactly as published, with its
    source cited (publisher, title, version). Only the wording changes: values, points,
    bands, cut-offs and critical items are the original's, so a score never depends on
    the language. An instrument without a published translation has none and is shown
    in English (never machine-translated, never translated by us)."""

    language: str  # "es"
    full_name: str  # the published title
    source: str  # where the translation is published, and which version
    instructions: str
    items: tuple[TranslatedItem, ...]


@dataclass(frozen=True)
class InstrumentDefinition:
    code: str
    name: str
    full_name: str
    source: str  # author, year, journal / publisher
    instructions: str  # the stem or instructions printed on the form
    items: tuple[Item, ...]
    scoring: Scoring = Scoring.SUM
    # SUM: severity bands on the total, covering every possible total exactly once.
    bands: tuple[Band, ...] = ()
    # SUM: screen positive at total >= cutoff (None: the instrument has no screening cut-off).
    cutoff: int | None = None
    # The cut-offs a program may choose (inclusive); None: the cut-off is fixed.
    cutoff_range: tuple[int, int] | None = None
    # Cut-off that depends on the client's sex (AUDIT-C); the score then needs ``sex``.
    cutoff_by_sex: Mapping[str, int] = field(default_factory=dict, hash=False)
    # For pure screeners: the band is the screen result, (label if positive, label if not).
    screen_labels: tuple[str, str] | None = None
    # Named subtotals (e.g. PCL-5 DSM-5 clusters): label -> item numbers.
    subscales: Mapping[str, tuple[int, ...]] = field(default_factory=dict, hash=False)
    critical_items: tuple[CriticalItem, ...] = ()
    # TRIAGE: ordered rules, and the band when none matches.
    triage_rules: tuple[TriageRule, ...] = ()
    triage_default: str = ""
    # Which way a total gets better. Every scale in the library counts symptoms, use or
    # risk, so a lower total is better; a strengths or recovery scale would set False.
    lower_is_better: bool = True
    # Published translations by language code (see ``Translation``); English is the
    # definition itself.
    translations: Mapping[str, Translation] = field(default_factory=dict, hash=False)
    # The language of the wording above ("en"; "es" for ``in_language("es")``).
    language: str = "en"

    def __post_init__(self):
        _check(self)

    def band_meaning(self, band: str) -> str:
        """The band as a reader should see it: its published meaning where the definition
        gives one (AUDIT zones), else the band itself."""
        for b in self.bands:
            if b.label == band and b.meaning:
                return b.meaning
        return band

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the instrument can be shown in: English and its published
        translations."""
        return ("en", *sorted(self.translations))

    def in_language(self, language: str) -> InstrumentDefinition | None:
        """The same instrument worded as its published translation into ``language``
        (English: itself), or None when no published translation exists: the caller
        then shows the English and says that the questionnaire is only in English.
        Values, points and scoring are unchanged."""
        if language == self.language:
            return self
        translation = self.translations.get(language)
        if translation is None:
            return None
        items = tuple(
            dataclasses.replace(
                item,
                text=worded.text,
                options=tuple(
                    dataclasses.replace(option, label=label)
                    for option, label in zip(item.options, worded.options, strict=True)
                ),
            )
            for item, worded in zip(self.items, translation.items, strict=True)
        )
        return dataclasses.replace(
            self,
            full_name=translation.full_name,
            instructions=translation.instructions,
            items=items,
            language=language,
        )

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def requires_sex(self) -> bool:
        return bool(self.cutoff_by_sex)

    @property
    def min_total(self) -> int | None:
        if self.scoring is not Scoring.SUM:
            return None
        return sum(min(o.points for o in item.options) for item in self.items)

    @property
    def max_total(self) -> int | None:
        if self.scoring is not Scoring.SUM:
            return None
        return sum(max(o.points for o in item.options) for item in self.items)

    def item(self, number: int) -> Item:
        return self.items[number - 1]

    def with_cutoff(self, cutoff: int) -> InstrumentDefinition:
        """The same instrument at another published cut-off (e.g. PCL-5 at 33)."""
        if self.cutoff_range is None:
            raise ValueError(f"{self.name} has no configurable cut-off.")
        low, high = self.cutoff_range
        if not low <= cutoff <= high:
            raise ValueError(f"{self.name} cut-off must be between {low} and {high}.")
        return dataclasses.replace(self, cutoff=cutoff)


def _check(d: InstrumentDefinition) -> None:
    """Refuse a malformed definition at import time, so a typo never reaches a client."""
    problems = []
    for position, item in enumerate(d.items, start=1):
        if item.number != position:
            problems.append(f"item {position} is numbered {item.number}")
        if not item.options:
            problems.append(f"item {position} offers no answer")
        if item.asked_if and not 0 < item.asked_if.item < position:
            problems.append(f"item {position} depends on a later or unknown item")
    low, high = d.min_total, d.max_total
    if low is not None and high is not None:  # a sum score
        if d.screen_labels is None:
            covered = [n for band in d.bands for n in range(band.low, band.high + 1)]
            if covered != list(range(low, high + 1)):
                problems.append("bands do not cover every possible total exactly once")
        if d.screen_labels is not None and d.cutoff is None and not d.cutoff_by_sex:
            problems.append("a screener needs a cut-off")
    elif not d.triage_rules or not d.triage_default:
        problems.append("triage scoring needs rules and a default band")
    if d.cutoff_range and d.cutoff is not None:
        if not d.cutoff_range[0] <= d.cutoff <= d.cutoff_range[1]:
            problems.append("cut-off outside its own range")
    for critical in d.critical_items:
        if not 0 < critical.item <= len(d.items):
            problems.append(f"critical item {critical.item} does not exist")
    for numbers in d.subscales.values():
        if not all(0 < n <= len(d.items) for n in numbers):
            problems.append("a subscale names an item that does not exist")
    for language, translation in d.translations.items():
        if translation.language != language:
            problems.append(f"the {language} translation says it is {translation.language}")
        if len(translation.items) != len(d.items):
            problems.append(f"the {language} translation has {len(translation.items)} items")
        for item, worded in zip(d.items, translation.items, strict=False):
            if len(worded.options) != len(item.options):
                problems.append(f"{language} item {item.number}: answers do not match")
        if not translation.source:
            problems.append(f"the {language} translation cites no source")
    if problems:
        raise ValueError(f"{d.code}: " + "; ".join(problems))


# Answer option sets shared by several forms.
YES_NO = (Option("yes", "Yes", 1), Option("no", "No", 0))


def rated(*labels: str, start: int = 0) -> tuple[Option, ...]:
    """Options scored start, start + 1, ... in the order printed."""
    return tuple(Option(n, label, n) for n, label in enumerate(labels, start=start))


def items(texts: list[str], options: tuple[Option, ...]) -> tuple[Item, ...]:
    return tuple(Item(n, text, options) for n, text in enumerate(texts, start=1))
