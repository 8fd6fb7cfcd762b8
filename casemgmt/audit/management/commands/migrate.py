"""``migrate`` as the database owner, then the app role's rights (``db_roles``).

The app's own role may not change the schema (casemgmt.lib.dbroles): every migrate, by
hand, from ``make run``, compose's ``migrate`` service or the test runner, connects as
``DATABASE_OWNER`` and ends by granting the app role its rights on what it created."""

from django.core.management.commands import migrate

from casemgmt.lib.dbroles import as_owner, roles_apply_default


class Command(migrate.Command):
    def handle(self, *args, **options):
        database = options["database"]
        with as_owner(database):
            super().handle(*args, **options)
            for line in roles_apply_default(database):
                if options["verbosity"] >= 2:
                    self.stdout.write(line)
