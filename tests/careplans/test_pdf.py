"""The PDF: client and clinical copies hold the client's goals and the safety plan; the
renderer reads only the project's static files; every print is audited."""

from pathlib import Path

import pytest

from careplans import services
from careplans.pdf import careplan_print
from careplans.selectors import careplan_get
from casemgmt.audit.models import AuditEvent
from casemgmt.lib.pdf import StaticOnlyFetcher, static_roots
from tests import pdf as pdfs

from .conftest import approve
from .test_services import SAFETY

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parent.parent / "_artifacts"


LETTER = (612.0, 792.0)  # points
A4 = (595.28, 841.89)


def keep(pdf: bytes, name: str) -> Path:
    """Write the PDF under tests/_artifacts/ (to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    return path


@pytest.fixture
def printed_plan(integrated_draft, case_manager, supervisor):
    services.safety_plan_save(actor=case_manager, client=integrated_draft.client, values=SAFETY)
    plan = approve(integrated_draft, case_manager, supervisor)
    return careplan_get(client=plan.client, plan_id=plan.pk)


def test_client_copy_has_goals_in_client_words_and_the_safety_plan(printed_plan, case_manager):
    pdf = careplan_print(actor=case_manager, plan=printed_plan, copy="client")
    assert pdf.startswith(b"%PDF")
    text = pdfs.text(pdf)
    assert "My care plan" in text
    assert "Sleep through the night" in text and "Cut down to weekends only" in text
    assert "Weekly" in text  # who does what, how often
    assert "talking through what I want to change" in text  # plain words, not "MI"
    assert "next check-in" in text
    assert "988" in text and "Walk the dog" in text and "Sister Ana 555-0101" in text
    assert "My safety plan" in text
    assert "Me:" in text and "My case manager:" in text  # signature lines
    keep(pdf, "careplan-client-copy")
    sizes = pdfs.page_sizes(pdf)
    assert sizes and set(sizes) == {LETTER}


def test_clinical_copy_has_domains_stages_and_interventions(printed_plan, case_manager):
    pdf = careplan_print(actor=case_manager, plan=printed_plan, copy="clinical")
    text = pdfs.text(pdf)
    assert "Integrated care plan" in text and "Substance use disorder" not in text
    assert "Motivational interviewing" in text and "Stage of change" in text
    assert "Safety plan (Stanley-Brown)" in text and "Pills kept by Ana" in text
    keep(pdf, "careplan-clinical-copy")


def test_every_print_is_audited(printed_plan, case_manager):
    careplan_print(actor=case_manager, plan=printed_plan, copy="client")
    careplan_print(actor=case_manager, plan=printed_plan, copy="clinical")
    events = AuditEvent.objects.filter(action="print", object_id=str(printed_plan.pk))
    assert sorted(e.detail["copy"] for e in events) == ["client", "clinical"]


@pytest.mark.parametrize("copy", ["client", "clinical"])
def test_the_fonts_are_embedded_from_the_project(printed_plan, case_manager, copy):
    pdf = careplan_print(actor=case_manager, plan=printed_plan, copy=copy)
    fonts = pdfs.fonts(pdf)
    # Only the project's font (named by its @font-face), embedded: no system fallback.
    assert {font.name for font in fonts} == {"Plan-Sans", "Plan-Sans-Bold"}
    # Each one a subset of the TrueType file in static/fonts/, carried in the PDF.
    assert all(font.subset and font.program == "/FontFile2" for font in fonts), fonts


def test_the_fetcher_serves_static_files_only(tmp_path):
    fetcher = StaticOnlyFetcher()
    css = static_roots()[0] / "css" / "careplan-print.css"
    assert b"@font-face" in fetcher.fetch(css.as_uri()).read()
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    for url in (
        secret.as_uri(),
        "file:///etc/passwd",
        css.as_uri().replace("/css/careplan-print.css", "/../pyproject.toml"),
        "https://example.org/x.css",
        "http://169.254.169.254/latest/meta-data/",
        "data:text/css,body{}",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_a4_paper_and_bad_copy(printed_plan, case_manager):
    from django.core.exceptions import ValidationError

    pdf = careplan_print(actor=case_manager, plan=printed_plan, copy="client", paper="a4")
    sizes = pdfs.page_sizes(pdf)
    assert sizes and set(sizes) == {A4}
    with pytest.raises(ValidationError) as error:
        careplan_print(actor=case_manager, plan=printed_plan, copy="poster", paper="a3")
    assert set(error.value.message_dict) == {"copy", "paper"}


def test_safety_plan_prints_alone(browser_as, case_manager, client_record):
    from django.urls import reverse

    from careplans import services as plan_services

    plan_services.safety_plan_save(actor=case_manager, client=client_record, values=SAFETY)
    url = reverse("careplans:safety_plan_pdf", args=[client_record.pk])
    response = browser_as(case_manager).get(url)
    assert response["Content-Type"] == "application/pdf"
    text = pdfs.text(response.content)
    assert "My safety plan" in text and "988" in text and "Pills kept by Ana" in text
    keep(response.content, "careplan-safety-plan-alone")
    assert AuditEvent.objects.filter(action="print", object_type="careplans.safetyplan").exists()
    assert browser_as(case_manager).get(url, {"version": 9}).status_code == 404


def test_outsider_cannot_print_the_safety_plan(browser_as, outsider, case_manager, client_record):
    from django.urls import reverse

    from careplans import services as plan_services

    plan_services.safety_plan_save(actor=case_manager, client=client_record, values=SAFETY)
    url = reverse("careplans:safety_plan_pdf", args=[client_record.pk])
    assert browser_as(outsider).get(url).status_code == 404
