"""The translation catalogues: finding them, compiling them without GNU gettext, and
checking that each committed ``.mo`` says what its ``.po`` says.

A fresh machine has no ``msgfmt`` (Django's ``compilemessages`` needs it), so the
``.po`` files are compiled with ``polib`` (``manage.py compilemessages_py``) and the
``.mo`` files are committed next to them. As ``msgfmt`` does, fuzzy and untranslated
entries are left out of the ``.mo`` (gettext then shows the English text).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings

Key = tuple[str, str, str]  # (msgctxt, msgid, msgid_plural)


def locale_dirs() -> list[Path]:
    """Every ``locale`` directory Django reads: ``LOCALE_PATHS``, then each installed
    app's ``locale/`` (the project's own apps only; Django's and libraries' ship
    compiled catalogues)."""
    base = Path(settings.BASE_DIR).resolve()
    found = [Path(p).resolve() for p in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        path = Path(config.path).resolve() / "locale"
        if path.is_relative_to(base) and ".venv" not in path.parts and path not in found:
            found.append(path)
    return [p for p in found if p.is_dir()]


def po_files() -> list[Path]:
    """Every ``<locale dir>/<lang>/LC_MESSAGES/*.po`` of the project, sorted."""
    return sorted(po for d in locale_dirs() for po in d.glob("*/LC_MESSAGES/*.po"))


def _key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _value(entry: polib.POEntry | polib.MOEntry) -> str | tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural))
    return entry.msgstr


def po_messages(po: polib.POFile) -> dict[Key, str | tuple[str, ...]]:
    """What a compiled catalogue must hold: the translated, non-fuzzy entries."""
    return {_key(e): _value(e) for e in po.translated_entries() if e.msgid}


def mo_messages(path: Path) -> dict[Key, str | tuple[str, ...]]:
    return {_key(e): _value(e) for e in polib.mofile(str(path)) if e.msgid}


@dataclass(frozen=True)
class CatalogState:
    po: Path
    mo: Path
    problem: str  # "" when the .mo matches the .po

    @property
    def ok(self) -> bool:
        return not self.problem


def catalog_check(po_path: Path) -> CatalogState:
    """Does the ``.mo`` next to ``po_path`` hold exactly the ``.po``'s translations?"""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return CatalogState(po_path, mo_path, "no .mo: run manage.py compilemessages_py")
    po = polib.pofile(str(po_path))
    want, have = po_messages(po), mo_messages(mo_path)
    if want != have:
        missing = sorted(k[1] for k in want.keys() - have.keys())
        extra = sorted(k[1] for k in have.keys() - want.keys())
        changed = sorted(k[1] for k in want.keys() & have.keys() if want[k] != have[k])
        parts = [
            f"{label}: {', '.join(repr(m[:40]) for m in msgs[:3])}"
            for label, msgs in (("missing", missing), ("not in .po", extra), ("changed", changed))
            if msgs
        ]
        return CatalogState(po_path, mo_path, "stale .mo (" + "; ".join(parts) + ")")
    return CatalogState(po_path, mo_path, "")


def catalog_compile(po_path: Path) -> Path:
    """Write the ``.mo`` next to ``po_path`` (polib; fuzzy entries left out)."""
    mo_path = po_path.with_suffix(".mo")
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return mo_path
