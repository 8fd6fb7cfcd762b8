"""Import the resource directory from Open Referral HSDS CSV files.

Files (a subset of HSDS 2/3, flat): ``organizations.csv`` (id, name, description,
email, url), ``services.csv`` (id, organization_id, name, description, status,
category, languages, eligibility_description, insurance, location_id, hours,
wait_time, last_verified), ``locations.csv`` (id, organization_id, name, address_1,
city, state_province, postal_code), ``phones.csv`` (id, service_id, organization_id,
number). ``category`` is our column (one of ``ServiceCategory``), ``languages`` and
``insurance`` are separated by ``;``. Rows are matched on their HSDS ``id``: a second
import updates what the first created.

A dry run checks every row and reports each bad one with its file, line and reason.
The real import runs the same checks and saves nothing unless every row is good.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from ..models import Organization, Service, ServiceCategory, ServiceStatus

FILES = ("organizations.csv", "services.csv", "locations.csv", "phones.csv")
REQUIRED_FILES = ("organizations.csv", "services.csv")
_STATUS = {
    "active": ServiceStatus.ACTIVE,
    "inactive": ServiceStatus.INACTIVE,
    "defunct": ServiceStatus.INACTIVE,
    "temporarily closed": ServiceStatus.TEMPORARILY_CLOSED,
    "temporarily_closed": ServiceStatus.TEMPORARILY_CLOSED,
}
_CATEGORY = {c.value: c.value for c in ServiceCategory} | {
    c.label.lower(): c.value for c in ServiceCategory
}


@dataclass
class RowError:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    organizations: int = 0
    services: int = 0
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _rows(name: str, text: str | None, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or "id" not in reader.fieldnames:
        report.errors.append(RowError(name, 1, "The header row has no 'id' column."))
        return []
    rows = []
    for row in reader:
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
    return rows


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("|", ";").split(";") if part.strip()]


def _parse(
    files: dict[str, str], report: ImportReport
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    for name in REQUIRED_FILES:
        if files.get(name) is None:
            report.errors.append(RowError(name, 0, "The file is missing."))
    for name in set(files) - set(FILES):
        report.errors.append(RowError(name, 0, f"Unknown file (expected {', '.join(FILES)})."))

    def bad(name: str, line: int, reason: str) -> None:
        report.errors.append(RowError(name, line, reason))

    orgs: dict[str, dict[str, Any]] = {}
    for line, row in _rows("organizations.csv", files.get("organizations.csv"), report):
        if not row.get("id"):
            bad("organizations.csv", line, "The id is empty.")
            continue
        if row["id"] in orgs:
            bad("organizations.csv", line, f"The id '{row['id']}' appears twice.")
            continue
        if not row.get("name"):
            bad("organizations.csv", line, "The name is empty.")
            continue
        email, url = row.get("email", ""), row.get("url", "") or row.get("website", "")
        try:
            if email:
                validate_email(email)
        except ValidationError:
            bad("organizations.csv", line, f"'{email}' is not an email address.")
            continue
        try:
            if url:
                URLValidator()(url)
        except ValidationError:
            bad("organizations.csv", line, f"'{url}' is not a web address.")
            continue
        orgs[row["id"]] = {
            "name": row["name"][:255],
            "description": row.get("description", ""),
            "email": email,
            "website": url,
        }
    known_orgs = set(orgs) | set(
        Organization.objects.exclude(hsds_id="").values_list("hsds_id", flat=True)
    )

    locations: dict[str, str] = {}
    for line, row in _rows("locations.csv", files.get("locations.csv"), report):
        if not row.get("id"):
            bad("locations.csv", line, "The id is empty.")
            continue
        if row.get("organization_id") and row["organization_id"] not in known_orgs:
            bad("locations.csv", line, f"Unknown organization_id '{row['organization_id']}'.")
            continue
        parts = [row.get(k, "") for k in ("address_1", "city", "state_province", "postal_code")]
        locations[row["id"]] = ", ".join(p for p in parts if p)[:300]

    services: dict[str, dict[str, Any]] = {}
    for line, row in _rows("services.csv", files.get("services.csv"), report):
        sid, org = row.get("id", ""), row.get("organization_id", "")
        problems = []
        if not sid:
            problems.append("The id is empty.")
        elif sid in services:
            problems.append(f"The id '{sid}' appears twice.")
        if not row.get("name"):
            problems.append("The name is empty.")
        if org not in known_orgs:
            problems.append(f"Unknown organization_id '{org}'.")
        status = _STATUS.get(row.get("status", "active").lower() or "active")
        if status is None:
            problems.append(f"Unknown status '{row['status']}'.")
        category = _CATEGORY.get((row.get("category") or "other").lower())
        if category is None:
            problems.append(f"Unknown category '{row['category']}'.")
        verified = None
        if row.get("last_verified"):
            try:
                verified = date.fromisoformat(row["last_verified"])
            except ValueError:
                problems.append(f"last_verified '{row['last_verified']}' is not a YYYY-MM-DD date.")
        location = row.get("location_id", "")
        if location and location not in locations:
            problems.append(f"Unknown location_id '{location}'.")
        if problems:
            bad("services.csv", line, " ".join(problems))
            continue
        services[sid] = {
            "organization": org,
            "name": row["name"][:255],
            "description": row.get("description", ""),
            "status": status,
            "category": category,
            "languages": [lang.title() for lang in _split(row.get("languages", ""))],
            "eligibility": row.get("eligibility_description", ""),
            "insurance_accepted": _split(row.get("insurance", "")),
            "address": locations.get(location, ""),
            "hours": row.get("hours", "")[:300],
            "waitlist": row.get("wait_time", "")[:200],
            "last_verified_on": verified,
            "phone": "",
        }
    org_phones: dict[str, str] = {}
    for line, row in _rows("phones.csv", files.get("phones.csv"), report):
        if not row.get("number"):
            bad("phones.csv", line, "The number is empty.")
            continue
        if row.get("service_id"):
            if row["service_id"] not in services:
                bad("phones.csv", line, f"Unknown service_id '{row['service_id']}'.")
                continue
            services[row["service_id"]]["phone"] = (
                services[row["service_id"]]["phone"] or row["number"][:40]
            )
        elif row.get("organization_id"):
            if row["organization_id"] not in known_orgs:
                bad("phones.csv", line, f"Unknown organization_id '{row['organization_id']}'.")
                continue
            org_phones.setdefault(row["organization_id"], row["number"][:40])
        else:
            bad("phones.csv", line, "The phone belongs to no service or organization.")
    for data in services.values():
        data["phone"] = data["phone"] or org_phones.get(data["organization"], "")
    return orgs, services


def hsds_import(
    *, files: dict[str, str], dry_run: bool = True, actor: User | None = None
) -> ImportReport:
    """Check (and unless ``dry_run``, save) HSDS CSV files given as ``{name: text}``.
    The real import raises ``ValidationError({"files": [...]})`` listing every bad row,
    and then nothing is saved."""
    report = ImportReport(dry_run=dry_run)
    orgs, services = _parse(files, report)
    report.organizations, report.services = len(orgs), len(services)
    if dry_run:
        return report
    if report.errors:
        raise ValidationError({"files": [str(e) for e in report.errors]})
    with transaction.atomic():
        by_hsds = {}
        for hsds_id, data in orgs.items():
            org, _ = Organization.objects.update_or_create(hsds_id=hsds_id, defaults=data)
            by_hsds[hsds_id] = org
        missing = {d["organization"] for d in services.values()} - set(by_hsds)
        by_hsds |= {o.hsds_id: o for o in Organization.objects.filter(hsds_id__in=missing)}
        for hsds_id, data in services.items():
            values = dict(data, organization=by_hsds[data["organization"]])
            Service.objects.update_or_create(hsds_id=hsds_id, defaults=values)
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            object_type="referrals.hsds_import",
            detail={"organizations": len(orgs), "services": len(services)},
        )
    report.saved = True
    return report
