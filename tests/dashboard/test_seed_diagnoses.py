"""The demo seed's diagnoses follow the same rules as those recorded on the pages."""

import pytest
from django.core.management import call_command

from clients.icd10 import code_error
from clients.models import Client, Diagnosis
from clients.services import classify, code_ranges
from clients.services.diagnoses import remission_error


@pytest.mark.django_db
def test_demo_diagnoses_are_billable_classified_and_agree_with_remission():
    """Every code billable in ICD-10-CM (April 2026), classified from the code-range
    table, a remission code in remission (issue 15, section 3); most clients dual."""
    call_command("seed_demo", clients=40)
    ranges = code_ranges()
    diagnoses = list(Diagnosis.objects.all())
    assert diagnoses
    for dx in diagnoses:
        assert code_error(dx.icd10_code) is None, dx.icd10_code
        assert (dx.kind, dx.counts_toward_dual) == classify(dx.icd10_code, ranges)
        assert remission_error(dx.icd10_code, dx.status) is None, dx.icd10_code
    assert Client.objects.filter(is_dual_diagnosis=True).count() >= 10
