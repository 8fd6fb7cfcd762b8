import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand

from interop.mllp import serve


class Command(BaseCommand):
    help = "Listen for HL7 v2 ADT messages over MLLP (ADT_MLLP_HOST:ADT_MLLP_PORT)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=None, help="default: ADT_MLLP_HOST")
        parser.add_argument("--port", type=int, default=None, help="default: ADT_MLLP_PORT")

    def handle(self, *args, host=None, port=None, **options):
        def ready(bound: int) -> None:
            self.stdout.write(
                f"ADT MLLP listener on {host or settings.ADT_MLLP_HOST}:{bound}", ending="\n"
            )
            self.stdout.flush()

        try:
            asyncio.run(serve(host, port, ready=ready))
        except KeyboardInterrupt:
            pass
