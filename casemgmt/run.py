"""``make run``: migrate, seed demo data on the first run, then serve web + worker + beat
and the HL7 ADT listener (MLLP).

``migrate`` connects as the database owner and ends by granting the app's own role its
rights (casemgmt.lib.dbroles); the seed, web, worker, beat and the ADT listener then
connect as that role.

Ctrl-C (or SIGTERM) stops them all. The embedded PostgreSQL and Redis keep running
between runs; ``make stop`` stops them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

ADDRESS = "127.0.0.1:8000"


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casemgmt.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command

    from casemgmt.accounts.models import User
    from dashboard.management.commands.seed_demo import DEMO_LOGINS, DEMO_PASSWORD

    call_command("migrate", interactive=False, verbosity=1)
    if not User.objects.filter(username=DEMO_LOGINS[0][0]).exists():
        print("First run: loading synthetic demo data ...")
        call_command("seed_demo")

    python = sys.executable
    commands = {
        "web": [python, "manage.py", "runserver", ADDRESS],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "casemgmt",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "2",
        ],
        "beat": [python, "-m", "celery", "-A", "casemgmt", "beat", "-l", "info"],
        # HL7 v2 ADT over MLLP on ADT_MLLP_HOST:ADT_MLLP_PORT (default 127.0.0.1:2575).
        "adt-listener": [python, "manage.py", "adt_listen"],
    }
    children = {
        name: subprocess.Popen(cmd, start_new_session=True) for name, cmd in commands.items()
    }

    print(f"\n  casemgmt is running at http://{ADDRESS}/")
    print(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role in DEMO_LOGINS:
        print(f"    {username:<14} {role}")
    from django.conf import settings

    print(f"  HL7 ADT (MLLP) listener on {settings.ADT_MLLP_HOST}:{settings.ADT_MLLP_PORT}")
    print("  Press Ctrl-C to stop web, worker, beat and the ADT listener.\n", flush=True)

    def stop(*_):
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        print("stopped web, worker, beat and the ADT listener", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with code {child.returncode}; stopping the others")
                stop()
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
