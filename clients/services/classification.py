"""Dual diagnosis (co-occurring disorders) as SAMHSA defines it, from a table of codes.

SAMHSA, TIP 42 "Substance Use Disorder Treatment for People With Co-Occurring Disorders"
(2020 update), chapter 1 "Terminology in This TIP": a co-occurring disorder (COD) is the
condition of having at least one mental disorder and at least one substance use disorder
(SUD). So:

- a client is dual diagnosis when at least one mental disorder and at least one
  substance use disorder are on record as diagnosed: status active or in remission (a
  remission code such as F10.21 "Alcohol dependence, in remission" is still the disorder
  diagnosed; ICD-10-CM codes the remission in the code), never resolved or entered in
  error;
- what a code is comes from ``DiagnosisCodeRange`` (Django admin; defaults in
  ``clients/migrations/0012_seed_diagnosis_code_ranges.py``): F01-F99 mental disorders; F10-F19
  substance use disorders; but F17 nicotine dependence does not count, dementia (F01-F03),
  intellectual disabilities (F70-F79) and pervasive developmental disorders (F84) are not
  the mental-disorder half, and the "use" codes F1x.9x (use without a disorder; ICD-10-CM
  F10.9 "Alcohol use", F11.9 "Opioid use", ...) are not a substance use disorder;
- a clinician may classify one diagnosis differently, with a reason
  (``diagnosis_reclassify``, audited); the table then no longer applies to it.

One rule, in one place: ``classify`` gives each diagnosis its ``kind`` and
``counts_toward_dual`` (stored on the row), and ``client_diagnosis_flags_refresh`` (SQL)
derives ``Client.is_dual_diagnosis`` from them, which every page, filter, measure and
API reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from ..models import (
    DUAL_KINDS,
    CodeKind,
    Diagnosis,
    DiagnosisCodeRange,
    DiagnosisStatus,
    classification_label,
)
from .timeline import timeline_record

Classification = tuple[str, bool]  # (kind, counts toward dual diagnosis)
UNCLASSIFIED: Classification = (CodeKind.OTHER.value, False)


def code_ranges() -> list[DiagnosisCodeRange]:
    """The table, most specific range first (see ``classify``). One query."""
    ranges = list(DiagnosisCodeRange.objects.all())
    return _most_specific_first(ranges)


def _most_specific_first(ranges: Sequence[DiagnosisCodeRange]) -> list[DiagnosisCodeRange]:
    # Nested ranges are the rule (F17 inside F10-F19 inside F01-F99): the inner one has
    # longer codes, or a later start, or (same start) an earlier end.
    by_end = sorted(ranges, key=lambda r: r.last_code)
    return sorted(by_end, key=lambda r: (len(r.first_code), r.first_code), reverse=True)


def _holds(code_range: DiagnosisCodeRange, code: str) -> bool:
    first, last = code_range.first_code, code_range.last_code
    return code[: len(first)] >= first and code[: len(last)] <= last


def classify(code: str, ranges: Sequence[DiagnosisCodeRange]) -> Classification:
    """(kind, counts toward dual diagnosis) of an ICD-10-CM ``code`` (dotted) from the
    table ``ranges`` as ``code_ranges()`` returns it: the first range that holds the code
    (the most specific), else "other", not counting."""
    for code_range in ranges:
        if _holds(code_range, code):
            return code_range.kind, code_range.counts_toward_dual
    return UNCLASSIFIED


def diagnosis_classification_refresh(*, client_ids: list[int] | None = None) -> int:
    """Classify again, from the table, every diagnosis that no clinician reclassified
    (for ``client_ids``, or all: after the table changed in Django admin or a bulk load),
    then refresh the clients' dual-diagnosis flags. One query per 1,000 distinct codes
    plus the flags UPDATE. Returns how many diagnoses changed."""
    from .diagnoses import client_diagnosis_flags_refresh

    ranges = code_ranges()
    rows = Diagnosis.objects.filter(reclassified_at__isnull=True)
    if client_ids is not None:
        rows = rows.filter(client_id__in=client_ids)
    codes = sorted(set(rows.values_list("icd10_code", flat=True)))
    changed = 0
    for start in range(0, len(codes), 1000):
        chunk = codes[start : start + 1000]
        values = [(code, *classify(code, ranges)) for code in chunk]
        changed += _apply(values, client_ids)
    client_diagnosis_flags_refresh(client_ids=client_ids)
    return changed


def _apply(values: Iterable[tuple[str, str, bool]], client_ids: list[int] | None) -> int:
    rows = list(values)
    if not rows:
        return 0
    placeholders = ", ".join(["(%s, %s, %s)"] * len(rows))
    params: list[Any] = [v for row in rows for v in row]
    scope = ""
    if client_ids is not None:
        scope = "AND d.client_id = ANY(%s)"
        params.append(list(client_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE clients_diagnosis d SET kind = v.kind, counts_toward_dual = v.counts
            FROM (VALUES {placeholders}) AS v(code, kind, counts)
            WHERE d.icd10_code = v.code AND d.reclassified_at IS NULL {scope}
              AND (d.kind <> v.kind OR d.counts_toward_dual <> v.counts)
            """,
            params,
        )
        changed: int = cursor.rowcount
        return changed


@transaction.atomic
def diagnosis_reclassify(
    *,
    actor: User,
    diagnosis: Diagnosis,
    kind: str | None,
    counts_toward_dual: bool = False,
    reason: str = "",
) -> Diagnosis:
    """A clinician classifies one diagnosis differently from the table (``kind`` one of
    ``CodeKind``), or back to the table (``kind=None``), always with a reason. The
    reason stays on the diagnosis; the change is audited and on the timeline. Refused,
    nothing saved: no reason, an unknown kind, "counts" for a kind that cannot count
    (only a mental disorder or a substance use disorder makes a half of a dual
    diagnosis, SAMHSA TIP 42), a diagnosis entered in error, or no change."""
    from .diagnoses import client_dual_diagnosis_refresh

    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["Say why this diagnosis is classified differently."]
    if diagnosis.status == DiagnosisStatus.ENTERED_IN_ERROR:
        errors["kind"] = ["A diagnosis entered in error cannot be classified."]
    if kind is None:
        new = classify(diagnosis.icd10_code, code_ranges())
    elif kind not in CodeKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(str(k.label) for k in CodeKind)}."]
        new = UNCLASSIFIED
    else:
        new = (kind, bool(counts_toward_dual))
        if new[1] and kind not in DUAL_KINDS:
            errors["counts_toward_dual"] = [
                "Only a mental disorder or a substance use disorder counts toward dual diagnosis."
            ]
    if not errors and kind is None and diagnosis.reclassified_at is None:
        errors["kind"] = ["This diagnosis already follows the table."]
    elif (
        not errors
        and kind is not None
        and new
        == (
            diagnosis.kind,
            diagnosis.counts_toward_dual,
        )
    ):
        errors["kind"] = [f"It is already classified as {classification_label(*new).lower()}."]
    if errors:
        raise ValidationError(errors)
    diagnosis.kind, diagnosis.counts_toward_dual = new
    if kind is None:
        diagnosis.reclassified_at, diagnosis.reclassified_by = None, None
        diagnosis.reclassified_reason = ""
    else:
        diagnosis.reclassified_at, diagnosis.reclassified_by = timezone.now(), actor
        diagnosis.reclassified_reason = reason
    diagnosis.save(
        update_fields=[
            "kind",
            "counts_toward_dual",
            "reclassified_at",
            "reclassified_by",
            "reclassified_reason",
            "updated_at",
        ]
    )
    client_dual_diagnosis_refresh(client=diagnosis.client)
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=diagnosis,
        client_id=diagnosis.client_id,
        detail={
            "fields": ["kind", "counts_toward_dual", "reclassified_reason"],
            "reclassified": kind is not None,
        },
    )
    label = classification_label(*new).lower()
    summary = (
        f"Diagnosis {diagnosis.icd10_code} classified as {label}: {reason}"
        if kind is not None
        else f"Diagnosis {diagnosis.icd10_code} follows the table again: {reason}"
    )
    timeline_record(
        client=diagnosis.client_id, kind="diagnosis", actor=actor, obj=diagnosis, summary=summary
    )
    return diagnosis
