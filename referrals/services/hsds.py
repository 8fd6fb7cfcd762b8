"""Import the resource directory from Open Referral HSDS CSV files.

HSDS 3.0 in its tabular form (the table and column names of the specification's
``schema/simple/schema.csv``), as far as the directory uses them:

- ``organizations.csv``: id, name, description, email, website (``url`` also read);
- ``services.csv``: id, organization_id, name, description, status (active, inactive,
  defunct, temporarily closed), eligibility_description, wait_time, assured_date (the
  day the information was last checked);
- ``locations.csv``: id, organization_id, name; ``addresses.csv``: location_id,
  address_1, address_2, city, state_province, postal_code (a physical one first);
- ``service_at_locations.csv`` (``service_at_location.csv`` also read): service_id,
  location_id: where a service is given;
- ``phones.csv``: service_id or organization_id, number;
- ``languages.csv``: service_id, name; ``schedules.csv``: service_id, description (the
  hours as text);
- ``taxonomy_terms.csv`` (id, code, name) and ``attributes.csv`` (link_id,
  link_entity ``service``, taxonomy_term_id): a service's category is the first of its
  terms whose code or name is one of ``ServiceCategory``.

The flat columns of the earlier import stay accepted beside them: ``services.csv``
``category``, ``languages`` and ``insurance`` (separated by ``;``), ``location_id``,
``hours``, ``last_verified``; ``locations.csv`` address_1, city, state_province,
postal_code. Rows are matched on their HSDS ``id``: a second import updates what the
first created.

A dry run checks every row and reports each bad one with its file, line and reason.
The real import runs the same checks and saves nothing unless every row is good.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from ..models import Organization, Service, ServiceCategory, ServiceStatus

# The synthetic demo directory shipped with the code (``referrals/data/build_hsds_demo.py``
# writes it): about 40 made-up organisations and their services in every category.
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "hsds_demo"
FILES = (
    "organizations.csv",
    "services.csv",
    "locations.csv",
    "addresses.csv",
    "service_at_locations.csv",
    "service_at_location.csv",
    "phones.csv",
    "languages.csv",
    "schedules.csv",
    "taxonomy_terms.csv",
    "attributes.csv",
)
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

    address_parts = ("address_1", "address_2", "city", "state_province", "postal_code")
    addresses: dict[str, tuple[bool, str]] = {}  # location id -> (physical?, text)
    address_rows = _rows("addresses.csv", files.get("addresses.csv"), report)
    locations: dict[str, str] = {}
    for line, row in _rows("locations.csv", files.get("locations.csv"), report):
        if not row.get("id"):
            bad("locations.csv", line, "The id is empty.")
            continue
        if row.get("organization_id") and row["organization_id"] not in known_orgs:
            bad("locations.csv", line, f"Unknown organization_id '{row['organization_id']}'.")
            continue
        parts = [row.get(k, "") for k in address_parts]
        locations[row["id"]] = ", ".join(p for p in parts if p)[:300]
    for line, row in address_rows:
        location = row.get("location_id", "")
        if location not in locations:
            bad("addresses.csv", line, f"Unknown location_id '{location}'.")
            continue
        if not row.get("address_1"):
            bad("addresses.csv", line, "address_1 is empty.")
            continue
        physical = row.get("address_type", "physical").lower() in ("", "physical")
        text = ", ".join(p for p in (row.get(k, "") for k in address_parts) if p)[:300]
        if location not in addresses or (physical and not addresses[location][0]):
            addresses[location] = (physical, text)
    for location, (_physical, text) in addresses.items():
        locations[location] = locations[location] or text

    terms: dict[str, str] = {}  # taxonomy term id -> category
    term_rows = _rows("taxonomy_terms.csv", files.get("taxonomy_terms.csv"), report)
    for _line, row in term_rows:
        category = _CATEGORY.get(row.get("code", "").lower()) or _CATEGORY.get(
            row.get("name", "").lower()
        )
        if row.get("id") and category:
            terms[row["id"]] = category  # terms of other taxonomies are ignored
    known_terms = {row.get("id", "") for _line, row in term_rows}
    service_categories: dict[str, str] = {}
    attribute_rows = _rows("attributes.csv", files.get("attributes.csv"), report)
    for line, row in attribute_rows:
        if row.get("link_entity", "service") != "service":
            continue
        term = row.get("taxonomy_term_id", "")
        if term not in known_terms:
            bad("attributes.csv", line, f"Unknown taxonomy_term_id '{term}'.")
            continue
        if term in terms:
            service_categories.setdefault(row.get("link_id", ""), terms[term])
    at_location: dict[str, str] = {}
    for name in ("service_at_locations.csv", "service_at_location.csv"):
        for line, row in _rows(name, files.get(name), report):
            if row.get("location_id", "") not in locations:
                bad(name, line, f"Unknown location_id '{row.get('location_id', '')}'.")
                continue
            at_location.setdefault(row.get("service_id", ""), row["location_id"])

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
        category = _CATEGORY.get(
            (row.get("category") or service_categories.get(sid) or "other").lower()
        )
        if category is None:
            problems.append(f"Unknown category '{row['category']}'.")
        verified = None
        checked = "last_verified" if row.get("last_verified") else "assured_date"
        if row.get(checked):
            try:
                verified = date.fromisoformat(row[checked])
            except ValueError:
                problems.append(f"{checked} '{row[checked]}' is not a YYYY-MM-DD date.")
        location = row.get("location_id", "") or at_location.get(sid, "")
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
    for line, row in _rows("languages.csv", files.get("languages.csv"), report):
        if not row.get("service_id"):
            continue  # a location's or a phone's language: not kept
        if row["service_id"] not in services:
            bad("languages.csv", line, f"Unknown service_id '{row['service_id']}'.")
            continue
        language = (row.get("name") or row.get("code") or "").strip().title()
        if language and language not in services[row["service_id"]]["languages"]:
            services[row["service_id"]]["languages"].append(language[:60])
    for line, row in _rows("schedules.csv", files.get("schedules.csv"), report):
        if not row.get("service_id"):
            continue
        if row["service_id"] not in services:
            bad("schedules.csv", line, f"Unknown service_id '{row['service_id']}'.")
            continue
        data = services[row["service_id"]]
        data["hours"] = data["hours"] or (row.get("description") or "")[:300]
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


def hsds_files_read(folder: Path) -> dict[str, str]:
    """The HSDS CSV files of ``folder`` as ``{name: text}`` (the ones it has)."""
    return {
        name: (folder / name).read_text(encoding="utf-8-sig")
        for name in FILES
        if (folder / name).exists()
    }


def hsds_demo_import(*, actor: User | None = None) -> ImportReport:
    """Load (or update: rows are matched on their HSDS id) the demo directory."""
    return hsds_import(files=hsds_files_read(DEMO_DIR), dry_run=False, actor=actor)
