"""Dual diagnosis as SAMHSA defines it, and ICD-10-CM codes checked against the table.

Sources of the expected values (written from the published text, not from the code):

- SAMHSA TIP 42, "Substance Use Disorder Treatment for People With Co-Occurring
  Disorders" (2020), chapter 1 "Terminology in This TIP": a co-occurring disorder is at
  least one mental disorder and at least one substance use disorder.
- ICD-10-CM Tabular List, April 1, 2026 (CDC NCHS / CMS), Chapter 5 (F01-F99): F01-F03
  dementia, F10-F19 disorders due to psychoactive substance use (F1x.1 abuse, F1x.2
  dependence, F1x.9 use; "in remission" codes F1x.11, F1x.21, F1x.91), F17 nicotine
  dependence, F70-F79 intellectual disabilities, F84 pervasive developmental disorders;
  F10.2 "Alcohol dependence" is a subcategory that takes a 5th character (F10.20 ...).
- Issue 15, section 3: the defaults (F17 does not count; F01-F03, F70-F79, F84 not the
  mental-disorder half; F1x.9x use codes not a substance use disorder; remission codes
  count; reclassification with a reason; remission status and code agree).
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casemgmt.audit.models import AuditEvent
from clients import services
from clients.models import CodeKind, Diagnosis, DiagnosisCodeRange, DiagnosisStatus
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

MD = CodeKind.MENTAL_DISORDER
SUD = CodeKind.SUBSTANCE_USE_DISORDER
USE = CodeKind.SUBSTANCE_USE
OTHER = CodeKind.OTHER


def _dx(user, client, code, status=DiagnosisStatus.ACTIVE, **extra):
    return services.diagnosis_add(
        actor=user, client=client, icd10_code=code, status=status, **extra
    )


@pytest.fixture
def program_admin(admin_user):
    """The program admin of the demo: staff, with every permission (Django admin)."""
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    return admin_user


def _dual(client) -> bool:
    client.refresh_from_db()
    return client.is_dual_diagnosis


# ------------------------------------------------------------------ codes and the table
@pytest.mark.parametrize(
    ("code", "kind", "counts", "why"),
    [
        ("F10.20", SUD, True, "alcohol dependence, uncomplicated"),
        ("F10.10", SUD, True, "alcohol abuse: a substance use disorder (F10.1)"),
        ("F10.21", SUD, True, "alcohol dependence, in remission: still diagnosed"),
        ("F11.21", SUD, True, "opioid dependence, in remission"),
        ("F19.20", SUD, True, "last category of F10-F19"),
        ("F17.210", SUD, False, "nicotine dependence, cigarettes: does not count"),
        ("F17.200", SUD, False, "nicotine dependence, unspecified"),
        ("F10.90", USE, False, "alcohol use, unspecified, uncomplicated: use, no disorder"),
        ("F10.91", USE, False, "alcohol use, in remission: still use, no disorder"),
        ("F11.90", USE, False, "opioid use, unspecified"),
        ("F19.90", USE, False, "other psychoactive substance use"),
        ("F01.50", MD, False, "vascular dementia: first code of F01-F03"),
        ("F03.90", MD, False, "unspecified dementia: last category of F01-F03"),
        ("F04", MD, True, "first category after dementia: counts"),
        ("F69", MD, True, "just before F70"),
        ("F70", MD, False, "mild intellectual disabilities: first of F70-F79"),
        ("F79", MD, False, "unspecified intellectual disabilities: last of F70-F79"),
        ("F80.0", MD, True, "just after F79"),
        ("F84.0", MD, False, "autistic disorder (F84)"),
        ("F84.5", MD, False, "Asperger's syndrome (F84)"),
        ("F33.1", MD, True, "major depressive disorder, recurrent, moderate"),
        ("F20.9", MD, True, "schizophrenia"),
        ("F99", MD, True, "mental disorder, not otherwise specified: last of chapter 5"),
        ("E11.9", OTHER, False, "type 2 diabetes: outside chapter 5"),
    ],
)
def test_the_default_table_classifies_codes_as_published(code, kind, counts, why):
    assert services.classify(code, services.code_ranges()) == (kind, counts), why


def test_an_incomplete_code_is_refused_with_the_reason_and_nothing_saved(
    case_manager, client_record
):
    """ICD-10-CM: F10.2 "Alcohol dependence" needs a 5th character (F10.20, F10.21 ...)."""
    with pytest.raises(ValidationError) as refused:
        _dx(case_manager, client_record, "F10.2")
    message = refused.value.message_dict["icd10_code"][0]
    assert "F10.2" in message and "incomplete" in message and "F10.20" in message
    assert not Diagnosis.objects.filter(client=client_record).exists()


@pytest.mark.parametrize("code", ["F10.3", "F10.30", "F33.7", "Z99.99"])
def test_a_code_not_in_the_table_is_refused(case_manager, client_record, code):
    """None of these is in the ICD-10-CM April 2026 tabular list (F10 has .1, .2, .9;
    F33 has .0-.3, .4x, .8, .9)."""
    with pytest.raises(ValidationError) as refused:
        _dx(case_manager, client_record, code)
    assert "is not an ICD-10-CM code" in refused.value.message_dict["icd10_code"][0]
    assert not Diagnosis.objects.filter(client=client_record).exists()


def test_the_description_comes_from_the_table(case_manager, client_record):
    """ICD-10-CM F11.21: "Opioid dependence, in remission"; F99: "Mental disorder, not
    otherwise specified" (a 3-character billable code)."""
    opioid = _dx(case_manager, client_record, "F1121", status=DiagnosisStatus.IN_REMISSION)
    assert opioid.icd10_code == "F11.21"
    assert opioid.description == "Opioid dependence, in remission"
    assert _dx(case_manager, client_record, "F99").description == (
        "Mental disorder, not otherwise specified"
    )


# ------------------------------------------------------------------ the dual-diagnosis rule
@pytest.mark.parametrize(
    ("mental", "substance", "dual"),
    [
        (("F33.1", "active"), ("F10.20", "active"), True),
        (("F33.1", "active"), ("F17.210", "active"), False),  # nicotine does not count
        (("F33.1", "active"), ("F10.90", "active"), False),  # use, not a disorder
        (("F33.1", "active"), ("F11.21", "in_remission"), True),  # remission code counts
        (("F33.42", "in_remission"), ("F10.20", "active"), True),  # MDD in full remission
        (("F03.90", "active"), ("F10.20", "active"), False),  # dementia is not the half
        (("F70", "active"), ("F11.20", "active"), False),  # intellectual disability
        (("F84.0", "active"), ("F12.20", "active"), False),  # autistic disorder
        (("F33.1", "active"), ("F10.20", "resolved"), False),  # no longer diagnosed
        (("F33.1", "resolved"), ("F10.20", "active"), False),
    ],
)
def test_dual_diagnosis_needs_a_mental_disorder_and_a_substance_use_disorder(
    case_manager, team, mental, substance, dual
):
    """SAMHSA TIP 42: at least one mental disorder and at least one SUD."""
    client = ClientFactory(team=team)
    _dx(case_manager, client, mental[0], status=mental[1])
    _dx(case_manager, client, substance[0], status=substance[1])
    assert _dual(client) is dual


def test_marking_one_half_entered_in_error_ends_dual_diagnosis(case_manager, team):
    client = ClientFactory(team=team)
    _dx(case_manager, client, "F41.1")
    su = _dx(case_manager, client, "F14.20")
    assert _dual(client)
    services.diagnosis_update(
        actor=case_manager, diagnosis=su, data={"status": DiagnosisStatus.ENTERED_IN_ERROR}
    )
    assert not _dual(client)


# ------------------------------------------------------------------ remission: one rule
def test_a_remission_code_recorded_as_active_is_refused(case_manager, client_record):
    """ICD-10-CM F10.21 is "Alcohol dependence, in remission"."""
    with pytest.raises(ValidationError) as refused:
        _dx(case_manager, client_record, "F10.21", status=DiagnosisStatus.ACTIVE)
    assert "remission code" in refused.value.message_dict["status"][0]
    assert not Diagnosis.objects.filter(client=client_record).exists()


def test_api_records_a_remission_code_in_remission_when_no_status_is_sent(
    api_as, case_manager, client_record
):
    """ICD-10-CM F11.21 "Opioid dependence, in remission"."""
    response = api_as(case_manager).post(
        "/api/v1/diagnoses/", {"client": client_record.pk, "icd10_code": "F11.21"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "in_remission"
    assert response.json()["description"] == "Opioid dependence, in remission"


def test_in_remission_with_a_code_that_has_a_remission_code_is_refused(case_manager, client_record):
    """F10.20 is uncomplicated dependence; in remission ICD-10-CM has F10.21 (and
    F10.11 for abuse, F10.91 for use)."""
    with pytest.raises(ValidationError) as refused:
        _dx(case_manager, client_record, "F10.20", status=DiagnosisStatus.IN_REMISSION)
    message = refused.value.message_dict["status"][0]
    assert "F10.21" in message and "F10.11" in message and "F10.91" in message
    assert not Diagnosis.objects.filter(client=client_record).exists()


def test_in_remission_is_allowed_where_the_category_has_no_remission_code(
    case_manager, client_record
):
    """ICD-10-CM F20 (schizophrenia) has no "in remission" code."""
    dx = _dx(case_manager, client_record, "F20.9", status=DiagnosisStatus.IN_REMISSION)
    assert dx.status == DiagnosisStatus.IN_REMISSION


def test_a_remission_code_cannot_become_active(case_manager, client_record):
    dx = _dx(case_manager, client_record, "F11.21", status=DiagnosisStatus.IN_REMISSION)
    with pytest.raises(ValidationError) as refused:
        services.diagnosis_update(
            actor=case_manager, diagnosis=dx, data={"status": DiagnosisStatus.ACTIVE}
        )
    assert "status" in refused.value.message_dict
    dx.refresh_from_db()
    assert dx.status == DiagnosisStatus.IN_REMISSION


def test_a_diagnosis_recorded_with_an_old_incomplete_code_can_still_be_resolved(
    case_manager, client_record
):
    dx = _dx(case_manager, client_record, "F10.20")
    Diagnosis.objects.filter(pk=dx.pk).update(icd10_code="F10.2")  # recorded before checks
    dx.refresh_from_db()
    services.diagnosis_update(
        actor=case_manager, diagnosis=dx, data={"status": DiagnosisStatus.ENTERED_IN_ERROR}
    )
    dx.refresh_from_db()
    assert dx.status == DiagnosisStatus.ENTERED_IN_ERROR


# ------------------------------------------------------------------ reclassification
def test_a_clinician_reclassifies_with_a_reason_audited(case_manager, team):
    client = ClientFactory(team=team)
    _dx(case_manager, client, "F33.1")
    nicotine = _dx(case_manager, client, "F17.210")
    assert not _dual(client)
    services.diagnosis_reclassify(
        actor=case_manager,
        diagnosis=nicotine,
        kind=SUD,
        counts_toward_dual=True,
        reason="Severe tobacco use disorder treated in the integrated plan",
    )
    nicotine.refresh_from_db()
    assert (nicotine.kind, nicotine.counts_toward_dual) == (SUD, True)
    assert nicotine.reclassified_by == case_manager and nicotine.reclassified_reason
    assert _dual(client)
    event = AuditEvent.objects.filter(object_id=str(nicotine.pk), action="update").latest("id")
    assert event.user == case_manager and event.detail["reclassified"] is True
    # A later change of the table leaves the clinician's classification alone.
    services.diagnosis_classification_refresh()
    nicotine.refresh_from_db()
    assert nicotine.counts_toward_dual
    # Back to the table, with a reason.
    services.diagnosis_reclassify(
        actor=case_manager, diagnosis=nicotine, kind=None, reason="Recorded in error"
    )
    nicotine.refresh_from_db()
    assert (nicotine.kind, nicotine.counts_toward_dual, nicotine.reclassified_at) == (
        SUD,
        False,
        None,
    )
    assert not _dual(client)


@pytest.mark.parametrize(
    ("kind", "counts", "reason", "field"),
    [
        (SUD, True, "", "reason"),
        (SUD, True, "   ", "reason"),
        (OTHER, True, "A reason", "counts_toward_dual"),
        (USE, True, "A reason", "counts_toward_dual"),
        ("schizophrenia", False, "A reason", "kind"),
        (SUD, False, "A reason", "kind"),  # no change: the table says so already
        (None, False, "A reason", "kind"),  # already follows the table
    ],
)
def test_a_bad_reclassification_is_refused_and_nothing_saved(
    case_manager, client_record, kind, counts, reason, field
):
    dx = _dx(case_manager, client_record, "F17.210")
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.diagnosis_reclassify(
            actor=case_manager, diagnosis=dx, kind=kind, counts_toward_dual=counts, reason=reason
        )
    assert field in refused.value.message_dict
    dx.refresh_from_db()
    assert (dx.kind, dx.counts_toward_dual, dx.reclassified_at) == (SUD, False, None)
    assert AuditEvent.objects.count() == events


def test_changing_the_table_reclassifies_diagnoses_and_clients(
    case_manager, team, program_admin, client
):
    """A program admin makes nicotine dependence count: clients become dual diagnosis."""
    person = ClientFactory(team=team)
    _dx(case_manager, person, "F33.1")
    _dx(case_manager, person, "F17.210")
    assert not _dual(person)
    row = DiagnosisCodeRange.objects.get(first_code="F17", last_code="F17")
    client.force_login(program_admin)
    url = reverse("admin:clients_diagnosiscoderange_change", args=[row.pk])
    response = client.post(
        url,
        {
            "first_code": "F17",
            "last_code": "F17",
            "kind": SUD,
            "counts_toward_dual": "on",
            "note": "Nicotine counts here",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:clients_diagnosiscoderange_changelist")
    assert _dual(person)


def test_the_table_refuses_counting_a_kind_that_cannot_count(program_admin, client):
    client.force_login(program_admin)
    response = client.post(
        reverse("admin:clients_diagnosiscoderange_add"),
        {"first_code": "Z00", "last_code": "Z99", "kind": OTHER, "counts_toward_dual": "on"},
    )
    assert response.status_code == 200
    assert not DiagnosisCodeRange.objects.filter(first_code="Z00").exists()


# ------------------------------------------------------------------ API and pages
def test_api_refuses_an_incomplete_code_naming_the_field(api_as, case_manager, client_record):
    response = api_as(case_manager).post(
        "/api/v1/diagnoses/", {"client": client_record.pk, "icd10_code": "F10.2"}, format="json"
    )
    assert response.status_code == 400
    assert "incomplete" in response.json()["icd10_code"][0]
    assert not Diagnosis.objects.filter(client=client_record).exists()


def test_api_reclassify_needs_a_reason(api_as, case_manager, client_record):
    dx = _dx(case_manager, client_record, "F17.210")
    api = api_as(case_manager)
    url = f"/api/v1/diagnoses/{dx.pk}/reclassify/"
    body = {"kind": SUD, "counts_toward_dual": True, "reason": ""}
    response = api.post(url, body, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    dx.refresh_from_db()
    assert not dx.counts_toward_dual
    response = api.post(url, {**body, "reason": "Treated as a disorder"}, format="json")
    assert response.status_code == 200
    assert response.json()["counts_toward_dual"] is True
    assert response.json()["reclassified_reason"] == "Treated as a disorder"


def test_outsider_cannot_reclassify(api_as, case_manager, outsider, client_record):
    dx = _dx(case_manager, client_record, "F17.210")
    response = api_as(outsider).post(
        f"/api/v1/diagnoses/{dx.pk}/reclassify/",
        {"kind": SUD, "counts_toward_dual": True, "reason": "x"},
        format="json",
    )
    assert response.status_code == 404


def test_page_shows_the_reason_next_to_the_code(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    url = reverse("clients:diagnoses", args=[client_record.pk])
    page = browser.post(url, {"icd10_code": "F10.2", "status": "active"}).text
    assert 'id="id_icd10_code_error"' in page and "is incomplete" in page
    assert 'value="F10.2"' in page  # nothing lost
    assert not client_record.diagnoses.exists()


def test_page_records_a_remission_code_in_remission_from_the_code(
    browser_as, case_manager, client_record
):
    """ICD-10-CM F10.21 "Alcohol dependence, in remission"; status left "From the code"."""
    browser = browser_as(case_manager)
    url = reverse("clients:diagnoses", args=[client_record.pk])
    assert browser.post(url, {"icd10_code": "F10.21", "status": ""}).status_code == 302
    assert client_record.diagnoses.get().status == DiagnosisStatus.IN_REMISSION
    page = browser.post(url, {"icd10_code": "F11.21", "status": "active"}).text
    assert 'id="id_status_error"' in page and "remission code" in page


def test_reclassify_page_needs_a_reason(browser_as, case_manager, client_record):
    dx = _dx(case_manager, client_record, "F17.210")
    browser = browser_as(case_manager)
    url = reverse("clients:diagnosis_reclassify", args=[client_record.pk, dx.pk])
    page = browser.get(url).text
    assert "Substance use disorder, does not count" in page
    page = browser.post(url, {"kind": SUD, "counts_toward_dual": "on", "reason": ""}).text
    assert 'id="id_reason_error"' in page
    dx.refresh_from_db()
    assert dx.reclassified_at is None
    response = browser.post(
        url, {"kind": SUD, "counts_toward_dual": "on", "reason": "Treated as a disorder"}
    )
    assert response.status_code == 302
    page = browser.get(reverse("clients:diagnoses", args=[client_record.pk])).text
    assert "Treated as a disorder" in page


def test_the_diagnoses_page_and_api_list_do_not_grow_with_diagnoses(
    browser_as, api_as, case_manager, client_record
):
    """No N+1: the same number of queries for 1 and for 12 diagnoses (one reclassified)."""
    codes = ["F33.1", "F41.1", "F10.20", "F11.20", "F12.20", "F14.20", "F17.210", "F20.9"]
    codes += ["F31.9", "F43.10", "F60.3", "F90.0"]
    browser, api = browser_as(case_manager), api_as(case_manager)
    page_url = reverse("clients:diagnoses", args=[client_record.pk])
    counts = []
    for batch in (codes[:1], codes[1:]):
        for code in batch:
            dx = _dx(case_manager, client_record, code)
        services.diagnosis_reclassify(
            actor=case_manager, diagnosis=dx, kind=OTHER, counts_toward_dual=False, reason="x"
        )
        with CaptureQueriesContext(connection) as page:
            assert browser.get(page_url).status_code == 200
        with CaptureQueriesContext(connection) as rows:
            response = api.get("/api/v1/diagnoses/", {"client": client_record.pk})
            assert response.status_code == 200
        counts.append((len(page), len(rows)))
    assert response.json()["count"] == 12
    assert counts[0] == counts[1]


def test_the_migration_spelling_of_the_rule_equals_the_services(case_manager, team):
    """The data migration (clients 0012) classifies and flags the diagnoses already on
    record with its own frozen copy of the table and of the SQL; on the same cases it
    gives what the services give."""
    import importlib

    from django.apps import apps

    from clients.models import Client

    seed = importlib.import_module("clients.migrations.0012_seed_diagnosis_code_ranges")
    cases = [
        ("F33.1", "F10.20"),
        ("F33.1", "F17.210"),
        ("F33.1", "F10.90"),
        ("F03.90", "F10.20"),
        ("F84.0", "F11.21"),
        ("F33.42", "F11.21"),
    ]
    people = []
    for codes in cases:
        person = ClientFactory(team=team)
        for code in codes:
            status = "in_remission" if code in ("F11.21", "F33.42") else "active"
            _dx(case_manager, person, code, status=status)
        people.append(person)
    by_services = {
        p.pk: (p.is_dual_diagnosis, sorted(p.diagnoses.values_list("kind", "counts_toward_dual")))
        for p in Client.objects.filter(pk__in=[p.pk for p in people])
    }
    assert [by_services[p.pk][0] for p in people] == [True, False, False, False, False, True]
    DiagnosisCodeRange.objects.all().delete()
    Diagnosis.objects.update(kind=OTHER, counts_toward_dual=False)
    Client.objects.update(is_dual_diagnosis=False)
    seed.seed(apps, None)
    by_migration = {
        p.pk: (p.is_dual_diagnosis, sorted(p.diagnoses.values_list("kind", "counts_toward_dual")))
        for p in Client.objects.filter(pk__in=[p.pk for p in people])
    }
    assert by_migration == by_services
