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

from ..icd10 import BY_CODE, category_for, is_valid_code, normalise_code
from ..models import Client, Diagnosis, DiagnosisCategory, DiagnosisStatus
from .timeline import timeline_record


def client_diagnosis_flags_refresh(*, client_ids: list[int] | None = None) -> None:
    """Store on each client what their ACTIVE diagnoses say, so that lists and rules read
    a column instead of searching diagnoses: ``is_dual_diagnosis`` (at least one mental
    health and one substance use diagnosis) and ``diagnosis_categories`` (the distinct
    categories, sorted). For ``client_ids``, or every client (``None``: after a bulk
    load). One UPDATE."""
    active = Diagnosis.objects.filter(client=OuterRef("pk"), status=DiagnosisStatus.ACTIVE)
    clients = Client.objects.all()
    if client_ids is not None:
        clients = clients.filter(pk__in=client_ids)
    clients.update(
        is_dual_diagnosis=Exists(active.filter(category=DiagnosisCategory.MENTAL_HEALTH))
        & Exists(active.filter(category=DiagnosisCategory.SUBSTANCE_USE)),
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


def _validate(values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    code = values.get("icd10_code", "")
    if not code:
        errors.setdefault("icd10_code", []).append("Enter an ICD-10-CM code.")
    elif not is_valid_code(code):
        errors.setdefault("icd10_code", []).append(
            f"'{code}' is not a well-formed ICD-10-CM code (e.g. F10.20, F33.1)."
        )
    if values.get("category") not in DiagnosisCategory.values:
        errors.setdefault("category", []).append("Choose mental health, substance use or medical.")
    elif code and is_valid_code(code):
        implied = category_for(code)
        if implied and implied != values["category"]:
            errors.setdefault("category", []).append(
                f"{code} is a {DiagnosisCategory(implied).label.lower()} code."
            )
    if not (values.get("description") or "").strip():
        errors.setdefault("description", []).append("Describe the diagnosis.")
    if values.get("status") not in DiagnosisStatus.values:
        errors.setdefault("status", []).append("Choose a status.")
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
    status: str = DiagnosisStatus.ACTIVE,
    onset_date: date | None = None,
    source: str = "",
) -> Diagnosis:
    code = normalise_code(icd10_code)
    description = (description or "").strip() or BY_CODE.get(code, ("",))[0]
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
    diagnosis = Diagnosis.objects.create(
        client=client, recorded_by=actor, source=(source or "").strip(), **values
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
    _validate(values, errors)
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
