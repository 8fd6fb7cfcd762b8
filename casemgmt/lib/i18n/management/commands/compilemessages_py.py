"""``manage.py compilemessages_py``: compile every ``.po`` of the project to its ``.mo``
with polib (no GNU gettext needed); ``--check`` only reports stale ``.mo`` files and
exits non-zero when one is (for CI)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casemgmt.lib.i18n.catalogs import catalog_check, catalog_compile, po_files


class Command(BaseCommand):
    help = "Compile the project's .po catalogues to .mo with polib (no GNU msgfmt needed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only check that every .mo matches its .po."
        )

    def handle(self, *args, check: bool = False, **options):
        base = Path(settings.BASE_DIR).resolve()
        files = po_files()
        if not files:
            self.stdout.write("No .po files found.")
            return
        stale = []
        for po in files:
            name = po.relative_to(base) if po.is_relative_to(base) else po
            state = catalog_check(po)
            if check:
                if not state.ok:
                    stale.append(f"{name}: {state.problem}")
                continue
            if state.ok:
                self.stdout.write(f"{name}: up to date")
            else:
                catalog_compile(po)
                self.stdout.write(f"{name}: compiled")
        if stale:
            raise CommandError("\n".join(stale))
        if check:
            self.stdout.write(f"{len(files)} catalogue(s) up to date.")
