"""Compile the portal's gettext catalogues (.po -> .mo) with polib: no GNU gettext
(msgfmt) needed on a fresh machine. ``--check`` fails when a committed .mo is not what
its .po compiles to."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def compiled(po_path: Path) -> bytes:
    import tempfile

    import polib  # type: ignore[import-untyped]  # polib ships no type hints

    catalogue = polib.pofile(str(po_path))
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "django.mo"
        catalogue.save_as_mofile(str(target))
        return target.read_bytes()


class Command(BaseCommand):
    help = "Compile portal/locale/*/LC_MESSAGES/django.po to .mo with polib."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only compare, write nothing.")

    def handle(self, *args, check: bool = False, **options):
        stale = []
        for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
            mo_path = po_path.with_suffix(".mo")
            data = compiled(po_path)
            if check:
                if not mo_path.exists() or mo_path.read_bytes() != data:
                    stale.append(str(mo_path))
                continue
            mo_path.write_bytes(data)
            self.stdout.write(f"compiled {mo_path}")
        if stale:
            raise CommandError("Not compiled from their .po: " + ", ".join(stale))
