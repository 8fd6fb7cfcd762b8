"""Diagnoses, and the dual-diagnosis flag derived from them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from ..icd10 import (
    category_for,
    code_error,
    description_of,
    is_remission_code,
    normalise_code,
    remission_codes_of_category,
)
from ..models import Client, CodeKind, Diagnosis, DiagnosisCategory, DiagnosisStatus
from .classification import classify, code_ranges
from .timeline import timeline_record

# Statuses in which a disorder is on record as diagnosed, for the dual-diagnosis rule:
# "in remission" too (ICD-10-CM codes remission in the code, F10.21; the disorder is
# still diagnosed). Resolved and entered in error are not.
DIAGNOSED = (DiagnosisStatus.ACTIVE, DiagnosisStatus.IN_REMISSION)


def client_diagnosis_flags_refresh(*, client_ids: list[int] | None = None) -> None:
    """Store on each client what their diagnoses say, so that lists and rules read a
    column instead of searching diagnoses. For ``client_ids``, or every client (``None``:
    after a bulk load). One UPDATE.

    - ``is_dual_diagnosis``: co-occurring disorders as SAMHSA TIP 42 (2020, chapter 1,
      "Terminology in This TIP") defines them, at least one mental disorder and at least
      one substance use disorder: a diagnosis of each kind that counts toward dual
      diagnosis (``Diagnosis.kind`` / ``counts_toward_dual``, from the code-range table
      or a clinician's reclassification; see ``clients.services.classification``),
      active or in remission. The only spelling of the rule: everything else reads
      this column.
    - ``diagnosis_categories``: the distinct categories of the ACTIVE diagnoses, sorted
      (re-assessment rules read it)."""
    counted = Diagnosis.objects.filter(
        client=OuterRef("pk"), status__in=DIAGNOSED, counts_toward_dual=True
    )
    active = Diagnosis.objects.filter(client=OuterRef("pk"), status=DiagnosisStatus.ACTIVE)
    clients = Client.objects.all()
    if client_ids is not None:
        clients = clients.filter(pk__in=client_ids)
    clients.update(
        is_dual_diagnosis=Exists(counted.filter(kind=CodeKind.MENTAL_DISORDER))
        & Exists(counted.filter(kind=CodeKind.SUBSTANCE_USE_DISORDER)),
        diagnosis_categories=ArraySubquery(
            active.order_by("category").values("category").distinct()
        ),
    )


def client_dual_diagnosis_refresh(*, client: Client) -> bool:
    """Refresh ``client``'s derived diagnosis fields; True when dual diagnosis."""
    client_diagnosis_flags_refresh(client_ids=[client.pk])
    client.is_dual_diagnosis, client.diagnosis_categories = Client.objects.values_list(
        "is_dual_diagnosis", "diagnosis_categories"
    ).get(pk=client.pk)
    return client.is_dual_diagnosis


def remission_error(code: str, status: str) -> str | None:
    """The one rule tying the status "in remission" to the code (ICD-10-CM codes a
    disorder in remission with its own code, e.g. F10.21 "Alcohol dependence, in
    remission", F33.41 "Major depressive disorder, recurrent, in partial remission"):

    - a remission code is recorded with the status "in remission";
    - the status "in remission" needs a remission code wherever the code's category has
      one (F10.20 -> F10.11, F10.21 or F10.91); a category without one (F20
      schizophrenia) takes the status with any of its codes.

    Returns the message for a mismatch, else None."""
    if is_remission_code(code):
        if status != DiagnosisStatus.IN_REMISSION and status in DIAGNOSED:
            return (
                f"{code} ({description_of(code)}) is a remission code: its status is In remission."
            )
        return None
    if status == DiagnosisStatus.IN_REMISSION:
        remission = remission_codes_of_category(code)
        if remission:
            return (
                f"{code} is not a remission code. For a disorder in remission record its "
                f"remission code instead ({', '.join(remission)})."
            )
    return None


def _validate(
    values: dict[str, Any], errors: dict[str, list[str]], *, recorded: bool = False
) -> None:
    """``recorded``: the code of a diagnosis already on record, which never changes; one
    recorded before codes were checked against the table can still be resolved or
    marked entered in error."""
    code = values.get("icd10_code", "")
    problem = code_error(code) if code else None
    if not code:
        errors.setdefault("icd10_code", []).append("Enter an ICD-10-CM code.")
    elif problem and not recorded:
        errors.setdefault("icd10_code", []).append(problem)
    if values.get("category") not in DiagnosisCategory.values:
        errors.setdefault("category", []).append("Choose mental health, substance use or medical.")
    elif code and not problem:
        implied = category_for(code)
        if implied and implied != values["category"]:
            errors.setdefault("category", []).append(
                f"{code} is a {DiagnosisCategory(implied).label.lower()} code."
            )
    if not (values.get("description") or "").strip():
        errors.setdefault("description", []).append("Describe the diagnosis.")
    if values.get("status") not in DiagnosisStatus.values:
        errors.setdefault("status", []).append("Choose a status.")
    elif code and not problem:
        mismatch = remission_error(code, values["status"])
        if mismatch:
            errors.setdefault("status", []).append(mismatch)
    onset = values.get("onset_date")
    if onset and onset > timezone.localdate():
        errors.setdefault("onset_date", []).append("The onset date cannot be in the future.")


@transaction.atomic
def diagnosis_add(
    *,
    actor: User,
    client: Client,
    icd10_code: str,
    description: str = "",
    category: str | None = None,
    status: str | None = None,
    onset_date: date | None = None,
    source: str = "",
) -> Diagnosis:
    """Record a diagnosis with a billable ICD-10-CM code (the description, when left
    empty, from the table), classified for the dual-diagnosis rule from the code-range
    table. Refused, nothing saved: an incomplete or unknown code, a status that does not
    agree with a remission code (``remission_error``), ... ``status`` left out: "in
    remission" for a remission code, else active."""
    code = normalise_code(icd10_code)
    if not status:
        in_remission = is_remission_code(code) and not code_error(code)
        status = DiagnosisStatus.IN_REMISSION if in_remission else DiagnosisStatus.ACTIVE
    description = (description or "").strip() or description_of(code)
    values = {
        "icd10_code": code,
        "description": description,
        "category": category or category_for(code),
        "status": status,
        "onset_date": onset_date,
    }
    errors: dict[str, list[str]] = {}
    _validate(values, errors)
    if status == DiagnosisStatus.ENTERED_IN_ERROR:
        errors.setdefault("status", []).append("A new diagnosis cannot be entered in error.")
    if errors:
        raise ValidationError(errors)
    kind, counts = classify(code, code_ranges())
    diagnosis = Diagnosis.objects.create(
        client=client,
        recorded_by=actor,
        source=(source or "").strip(),
        kind=kind,
        counts_toward_dual=counts,
        **values,
    )
    client_dual_diagnosis_refresh(client=client)
    audit_record(user=actor, action=AuditAction.CREATE, obj=diagnosis, client_id=client.pk)
    timeline_record(
        client=client,
        kind="diagnosis",
        actor=actor,
        obj=diagnosis,
        summary=f"Diagnosis added: {code} {values['description']}",
    )
    return diagnosis


@transaction.atomic
def diagnosis_update(*, actor: User, diagnosis: Diagnosis, data: dict[str, Any]) -> Diagnosis:
    """Change status (active, in remission, resolved, entered in error), onset or text.
    The code of a recorded diagnosis never changes: record a new one instead."""
    allowed = {"status", "onset_date", "description", "source"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(
            {name: ["This cannot be changed; add a new diagnosis."] for name in unknown}
        )
    if diagnosis.status == DiagnosisStatus.ENTERED_IN_ERROR:
        raise ValidationError({"status": ["A diagnosis entered in error cannot change."]})
    values = {f: getattr(diagnosis, f) for f in ("icd10_code", "category", *allowed)} | data
    errors: dict[str, list[str]] = {}
    _validate(values, errors, recorded=True)
    if errors:
        raise ValidationError(errors)
    changed = [f for f in allowed if f in data and getattr(diagnosis, f) != data[f]]
    if not changed:
        return diagnosis
    for field in changed:
        setattr(diagnosis, field, data[field])
    diagnosis.save(update_fields=[*changed, "updated_at"])
    client_dual_diagnosis_refresh(client=diagnosis.client)
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=diagnosis,
        client_id=diagnosis.client_id,
        detail={"fields": changed},
    )
    if "status" in changed:
        timeline_record(
            client=diagnosis.client_id,
            kind="diagnosis",
            actor=actor,
            obj=diagnosis,
            summary=f"Diagnosis {diagnosis.icd10_code}: {diagnosis.get_status_display().lower()}",
        )
    return diagnosis
