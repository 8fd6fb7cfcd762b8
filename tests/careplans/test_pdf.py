"""The PDF: client and clinical copies hold the client's goals and the safety plan; the
renderer reads only the project's static files; every print is audited."""

import subprocess
from pathlib import Path

import pytest

from careplans import services
from careplans.pdf import StaticOnlyFetcher, careplan_print, static_roots
from careplans.selectors import careplan_get
from casemgmt.audit.models import AuditEvent

from .conftest import approve
from .test_services import SAFETY

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parent.parent / "_artifacts"


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def to_png(pdf: bytes, name: str) -> list[Path]:
    """Render each page to PNG under tests/_artifacts/ (to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


@pytest.fixture
def printed_plan(integrated_draft, case_manager, supervisor):
    services.safety_plan_save(actor=case_manager, client=integrated_draft.client, values=SAFETY)
    plan = approve(integrated_draft, case_manager, supervisor)
    return careplan_get(client=plan.client, plan_id=plan.pk)


def test_client_copy_has_goals_in_client_words_and_the_safety_plan(
    printed_plan, case_manager, tmp_path
):
    pdf = careplan_print(actor=case_manager, plan=printed_plan, copy="client")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "My care plan" in text
    assert "Sleep through the night" in text and "Cut down to weekends only" in text
    assert "Weekly" in text  # who does what, how often
    assert "talking through what I want to change" in text  # plain words, not "MI"
    assert "next check-in" in text
    assert "988" in text and "Walk the dog" in text and "Sister Ana 555-0101" in text
    assert "My safety plan" in text
    assert "Me:" in text and "My case manager:" in text  # signature lines
    pages = to_png(pdf, "careplan-client-copy")
    assert pages
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "612 x 792 pts (letter)" in info


def test_clinical_copy_has_domains_stages_and_interventions(printed_plan, case_manager, tmp_path):
    pdf = careplan_print(actor=case_manager, plan=printed_plan, copy="clinical")
    text = pdf_text(pdf, tmp_path)
    assert "Integrated care plan" in text and "Substance use disorder" not in text
    assert "Motivational interviewing" in text and "Stage of change" in text
    assert "Safety plan (Stanley-Brown)" in text and "Pills kept by Ana" in text
    to_png(pdf, "careplan-clinical-copy")


def test_every_print_is_audited(printed_plan, case_manager):
    careplan_print(actor=case_manager, plan=printed_plan, copy="client")
    careplan_print(actor=case_manager, plan=printed_plan, copy="clinical")
    events = AuditEvent.objects.filter(action="print", object_id=str(printed_plan.pk))
    assert sorted(e.detail["copy"] for e in events) == ["client", "clinical"]


def test_the_fonts_are_embedded_from_the_project(printed_plan, case_manager, tmp_path):
    pdf = careplan_print(actor=case_manager, plan=printed_plan, copy="client")
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    # Only the project's font (named by its @font-face), embedded: no system fallback.
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert names == {"Plan-Sans", "Plan-Sans-Bold"}
    assert all(" yes " in line for line in fonts.splitlines()[2:])


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


def test_a4_paper_and_bad_copy(printed_plan, case_manager, tmp_path):
    from django.core.exceptions import ValidationError

    pdf = careplan_print(actor=case_manager, plan=printed_plan, copy="client", paper="a4")
    path = tmp_path / "a4.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info or "(A4)" in info
    with pytest.raises(ValidationError) as error:
        careplan_print(actor=case_manager, plan=printed_plan, copy="poster", paper="a3")
    assert set(error.value.message_dict) == {"copy", "paper"}


def test_safety_plan_prints_alone(browser_as, case_manager, client_record, tmp_path):
    from django.urls import reverse

    from careplans import services as plan_services

    plan_services.safety_plan_save(actor=case_manager, client=client_record, values=SAFETY)
    url = reverse("careplans:safety_plan_pdf", args=[client_record.pk])
    response = browser_as(case_manager).get(url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "My safety plan" in text and "988" in text and "Pills kept by Ana" in text
    to_png(response.content, "careplan-safety-plan-alone")
    assert AuditEvent.objects.filter(action="print", object_type="careplans.safetyplan").exists()
    assert browser_as(case_manager).get(url, {"version": 9}).status_code == 404


def test_outsider_cannot_print_the_safety_plan(browser_as, outsider, case_manager, client_record):
    from django.urls import reverse

    from careplans import services as plan_services

    plan_services.safety_plan_save(actor=case_manager, client=client_record, values=SAFETY)
    url = reverse("careplans:safety_plan_pdf", args=[client_record.pk])
    assert browser_as(outsider).get(url).status_code == 404
