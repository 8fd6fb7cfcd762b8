"""Caseload page and API at realistic scale. See README.md beside this file."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchdb import use_bench_database  # noqa: E402

BENCH_DB = "casemgmt_bench"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="drop and re-seed the database")
    args = parser.parse_args()

    use_bench_database(BENCH_DB, fresh=args.fresh)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from casemgmt.accounts.models import User
    from clients.models import Client as ClientRecord
    from tests.two_factor import mark_verified

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", clients=args.clients)
    print(f"seed_demo --clients {args.clients}: {time.perf_counter() - started:.1f} s")
    from casemgmt.lib.dbroles import as_owner

    with as_owner(), connection.cursor() as cursor:  # only the owner may ANALYZE its tables
        cursor.execute("ANALYZE")

    sample = ClientRecord.objects.order_by("?").first()
    total = ClientRecord.objects.count()
    staff = User.objects.filter(primary_clients__isnull=False).first()
    print(f"{total} clients, {User.objects.count()} users\n")

    scenarios = {
        "casemanager": [
            ("page: my caseload", "/clients/?mine=true"),
            ("page: team clients, active", "/clients/?status=active"),
            ("page: search name", f"/clients/?q={sample.last_name[:4]}"),
            ("api: list", "/api/v1/clients/"),
        ],
        "supervisor": [
            ("page: team clients", "/clients/"),
            ("page: last page", "/clients/?page=last"),
        ],
        "admin": [
            ("page: all clients", "/clients/"),
            ("page: search name", f"/clients/?q={sample.last_name}"),
            ("page: search misspelt name", f"/clients/?q={sample.last_name[:-1]}e"),
            ("page: search first+last", f"/clients/?q={sample.first_name}+{sample.last_name}"),
            ("page: search number", f"/clients/?q={sample.client_number}"),
            ("page: search date of birth", f"/clients/?q={sample.date_of_birth:%Y-%m-%d}"),
            ("page: by case manager", f"/clients/?case_manager={staff.pk}"),
            ("page: client", f"/clients/{sample.pk}/"),
            ("page: dual diagnosis + flag", "/clients/?dual_diagnosis=true&risk_flag=suicide_risk"),
            ("api: client", f"/api/v1/clients/{sample.pk}/"),
            ("api: list page 100", "/api/v1/clients/?page=100"),
            ("api: search name", f"/api/v1/clients/?q={sample.last_name}"),
        ],
    }
    print(f"{'user':<12} {'request':<30} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for username, requests in scenarios.items():
        browser = Client()
        user = User.objects.get(username=username)
        browser.force_login(user)
        mark_verified(browser, user)  # an admin signs in with two factors
        for label, url in requests:
            browser.get(url)  # warm up
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                response = browser.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                browser.get(url)
            p95 = statistics.quantiles(times, n=20)[18]
            print(
                f"{username:<12} {label:<30} {statistics.median(times):>10.1f} {p95:>8.1f} "
                f"{len(queries.captured_queries):>8}"
            )


if __name__ == "__main__":
    main()
