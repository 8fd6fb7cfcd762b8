"""Team dashboard, quality measures and Today page at 50,000 clients with history
(about 500,000 follow-ups). Prints median and 95th percentile server time of each page
next to the time of its SQL alone (the same statements re-run on a cursor) and the
median CPU time of the web process itself (Python and templates, not PostgreSQL's): on
a shared machine the wall times follow the load, the CPU time much less.

    .venv/bin/python tests/perf/bench_dashboard.py --clients 50000 --fresh
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchdb import use_bench_database  # noqa: E402

BENCH_DB = "casemgmt_bench"  # shared with bench_caseload.py


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fresh", action="store_true")
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
    from referrals.models import FollowUp
    from tests.two_factor import mark_verified

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", clients=args.clients)
    print(f"seed_demo --clients {args.clients}: {time.perf_counter() - started:.1f} s")
    from casemgmt.lib.dbroles import as_owner

    with as_owner(), connection.cursor() as cursor:  # only the owner may ANALYZE its tables
        cursor.execute("ANALYZE")
    print(
        f"{ClientRecord.objects.count()} clients, {FollowUp.objects.count()} follow-ups, "
        f"{User.objects.count()} users\n"
    )

    # As casemgmt/wsgi.py does in the server: objects alive after start-up leave the
    # garbage collector's reach, so full collections do not re-scan them on each page.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    gc.freeze()
    print("gc.freeze() after start-up, as casemgmt/wsgi.py does\n")

    pages = [
        ("supervisor", "team dashboard", "/dashboard/"),
        ("admin", "team dashboard (all 20 teams)", "/dashboard/"),
        ("supervisor", "quality measures", "/dashboard/measures/"),
        ("admin", "quality measures (all teams)", "/dashboard/measures/"),
        ("casemanager", "Today", "/"),
        ("supervisor", "drill-down: overdue", "/dashboard/clients/?metric=overdue_followups"),
    ]
    print(
        f"{'user':<12} {'page':<32} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>8} "
        f"{'CPU ms':>8} {'queries':>8}"
    )
    for username, label, url in pages:
        browser = Client()
        user = User.objects.get(username=username)
        browser.force_login(user)
        mark_verified(browser, user)  # an admin signs in with two factors
        browser.get(url)
        times, cpu_times = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            response = browser.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            cpu_times.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            browser.get(url)
        sql_times = []
        for _ in range(max(5, args.repeat // 2)):
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                for q in queries.captured_queries:
                    if q["sql"].lstrip().upper().startswith("SELECT"):
                        cursor.execute(q["sql"])
                        cursor.fetchall()
            sql_times.append((time.perf_counter() - t0) * 1000)
        p95 = statistics.quantiles(times, n=20)[18]
        print(
            f"{username:<12} {label:<32} {statistics.median(times):>10.1f} {p95:>8.1f} "
            f"{statistics.median(sql_times):>8.1f} {statistics.median(cpu_times):>8.1f} "
            f"{len(queries.captured_queries):>8}"
        )


if __name__ == "__main__":
    main()
