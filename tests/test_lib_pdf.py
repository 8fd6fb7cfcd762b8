"""Issue 14, finding 4: every PDF renders through casemgmt.lib.pdf (fixed base URL, the
static-only fetcher), so no request's Host header makes the server connect anywhere."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from careplans import services as plan_services
from tests import pdf as pdfs
from tests.careplans.test_services import SAFETY

ROOT = Path(__file__).resolve().parent.parent


def test_only_the_shared_renderer_imports_weasyprint():
    imports = re.compile(r"^\s*(from|import) weasyprint", re.MULTILINE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if not {".venv", "tests", ".data"} & set(path.relative_to(ROOT).parts)
        and path != ROOT / "casemgmt" / "lib" / "pdf.py"
        and imports.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.django_db
def test_the_safety_plan_pdf_fetches_nothing_from_the_host_the_request_names(
    browser_as, case_manager, client_record
):
    plan_services.safety_plan_save(actor=case_manager, client=client_record, values=SAFETY)
    with pdfs.Listener() as listener:
        response = browser_as(case_manager).get(
            reverse("careplans:safety_plan_pdf", args=[client_record.pk]),
            HTTP_HOST=f"127.0.0.1:{listener.port}",
        )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert listener.connections == []
    assert "Walk the dog" in pdfs.text(response.content)


def test_the_fetcher_reads_an_apps_static_file_linked_from_the_base_and_nothing_else():
    from casemgmt.lib.pdf import StaticOnlyFetcher, static_base_url

    fetcher = StaticOnlyFetcher()
    assert b"@page" in fetcher.fetch(static_base_url() + "referrals/packet.css").read()
    for url in (
        static_base_url() + "referrals/../../pyproject.toml",
        static_base_url() + "nothing/here.css",
        "http://127.0.0.1:9/static/referrals/packet.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
