"""ICD-10-CM: the full code table, and a curated pick-list used in behavioral health.

The full table (``data/icd10cm-2026-04.tsv.gz``: code, billable or not, description) is
the ICD-10-CM April 1, 2026 release (CDC National Center for Health Statistics / CMS),
as shipped by the ``simple-icd-10-cm`` package (1.5.0; regenerate with
``python clients/data/build_icd10cm.py``). A diagnosis takes a billable code: a "leaf"
of the tabular list, such as F10.20. A subcategory that needs more characters (F10.2)
is refused, as is a code not in the table.

The pick-list (Chapter 5 "Mental, Behavioral and Neurodevelopmental disorders (F01-F99)")
is for the form's suggestions only: any billable code is accepted.
"""

import gzip
import re
from functools import cache
from pathlib import Path

from .models import DiagnosisCategory

MH = DiagnosisCategory.MENTAL_HEALTH
SU = DiagnosisCategory.SUBSTANCE_USE

# ICD-10-CM code format: a letter (U is reserved), a digit, a digit or letter, then
# optionally a dot and 1-4 characters (digits or letters; X is the placeholder).
ICD10_CM = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")

CODES: list[tuple[str, str, str]] = [
    # F10-F19 Mental and behavioral disorders due to psychoactive substance use
    ("F10.10", "Alcohol abuse, uncomplicated", SU),
    ("F10.11", "Alcohol abuse, in remission", SU),
    ("F10.20", "Alcohol dependence, uncomplicated", SU),
    ("F10.21", "Alcohol dependence, in remission", SU),
    ("F10.230", "Alcohol dependence with withdrawal, uncomplicated", SU),
    ("F10.239", "Alcohol dependence with withdrawal, unspecified", SU),
    ("F10.24", "Alcohol dependence with alcohol-induced mood disorder", SU),
    ("F11.10", "Opioid abuse, uncomplicated", SU),
    ("F11.20", "Opioid dependence, uncomplicated", SU),
    ("F11.21", "Opioid dependence, in remission", SU),
    ("F11.23", "Opioid dependence with withdrawal", SU),
    ("F12.10", "Cannabis abuse, uncomplicated", SU),
    ("F12.20", "Cannabis dependence, uncomplicated", SU),
    ("F12.21", "Cannabis dependence, in remission", SU),
    ("F13.20", "Sedative, hypnotic or anxiolytic dependence, uncomplicated", SU),
    ("F13.21", "Sedative, hypnotic or anxiolytic dependence, in remission", SU),
    ("F14.10", "Cocaine abuse, uncomplicated", SU),
    ("F14.20", "Cocaine dependence, uncomplicated", SU),
    ("F14.21", "Cocaine dependence, in remission", SU),
    ("F15.10", "Other stimulant abuse, uncomplicated", SU),
    ("F15.20", "Other stimulant dependence, uncomplicated", SU),
    ("F15.21", "Other stimulant dependence, in remission", SU),
    ("F16.20", "Hallucinogen dependence, uncomplicated", SU),
    ("F17.210", "Nicotine dependence, cigarettes, uncomplicated", SU),
    ("F18.20", "Inhalant dependence, uncomplicated", SU),
    ("F19.10", "Other psychoactive substance abuse, uncomplicated", SU),
    ("F19.20", "Other psychoactive substance dependence, uncomplicated", SU),
    ("F19.21", "Other psychoactive substance dependence, in remission", SU),
    # F20-F29 Schizophrenia, schizotypal, delusional and other non-mood psychotic disorders
    ("F20.0", "Paranoid schizophrenia", MH),
    ("F20.9", "Schizophrenia, unspecified", MH),
    ("F21", "Schizotypal disorder", MH),
    ("F22", "Delusional disorders", MH),
    ("F23", "Brief psychotic disorder", MH),
    ("F25.0", "Schizoaffective disorder, bipolar type", MH),
    ("F25.1", "Schizoaffective disorder, depressive type", MH),
    ("F25.9", "Schizoaffective disorder, unspecified", MH),
    ("F29", "Unspecified psychosis not due to a substance or known physiological condition", MH),
    # F30-F39 Mood [affective] disorders
    ("F31.0", "Bipolar disorder, current episode hypomanic", MH),
    (
        "F31.10",
        "Bipolar disorder, current episode manic without psychotic features, unspecified",
        MH,
    ),
    ("F31.2", "Bipolar disorder, current episode manic severe with psychotic features", MH),
    (
        "F31.30",
        "Bipolar disorder, current episode depressed, mild or moderate severity, unspecified",
        MH,
    ),
    (
        "F31.4",
        "Bipolar disorder, current episode depressed, severe, without psychotic features",
        MH,
    ),
    ("F31.5", "Bipolar disorder, current episode depressed, severe, with psychotic features", MH),
    ("F31.81", "Bipolar II disorder", MH),
    ("F31.9", "Bipolar disorder, unspecified", MH),
    ("F32.0", "Major depressive disorder, single episode, mild", MH),
    ("F32.1", "Major depressive disorder, single episode, moderate", MH),
    ("F32.2", "Major depressive disorder, single episode, severe without psychotic features", MH),
    ("F32.3", "Major depressive disorder, single episode, severe with psychotic features", MH),
    ("F32.A", "Depression, unspecified", MH),
    ("F33.0", "Major depressive disorder, recurrent, mild", MH),
    ("F33.1", "Major depressive disorder, recurrent, moderate", MH),
    ("F33.2", "Major depressive disorder, recurrent severe without psychotic features", MH),
    ("F33.3", "Major depressive disorder, recurrent, severe with psychotic symptoms", MH),
    ("F33.41", "Major depressive disorder, recurrent, in partial remission", MH),
    ("F33.9", "Major depressive disorder, recurrent, unspecified", MH),
    ("F34.1", "Dysthymic disorder", MH),
    # F40-F48 Anxiety, dissociative, stress-related, somatoform
    ("F40.10", "Social phobia, unspecified", MH),
    ("F41.0", "Panic disorder [episodic paroxysmal anxiety]", MH),
    ("F41.1", "Generalized anxiety disorder", MH),
    ("F41.9", "Anxiety disorder, unspecified", MH),
    ("F42.2", "Mixed obsessional thoughts and acts", MH),
    ("F43.10", "Post-traumatic stress disorder, unspecified", MH),
    ("F43.11", "Post-traumatic stress disorder, acute", MH),
    ("F43.12", "Post-traumatic stress disorder, chronic", MH),
    ("F43.20", "Adjustment disorder, unspecified", MH),
    ("F43.23", "Adjustment disorder with mixed anxiety and depressed mood", MH),
    ("F44.9", "Dissociative and conversion disorder, unspecified", MH),
    # F50 Eating disorders
    ("F50.00", "Anorexia nervosa, unspecified", MH),
    ("F50.20", "Bulimia nervosa, unspecified", MH),
    # F60 Personality disorders
    ("F60.2", "Antisocial personality disorder", MH),
    ("F60.3", "Borderline personality disorder", MH),
    ("F60.9", "Personality disorder, unspecified", MH),
    # F90 ADHD
    ("F90.0", "Attention-deficit hyperactivity disorder, predominantly inattentive type", MH),
    ("F90.2", "Attention-deficit hyperactivity disorder, combined type", MH),
    ("F90.9", "Attention-deficit hyperactivity disorder, unspecified type", MH),
]

BY_CODE = {code: (text, category) for code, text, category in CODES}


def normalise_code(code: str) -> str:
    """Upper-case, trimmed, with the dot after the third character (F1020 -> F10.20)."""
    code = (code or "").strip().upper().replace(" ", "")
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def is_valid_code(code: str) -> bool:
    return bool(ICD10_CM.match(code))


def category_for(code: str) -> str | None:
    """The category a code implies: F10-F19 substance use, other F codes mental health."""
    if code in BY_CODE:
        return BY_CODE[code][1]
    if re.match(r"^F1[0-9]", code):
        return SU
    if code.startswith("F"):
        return MH
    return None


TABLE_FILE = Path(__file__).parent / "data" / "icd10cm-2026-04.tsv.gz"
TABLE_RELEASE = "ICD-10-CM April 1, 2026"


@cache
def _table() -> dict[str, tuple[str, bool]]:
    """Every ICD-10-CM code (dotted) -> (description, billable). Read once per process
    (about 0.6 s, 30 MB), on the first diagnosis validated."""
    table: dict[str, tuple[str, bool]] = {}
    with gzip.open(TABLE_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            code, billable, description = line.rstrip("\n").split("\t", 2)
            table[code] = (description, billable == "1")
    return table


def description_of(code: str) -> str:
    """The table's description of ``code`` ("" when not in the table)."""
    return _table().get(code, ("", False))[0]


def code_error(code: str) -> str | None:
    """Why ``code`` (normalised) cannot be recorded, or None for a billable code."""
    if not is_valid_code(code):
        return f"'{code}' is not a well-formed ICD-10-CM code (e.g. F10.20, F33.1)."
    entry = _table().get(code)
    if entry is None:
        return f"{code} is not an ICD-10-CM code ({TABLE_RELEASE})."
    description, billable = entry
    if not billable:
        more = sorted(
            (c for c, (_, leaf) in _table().items() if leaf and c.startswith(code)),
            key=lambda c: (len(c), c),
        )
        examples = ", ".join(more[:4]) + (" ..." if len(more) > 4 else "")
        return (
            f"{code} ({description}) is incomplete: it needs more characters. "
            f"Choose a billable code, e.g. {examples}"
        )
    return None


def is_remission_code(code: str) -> bool:
    """Whether the table describes ``code`` as a disorder in (partial or full)
    remission, e.g. F10.21 "Alcohol dependence, in remission", F33.41."""
    return "remission" in description_of(code).lower()


def remission_codes_of_category(code: str) -> list[str]:
    """The billable remission codes in the 3-character category of ``code``
    (F10.20 -> F10.11, F10.21, F10.91; F20.9 -> none)."""
    category = code[:3]
    return sorted(
        c
        for c, (text, billable) in _table().items()
        if billable and c.startswith(category) and "remission" in text.lower()
    )
