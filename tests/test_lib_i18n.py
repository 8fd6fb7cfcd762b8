"""casemgmt.lib.i18n: the client's language, rendering in it, and the catalogues (every
committed .mo says what its .po says; compiled without GNU gettext)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template import Context, Template
from django.utils import formats, translation

from casemgmt.lib.i18n import (
    client_language,
    language_choices,
    language_from,
    render_in,
    supported_language,
)
from casemgmt.lib.i18n.catalogs import catalog_check, catalog_compile, po_files


@pytest.mark.parametrize(
    "typed, code",
    [
        ("Spanish", "es"),
        ("spanish", "es"),
        ("Español", "es"),
        ("espanol", "es"),
        ("ESPAÑOL", "es"),
        ("es", "es"),
        ("es-MX", "es"),
        ("es_US", "es"),
        ("spa", "es"),
        ("Spanish (Mexico)", "es"),
        ("Castellano", "es"),
        ("English", "en"),
        ("en-US", "en"),
        ("", "en"),
        (None, "en"),
        ("Vietnamese", "en"),  # not supported (yet): English
        ("Portuguese", "en"),
        ("Esperanto", "en"),  # starts like "es" but is not Spanish
    ],
)
def test_preferred_language_maps_to_a_supported_one(typed, code):
    assert supported_language(typed) == code


def test_client_language_reads_preferred_language():
    class Client:
        preferred_language = "Español"

    assert client_language(Client()) == "es"
    assert client_language(object()) == "en"


def test_language_from_a_page_choice():
    assert language_from("es", default="en") == "es"
    assert language_from("ES", default="en") == "es"
    assert language_from("fr", default="es") == "es"
    assert language_from(None, default="es") == "es"


def test_render_in_switches_and_restores():
    assert translation.get_language() == "en-us"
    with render_in("es") as used:
        assert used == "es" and translation.get_language() == "es"
        with render_in("xx") as fallback:
            assert fallback == "en"
        assert translation.get_language() == "es"
    assert translation.get_language() == "en-us"


def test_dates_and_numbers_follow_the_active_language():
    day = date(2026, 12, 2)
    template = Template('{% load l10n %}{{ day|date:_("M j, Y") }} · {{ day|date }} · {{ n }}')
    context = Context({"day": day, "n": 1234.5})
    english = template.render(context)
    with render_in("es"):
        spanish = template.render(context)
        assert formats.number_format(1234.5, 1) == "1234,5"
    assert english == "Dec 2, 2026 · Dec. 2, 2026 · 1234.5"
    assert spanish == "2 de diciembre de 2026 · 2 de diciembre de 2026 · 1234,5"


def test_language_switch_names_each_language_in_itself():
    choices = language_choices(selected="es", preferred="es")
    assert [(c.code, c.name, c.selected, c.preferred) for c in choices] == [
        ("en", "English", False, False),
        ("es", "Español", True, True),
    ]


def test_staff_pages_stay_english_whatever_the_browser_asks(browser_as, case_manager):
    page = browser_as(case_manager).get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert page.status_code == 200
    assert '<html lang="en">' in page.content.decode()
    assert page.headers.get("Content-Language") in (None, "en", "en-us")


# --------------------------------------------------------------------------- catalogues
def test_there_is_a_spanish_catalogue():
    assert any(po.parts[-3] == "es" for po in po_files())


@pytest.mark.parametrize("po", po_files(), ids=lambda p: "/".join(p.parts[-5:]))
def test_every_committed_mo_matches_its_po(po):
    state = catalog_check(po)
    assert state.ok, f"{po}: {state.problem} (run manage.py compilemessages_py)"


@pytest.mark.parametrize("po", po_files(), ids=lambda p: "/".join(p.parts[-5:]))
def test_catalogue_placeholders_match(po):
    """A translation keeps every %(name)s of its English (else the page raises)."""
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    for entry in polib.pofile(str(po)).translated_entries():
        assert sorted(placeholder.findall(entry.msgstr)) == sorted(
            placeholder.findall(entry.msgid)
        ), entry.msgid


def _copy_catalogue(tmp_path: Path) -> Path:
    source = next(po for po in po_files() if po.parts[-3] == "es")
    target = tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po"
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    shutil.copy(source.with_suffix(".mo"), target.with_suffix(".mo"))
    return target


def test_a_changed_po_makes_its_mo_stale_until_compiled(tmp_path):
    po_path = _copy_catalogue(tmp_path)
    assert catalog_check(po_path).ok
    po = polib.pofile(str(po_path))
    entry = po.find("My goals")
    assert entry is not None
    entry.msgstr = "Mis objetivos"
    po.save(str(po_path))
    state = catalog_check(po_path)
    assert not state.ok and "changed" in state.problem and "My goals" in state.problem
    catalog_compile(po_path)
    assert catalog_check(po_path).ok
    assert polib.mofile(str(po_path.with_suffix(".mo"))).find("My goals").msgstr == "Mis objetivos"


def test_fuzzy_entries_stay_out_of_the_mo(tmp_path):
    po_path = _copy_catalogue(tmp_path)
    po = polib.pofile(str(po_path))
    entry = po.find("My goals")
    entry.flags.append("fuzzy")
    po.save(str(po_path))
    catalog_compile(po_path)
    assert polib.mofile(str(po_path.with_suffix(".mo"))).find("My goals") is None


def test_compilemessages_py_check_fails_on_a_stale_mo(tmp_path, settings, capsys):
    po_path = _copy_catalogue(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    po_path.with_suffix(".mo").unlink()
    po = polib.pofile(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))  # same content: up to date
    call_command("compilemessages_py", "--check")
    entry = po.find("My goals")
    entry.msgstr = "Mis objetivos"
    po.save(str(po_path))
    with pytest.raises(CommandError, match="stale"):
        call_command("compilemessages_py", "--check")
    call_command("compilemessages_py")
    call_command("compilemessages_py", "--check")
    assert "up to date" in capsys.readouterr().out
