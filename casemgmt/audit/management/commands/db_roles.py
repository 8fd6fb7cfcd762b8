"""Give the app's database role its rights, as the owner (``migrate`` also does it).

Idempotent. ``-v 2`` says what was done. See casemgmt.lib.dbroles."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from casemgmt.lib.dbroles import RolesError, roles_apply_default, separated


class Command(BaseCommand):
    help = "Grant the app's database role its rights (owner connection; idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        if not separated(options["database"]):
            self.stdout.write("DATABASE_OWNER_URL is not set: the app connects as the owner.")
            return
        try:
            done = roles_apply_default(options["database"])
        except RolesError as e:
            raise CommandError(str(e)) from e
        if options["verbosity"] >= 2:
            for line in done:
                self.stdout.write(line)
