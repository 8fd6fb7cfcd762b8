"""Seed the dual-diagnosis code ranges and classify the diagnoses on record.

Co-occurring disorders as SAMHSA TIP 42 (2020, chapter 1, "Terminology in This TIP")
defines them: at least one mental disorder and at least one substance use disorder. The
ranges are ICD-10-CM (April 1, 2026) Chapter 5 "Mental, Behavioral and
Neurodevelopmental disorders (F01-F99)" and its blocks and categories; program admins
change them in Django admin. A code takes the most specific range that holds it.
"""

from django.db import connections, migrations

MD, SUD, USE = "mental_disorder", "substance_use_disorder", "substance_use"

USE_CODES = {
    "F10.9": "Alcohol use",
    "F11.9": "Opioid use",
    "F12.9": "Cannabis use",
    "F13.9": "Sedative, hypnotic or anxiolytic use",
    "F14.9": "Cocaine use",
    "F15.9": "Other stimulant use",
    "F16.9": "Hallucinogen use",
    "F18.9": "Inhalant use",
    "F19.9": "Other psychoactive substance use",
}

DEFAULTS = [
    ("F01", "F99", MD, True, "Chapter 5: mental, behavioral and neurodevelopmental disorders"),
    ("F01", "F03", MD, False, "Dementia: recorded, not the mental-disorder half"),
    ("F70", "F79", MD, False, "Intellectual disabilities: recorded, not the mental-disorder half"),
    (
        "F84",
        "F84",
        MD,
        False,
        "Pervasive developmental disorders: recorded, not the mental-disorder half",
    ),
    ("F10", "F19", SUD, True, "Mental and behavioral disorders due to psychoactive substance use"),
    (
        "F17",
        "F17",
        SUD,
        False,
        "Nicotine dependence: a substance use diagnosis that does not count",
    ),
    *(
        (code, code, USE, False, f"{text}: use without a disorder, not a substance use disorder")
        for code, text in USE_CODES.items()
    ),
]


def _classify(code, ranges):
    for first, last, kind, counts in ranges:
        if code[: len(first)] >= first and code[: len(last)] <= last:
            return kind, counts
    return "other", False


def seed(apps, schema_editor):
    """Idempotent: tests put the defaults back after a flush (tests/conftest.py)."""
    CodeRange = apps.get_model("clients", "DiagnosisCodeRange")
    Diagnosis = apps.get_model("clients", "Diagnosis")
    if CodeRange.objects.exists():
        return
    CodeRange.objects.bulk_create(
        CodeRange(first_code=f, last_code=la, kind=k, counts_toward_dual=c, note=n)
        for f, la, k, c, n in DEFAULTS
    )
    # Most specific first, as clients.services.classification.code_ranges orders them.
    ranges = sorted(
        sorted(((f, la, k, c) for f, la, k, c, _ in DEFAULTS), key=lambda r: r[1]),
        key=lambda r: (len(r[0]), r[0]),
        reverse=True,
    )
    codes = set(Diagnosis.objects.values_list("icd10_code", flat=True))
    for code in codes:
        kind, counts = _classify(code, ranges)
        Diagnosis.objects.filter(icd10_code=code).update(kind=kind, counts_toward_dual=counts)
    connection = schema_editor.connection if schema_editor else connections["default"]
    connection.cursor().execute(
        """
        UPDATE clients_client c SET is_dual_diagnosis =
            EXISTS (SELECT 1 FROM clients_diagnosis d WHERE d.client_id = c.id
                    AND d.status IN ('active', 'in_remission') AND d.counts_toward_dual
                    AND d.kind = 'mental_disorder')
            AND EXISTS (SELECT 1 FROM clients_diagnosis d WHERE d.client_id = c.id
                    AND d.status IN ('active', 'in_remission') AND d.counts_toward_dual
                    AND d.kind = 'substance_use_disorder')
        """
    )


def unseed(apps, schema_editor):
    apps.get_model("clients", "DiagnosisCodeRange").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("clients", "0011_diagnosis_code_ranges")]

    operations = [migrations.RunPython(seed, unseed)]
