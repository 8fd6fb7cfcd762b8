"""The instrument library: each instrument defined once, as data, and one scoring engine.

Adding an instrument means adding a definition module and listing it here; forms, the API,
PDFs and charts read ``INSTRUMENTS``.
"""

from .audit import AUDIT, AUDIT_C
from .base import (
    AskedIf,
    Band,
    CriticalItem,
    InstrumentDefinition,
    Item,
    Option,
    Scoring,
    TranslatedItem,
    Translation,
    TriageRule,
)
from .cage_aid import CAGE_AID
from .cssrs import CSSRS_SCREEN
from .dast import DAST10
from .engine import ScoreResult, UnknownInstrument, definition_for, score
from .gad import GAD2, GAD7
from .k10 import K10
from .pcl5 import PCL5
from .phq import PHQ2, PHQ9

INSTRUMENTS: dict[str, InstrumentDefinition] = {
    d.code: d
    for d in (PHQ9, PHQ2, GAD7, GAD2, AUDIT, AUDIT_C, DAST10, CAGE_AID, CSSRS_SCREEN, PCL5, K10)
}

__all__ = [
    "AUDIT",
    "AUDIT_C",
    "CAGE_AID",
    "CSSRS_SCREEN",
    "DAST10",
    "GAD2",
    "GAD7",
    "INSTRUMENTS",
    "K10",
    "PCL5",
    "PHQ2",
    "PHQ9",
    "AskedIf",
    "Band",
    "CriticalItem",
    "InstrumentDefinition",
    "Item",
    "Option",
    "ScoreResult",
    "Scoring",
    "TranslatedItem",
    "Translation",
    "TriageRule",
    "UnknownInstrument",
    "definition_for",
    "score",
]
