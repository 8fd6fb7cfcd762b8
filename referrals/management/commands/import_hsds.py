from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from referrals.services.hsds import hsds_files_read, hsds_import


class Command(BaseCommand):
    help = (
        "Import the resource directory from Open Referral HSDS 3.0 CSV files in a folder "
        "(organizations.csv, services.csv, locations.csv, addresses.csv, phones.csv, ...; "
        "see referrals.services.hsds). A dry run unless --commit is given; the real import "
        "is all-or-nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--commit", action="store_true", help="save (default: dry run)")

    def handle(self, *args, folder, commit, **options):
        root = Path(folder)
        files = hsds_files_read(root)
        try:
            report = hsds_import(files=files, dry_run=not commit)
        except ValidationError as error:
            raise CommandError(
                "Nothing imported:\n" + "\n".join(error.message_dict["files"])
            ) from None
        for row in report.errors:
            self.stdout.write(str(row))
        if report.errors:
            raise CommandError(f"{len(report.errors)} bad row(s); nothing imported.")
        verb = "Imported" if report.saved else "Dry run OK:"
        self.stdout.write(
            f"{verb} {report.organizations} organisation(s), {report.services} service(s)."
        )
