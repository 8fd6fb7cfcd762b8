"""Fixtures for the referrals tests: directory services, consents, notes."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clients.models import Consent, ConsentKind, ContactNote, ExpiryKind
from referrals.models import Organization, Service, ServiceCategory


@pytest.fixture
def service(db):
    org = Organization.objects.create(name="Harbor Detox")
    return Service.objects.create(
        organization=org,
        name="Medically managed withdrawal",
        category=ServiceCategory.WITHDRAWAL,
        languages=["English", "Spanish"],
    )


def part2_consent(client, recorded_by, recipient="Harbor Detox", **extra):
    values = {
        "client": client,
        "kind": ConsentKind.PART2,
        "patient_name": client.legal_name,
        "discloser": "Riverside",
        "information_description": "Substance use diagnosis and treatment",
        "recipients": [recipient],
        "purpose": "Coordinate treatment",
        "right_to_revoke_explained": True,
        "expiry_kind": ExpiryKind.DATE,
        "expires_on": timezone.localdate() + timedelta(days=90),
        "signed_by": client.legal_name,
        "signed_on": timezone.localdate() - timedelta(days=1),
        "signature_method": "paper",
        "recorded_by": recorded_by,
    }
    values.update(extra)
    return Consent.objects.create(**values)


def contact_note(client, author, day: date, contact_type="in_person", hour=12, signed=True):
    """A contact note on ``day`` (team-local), signed unless ``signed=False`` (a draft)."""
    tz = ZoneInfo(client.team.time_zone)
    at = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
    return ContactNote.objects.create(
        client=client,
        contact_at=at,
        contact_type=contact_type,
        duration_minutes=30,
        data="d",
        assessment="a",
        plan="p",
        author=author,
        signed_at=at + timedelta(hours=1) if signed else None,
        signed_by=author if signed else None,
    )
