"""End to end, as users feel it: gunicorn with production settings, logged-in sessions,
each main page driven for a fixed time at concurrency 1 and 8 by an asyncio httpx
client on the same machine (issue 20).

    .venv/bin/python tests/perf/bench_load.py                      # 50,000 clients, 30 s a page
    .venv/bin/python tests/perf/bench_load.py --duration 10 --concurrency 1
    .venv/bin/python tests/perf/bench_load.py --growth 5000        # and the 5k -> 50k ratios
    .venv/bin/python tests/perf/bench_load.py --worker-class gthread --threads 4

It seeds (``seed_demo``) or reuses the database of ``--clients`` clients (``casemgmt_bench``
for 50,000, shared with bench_caseload.py and bench_dashboard.py; ``casemgmt_bench_<N>``
otherwise), collects the static files, starts gunicorn on loopback with DEBUG off, the
real middleware stack and WhiteNoise, and signs in through the login page as the demo
case manager, supervisor and admin (the staff and admins with their authenticator code,
tests/two_factor.py). For each page it prints the load average first (the machine is
shared: figures follow it), then requests/s, p50/p95/p99 and errors at each
concurrency, next to the page's SQL alone (the SELECTs of one request of the same user
re-run on a cursor, median of several runs) and the floor (an authenticated POST that
only renews the session). The mixed run sends every page in turn from each of 8
connections. ``--json FILE`` keeps the figures; ``--compare FILE`` prints them beside an
earlier run's (before / after).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchdb import ROOT, use_bench_database  # noqa: E402

DEFAULT_CLIENTS = 50_000


@dataclass
class Page:
    key: str
    label: str
    user: str
    url: str
    method: str = "GET"


@dataclass
class Figures:
    key: str
    label: str
    concurrency: int
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    sql: float = 0.0
    queries: int = 0
    load: float = 0.0
    inproc: float = 0.0  # the request in the benchmark's process (median ms)
    template: float = 0.0  # of it, the template (median ms)
    template_queries: int = 0
    error_codes: dict[str, int] = field(default_factory=dict)


def database_name(clients: int) -> str:
    return "casemgmt_bench" if clients == DEFAULT_CLIENTS else f"casemgmt_bench_{clients}"


def percentile(values: list[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


# --------------------------------------------------------------------------- the data
def prepare_database(*, clients: int, fresh: bool) -> None:
    """Seed the benchmark database unless it already holds the demo logins and
    ``clients`` clients; ANALYZE after a seed."""
    use_bench_database(database_name(clients), fresh=fresh)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from casemgmt.accounts.models import User
    from casemgmt.lib.dbroles import as_owner
    from clients.models import Client

    call_command("migrate", verbosity=0)
    if User.objects.filter(username="admin").exists() and Client.objects.count() >= clients:
        print(f"reusing {connection.settings_dict['NAME']}: {Client.objects.count()} clients")
        return
    started = time.perf_counter()
    call_command("seed_demo", clients=clients)
    print(f"seed_demo --clients {clients}: {time.perf_counter() - started:.0f} s")
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def pick_pages() -> list[Page]:
    """The pages of issue 20, with a chart of one of the case manager's own clients and
    a common and a rare partial name in the case manager's team."""
    from django.db.models import Count
    from django.db.models.functions import Lower, Substr

    from careplans.models import CarePlan, PlanStatus
    from casemgmt.accounts.models import User
    from clients.models import Client

    casemanager = User.objects.get(username="casemanager")
    plan = (
        CarePlan.objects.filter(client__primary_case_manager=casemanager, status=PlanStatus.ACTIVE)
        .order_by("client_id")
        .first()
    )
    chart_id = (
        plan.client_id
        if plan
        else Client.objects.filter(primary_case_manager=casemanager)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    team = casemanager.teams.order_by("pk").first()
    prefixes = list(
        Client.objects.filter(team=team)
        .annotate(p=Lower(Substr("last_name", 1, 3)))
        .values("p")
        .annotate(n=Count("pk"))
        .order_by("n", "p")
        .values_list("p", "n")
    )
    rare = next((p for p, n in prefixes if n >= 1 and p.isalpha()), "zz")
    return [
        Page("today", "Today (case manager)", "casemanager", "/"),
        Page("caseload", "My caseload", "casemanager", "/clients/?mine=true"),
        Page("clients_all", "all clients (admin)", "admin", "/clients/"),
        Page("search_common", "search 'will' (case manager)", "casemanager", "/clients/?q=will"),
        Page("search_smi", "search 'smi' (case manager)", "casemanager", "/clients/?q=smi"),
        Page("search_rare", f"search '{rare}' (rare)", "casemanager", f"/clients/?q={quote(rare)}"),
        Page("measures_sup", "quality measures (supervisor)", "supervisor", "/dashboard/measures/"),
        Page("measures_admin", "quality measures (admin)", "admin", "/dashboard/measures/"),
        Page("team_sup", "team dashboard (supervisor)", "supervisor", "/dashboard/"),
        Page("team_admin", "team dashboard (admin)", "admin", "/dashboard/"),
        Page(
            "attention_sup", "needs attention (supervisor)", "supervisor", "/dashboard/attention/"
        ),
        Page("overview", "chart Overview", "casemanager", f"/clients/{chart_id}/"),
        Page("careplan", "chart care plan", "casemanager", f"/careplans/{chart_id}/"),
    ]


FLOOR = Page(
    "floor", "floor: authenticated keep-alive", "casemanager", "/drafts/keepalive/", "POST"
)


# ------------------------------------------------------------------------ the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(*, secret: str) -> dict[str, str]:
    """Production settings (casemgmt.settings, DEBUG off) on the benchmark database,
    reached through DATABASE_URL as in a deployment; plain HTTP on loopback."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    owner = settings.DATABASE_OWNER or db

    def url(entry: dict) -> str:
        password = f":{quote(entry['PASSWORD'])}" if entry.get("PASSWORD") else ""
        if db["HOST"].startswith("/"):  # a unix socket (the embedded server)
            where = f"/{db['NAME']}?host={quote(db['HOST'])}&port={db['PORT']}"
            return f"postgres://{entry['USER']}{password}@{where}"
        return f"postgres://{entry['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    # Not what casemgmt.settings_test put in this process's environment (no manifest,
    # static files from the finders, no caches): the server runs the deployed defaults.
    test_only = {
        "STATIC_MANIFEST",
        "WHITENOISE_USE_FINDERS",
        "EMAIL_URL",
        "MEASURES_CACHE_SECONDS",
        "UNREAD_COUNT_CACHE_SECONDS",
    }
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE")) and k not in test_only
    }
    env.update(
        DJANGO_SETTINGS_MODULE="casemgmt.settings",
        DEBUG="false",
        SECRET_KEY=secret,
        DATABASE_URL=url(db),
        DATABASE_OWNER_URL=url(owner),
        REDIS_URL=settings.REDIS_URL,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def collectstatic(env: dict[str, str]) -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(f"collectstatic (WhiteNoise, compressed manifest): {time.perf_counter() - started:.0f} s")


def start_gunicorn(env: dict[str, str], *, port: int, args: argparse.Namespace) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "casemgmt.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--log-level",
        "warning",
    ]
    log = open(Path(tempfile.gettempdir()) / f"bench_load_gunicorn_{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                print(
                    f"gunicorn: {args.workers} workers, {args.worker_class}, "
                    f"{args.threads} threads, on 127.0.0.1:{port} (log {log.name})"
                )
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {log.name}") from None
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start within 60 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# ------------------------------------------------------------------------- signing in
def login(base: str, username: str) -> dict[str, str]:
    """Sign in through the login page (password, then the authenticator code for a user
    with a device); the session's cookies."""
    import httpx
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from casemgmt.accounts.models import User
    from casemgmt.accounts.selectors import two_factor_required
    from dashboard.management.commands.seed_demo import DEMO_PASSWORD
    from tests.two_factor import totp_code

    user = User.objects.get(username=username)
    if two_factor_required(user=user):
        TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as http:
        page = http.get("/accounts/login/")
        response = http.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token.search(page.text).group(1),
                "username": username,
                "password": DEMO_PASSWORD,
            },
            headers={"Referer": f"{base}/accounts/login/"},
        )
        if response.headers.get("location", "").endswith("/accounts/login/verify/"):
            for steps_ahead in (0, 1, 2):  # a code is taken once per 30-second step
                device = TOTPDevice.objects.get(user=user, name="bench")
                form = http.get("/accounts/login/verify/")
                response = http.post(
                    "/accounts/login/verify/",
                    data={
                        "csrfmiddlewaretoken": token.search(form.text).group(1),
                        "code": totp_code(device, steps_ahead=steps_ahead),
                    },
                    headers={"Referer": f"{base}/accounts/login/verify/"},
                )
                if response.status_code == 302:
                    break
        if response.status_code != 302 or "sessionid" not in http.cookies:
            raise SystemExit(f"could not sign in as {username}: {response.status_code}")
        check = http.get("/")
        if check.status_code != 200:
            raise SystemExit(f"{username} signed in but / answers {check.status_code}")
        return dict(http.cookies.items())


# --------------------------------------------------------------------------- the SQL
@dataclass
class Inside:
    """One page measured inside this process: its SQL re-run alone, the request and its
    template rendering (which includes any query a template still runs lazily)."""

    sql: float  # ms, the page's SELECTs re-run on a cursor (median)
    queries: int
    request: float  # ms, the whole request in process (median)
    template: float  # ms, of it in the page's template (median)
    template_queries: int  # queries sent while the template rendered


def inside(page: Page, cookies: dict[str, str], *, runs: int) -> Inside:
    """``page`` requested in this process with the same session (its statements
    captured, then re-run alone on a cursor), and its template timed apart."""
    from django.db import connection
    from django.template.backends import django as backend
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    browser = Client(enforce_csrf_checks=False)
    for name, value in cookies.items():
        browser.cookies[name] = value
    call = browser.post if page.method == "POST" else browser.get
    call(page.url)
    with CaptureQueriesContext(connection) as captured:
        response = call(page.url)
    if response.status_code != 200:
        raise SystemExit(f"{page.url} as {page.user}: {response.status_code} in process")
    # Counted now: each later request in this process empties Django's query log.
    queries = len(captured.captured_queries)
    selects = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()
        times.append((time.perf_counter() - t0) * 1000)

    # The page's template (the backend's render: includes render inside it), timed.
    original = backend.Template.render
    state = {"depth": 0, "ms": 0.0, "queries": 0}

    def timed(self, context=None, request=None):
        state["depth"] += 1
        t0 = time.perf_counter()
        try:
            return original(self, context, request)
        finally:
            state["depth"] -= 1
            if not state["depth"]:
                state["ms"] += (time.perf_counter() - t0) * 1000

    def count(execute, sql, params, many, context):
        if state["depth"]:
            state["queries"] += 1
        return execute(sql, params, many, context)

    requests, templates = [], []
    backend.Template.render = timed  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(count):
            for _ in range(runs):
                state.update(ms=0.0, queries=0)
                t0 = time.perf_counter()
                call(page.url)
                requests.append((time.perf_counter() - t0) * 1000)
                templates.append(state["ms"])
    finally:
        backend.Template.render = original  # type: ignore[method-assign]
    return Inside(
        sql=statistics.median(times),
        queries=queries,
        request=statistics.median(requests),
        template=statistics.median(templates),
        template_queries=int(state["queries"]),
    )


# ---------------------------------------------------------------------------- the load
async def drive(
    base: str,
    pages: list[Page],
    sessions: dict[str, dict[str, str]],
    *,
    concurrency: int,
    seconds: float,
) -> tuple[list[float], dict[str, int], float]:
    """``concurrency`` connections, each sending the pages in turn (one page: the same
    page) until the time is up. (latencies ms of the 200s, errors by status, elapsed)."""
    import httpx

    def headers(page: Page) -> dict[str, str]:
        cookies = sessions[page.user]
        result = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if page.method == "POST":
            result["X-CSRFToken"] = cookies.get("csrftoken", "")
            result["Referer"] = f"{base}/"
        return result

    prepared = [(p.method, p.url, headers(p)) for p in pages]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        # Warm-up: every worker process sees each page once, not counted.
        await asyncio.gather(
            *(http.request(m, u, headers=h) for m, u, h in prepared for _ in range(2)),
            return_exceptions=True,  # a slow first page is not a failed run
        )
        start = time.perf_counter()
        deadline = start + seconds

        async def connection(offset: int) -> None:
            i = offset
            while time.perf_counter() < deadline:
                method, url, hdrs = prepared[i % len(prepared)]
                i += 1
                t0 = time.perf_counter()
                try:
                    response = await http.request(method, url, headers=hdrs)
                    status = response.status_code
                except httpx.HTTPError as error:
                    status = type(error).__name__
                elapsed = (time.perf_counter() - t0) * 1000
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors[str(status)] = errors.get(str(status), 0) + 1

        await asyncio.gather(*(connection(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - start
    return latencies, errors, elapsed


def measure(
    base: str,
    key: str,
    label: str,
    pages: list[Page],
    sessions: dict[str, dict[str, str]],
    *,
    concurrency: int,
    seconds: float,
) -> Figures:
    load = os.getloadavg()
    print(
        f"  load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} before {label} c={concurrency}"
    )
    latencies, errors, elapsed = asyncio.run(
        drive(base, pages, sessions, concurrency=concurrency, seconds=seconds)
    )
    n = len(latencies) + sum(errors.values())
    return Figures(
        key=key,
        label=label,
        concurrency=concurrency,
        requests=n,
        errors=sum(errors.values()),
        seconds=elapsed,
        rps=n / elapsed if elapsed else 0.0,
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        p99=percentile(latencies, 99),
        load=load[0],
        error_codes=errors,
    )


def print_table(results: list[Figures], floor: dict[int, Figures]) -> None:
    print(
        f"\n{'page':<34} {'c':>2} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'err':>4} "
        f"{'SQL ms':>7} {'p50/SQL':>7} {'queries':>7} {'tpl ms':>7} {'tpl q':>5} {'load':>5}"
    )
    for f in results:
        ratio = f"{f.p50 / f.sql:.1f}x" if f.sql else ""
        sql = f"{f.sql:.1f}" if f.sql else ""
        print(
            f"{f.label:<34} {f.concurrency:>2} {f.rps:>7.1f} {f.p50:>7.1f} {f.p95:>7.1f} "
            f"{f.p99:>7.1f} {f.errors:>4} {sql:>7} {ratio:>7} {f.queries or '':>7} "
            f"{f.template:>7.1f} {f.template_queries:>5} {f.load:>5.2f}"
        )
    for c, f in sorted(floor.items()):
        print(f"(floor at c={c}: {f.rps:.0f} req/s, p50 {f.p50:.1f} ms, p95 {f.p95:.1f} ms)")


def goals(results: list[Figures]) -> None:
    """Issue 20's goals: p95 < 150 ms at c=1 and within 2x of the SQL alone; mixed c=8
    at least 40 req/s with p95 < 500 ms."""
    missed = []
    for f in results:
        if f.key == "floor":
            continue
        if f.key == "mixed":
            if f.rps < 40 or f.p95 >= 500:
                missed.append(f"mixed c={f.concurrency}: {f.rps:.1f} req/s, p95 {f.p95:.0f} ms")
        elif f.concurrency == 1:
            if f.p95 >= 150:
                missed.append(f"{f.label}: p95 {f.p95:.0f} ms >= 150")
            if f.sql and f.p95 > 2 * f.sql:
                missed.append(f"{f.label}: p95 {f.p95:.0f} ms > 2 x SQL {f.sql:.0f} ms")
    print("\nGoals missed:" if missed else "\nEvery goal met.")
    for line in missed:
        print(f"  {line}")


def compare(results: list[Figures], earlier: list[dict], title: str) -> None:
    before = {(e["key"], e["concurrency"]): e for e in earlier}
    print(f"\n{title}")
    print(f"{'page':<34} {'c':>2} {'p50':>15} {'p95':>15} {'req/s':>13}")
    for f in results:
        e = before.get((f.key, f.concurrency))
        if not e:
            continue
        print(
            f"{f.label:<34} {f.concurrency:>2} {e['p50']:>6.1f} -> {f.p50:>5.1f} "
            f"{e['p95']:>6.1f} -> {f.p95:>5.1f} {e['rps']:>5.1f} -> {f.rps:>5.1f}"
        )


def run(args: argparse.Namespace) -> list[Figures]:
    prepare_database(clients=args.clients, fresh=args.fresh)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    # The in-process requests (SQL alone, template time) read the cache as the server does.
    settings.MEASURES_CACHE_SECONDS = int(os.environ.get("MEASURES_CACHE_SECONDS", 300))
    settings.UNREAD_COUNT_CACHE_SECONDS = int(os.environ.get("UNREAD_COUNT_CACHE_SECONDS", 300))
    pages = pick_pages()
    if args.pages:
        wanted = set(args.pages.split(","))
        pages = [p for p in pages if p.key in wanted]
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The server signs sessions with this process's key: the SQL of a page is captured
    # here with the server's own session cookie.
    env = server_environment(secret=settings.SECRET_KEY)
    if not args.no_collectstatic:
        collectstatic(env)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port=port, args=args)
    results: list[Figures] = []
    floor: dict[int, Figures] = {}
    try:
        sessions = {u: login(base, u) for u in sorted({p.user for p in [FLOOR, *pages]})}
        print(f"signed in: {', '.join(sessions)}; {args.duration:.0f} s per page and concurrency\n")
        for page in [] if args.mixed_only else [FLOOR, *pages]:
            within = inside(page, sessions[page.user], runs=args.sql_runs)
            for c in args.concurrency:
                f = measure(
                    base,
                    page.key,
                    page.label,
                    [page],
                    sessions,
                    concurrency=c,
                    seconds=args.duration,
                )
                f.sql = within.sql if page.key != "floor" else 0.0
                f.queries = within.queries
                f.inproc, f.template = within.request, within.template
                f.template_queries = within.template_queries
                results.append(f)
                if page.key == "floor":
                    floor[c] = f
                print(
                    f"    {page.label} c={c}: {f.rps:.1f} req/s, p50 {f.p50:.1f}, "
                    f"p95 {f.p95:.1f} ms, errors {f.errors}, SQL {within.sql:.1f} ms"
                )
        if (not args.pages or args.mixed_only) and args.mixed:
            for c in args.mixed:
                results.append(
                    measure(
                        base,
                        "mixed",
                        f"mixed: {len(pages)} pages in turn",
                        pages,
                        sessions,
                        concurrency=c,
                        seconds=args.duration,
                    )
                )
    finally:
        stop_gunicorn(server)
    print(f"\n{args.clients} clients, gunicorn {args.workers} x {args.worker_class}/{args.threads}")
    print_table(results, floor)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    parser.add_argument(
        "--duration", type=float, default=30, help="seconds per page and concurrency"
    )
    parser.add_argument("--concurrency", default="1,8", help="comma-separated, per page")
    parser.add_argument("--mixed", default="8", help="concurrency of the mixed run(s); '' none")
    parser.add_argument("--pages", default="", help="only these page keys (no mixed run)")
    parser.add_argument(
        "--mixed-only", action="store_true", help="only the mixed run (to compare servers)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--sql-runs", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="drop and seed the database again")
    parser.add_argument("--no-collectstatic", action="store_true")
    parser.add_argument("--growth", type=int, default=0, help="also run at this many clients (c=1)")
    parser.add_argument("--json", default="", help="write the figures here")
    parser.add_argument("--compare", default="", help="print beside the figures of this file")
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c]
    args.mixed = [int(c) for c in args.mixed.split(",") if c]

    small: list[dict] = []
    if args.growth:
        # The smaller database in a process of its own (Django settles on one database).
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            path = tmp.name
        command = [
            sys.executable,
            __file__,
            "--clients",
            str(args.growth),
            "--duration",
            str(args.duration),
            "--concurrency",
            "1",
            "--mixed",
            "",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--threads",
            str(args.threads),
            "--json",
            path,
        ]
        if args.pages:
            command += ["--pages", args.pages]
        if args.no_collectstatic:
            command.append("--no-collectstatic")
        command += ["--sql-runs", str(args.sql_runs)]
        subprocess.run(command, check=True)
        small = json.loads(Path(path).read_text())["results"]
        args.no_collectstatic = True  # done by the smaller run

    results = run(args)
    goals(results)
    if args.compare:
        earlier = json.loads(Path(args.compare).read_text())
        compare(results, earlier["results"], f"Beside {args.compare} ({earlier.get('note', '')})")
    if small:
        by_key = {(s["key"], s["concurrency"]): s for s in small}
        print(
            f"\nGrowth {args.growth} -> {args.clients} clients (c=1; > 1.5x is named in the note)"
        )
        print(f"{'page':<34} {'p50':>18} {'p95':>18} {'ratio p50':>9} {'queries':>9}")
        for f in results:
            s = by_key.get((f.key, 1))
            if f.concurrency != 1 or not s:
                continue
            ratio = f.p50 / s["p50"] if s["p50"] else 0.0
            flag = "  > 1.5x" if ratio > 1.5 else ""
            print(
                f"{f.label:<34} {s['p50']:>7.1f} -> {f.p50:>7.1f} {s['p95']:>7.1f} -> "
                f"{f.p95:>7.1f} {ratio:>8.2f}x {s['queries']:>4}/{f.queries:<4}{flag}"
            )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "note": f"{args.clients} clients, {time.strftime('%Y-%m-%d %H:%M')}",
                    "results": [asdict(f) for f in results],
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
