"""``flush`` as the database owner: the app role may not TRUNCATE (the audit trail above
all), so emptying the database (the test suite's transactional tests) is the owner's."""

from django.core.management.commands import flush

from casemgmt.lib.dbroles import as_owner


class Command(flush.Command):
    def handle(self, **options):
        with as_owner(options["database"]):
            return super().handle(**options)
