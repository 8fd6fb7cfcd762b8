"""The access matrix: every API operation (from the OpenAPI schema) and every page (from
the URLconf) against every persona, with canary content in team A's records.

Team A's clients carry a distinctive canary in their preferred name, notes, referral
reasons and follow-up titles. A case manager of team B, the auditor and a staff account
with no role request each operation and page with the ids of team A's records, and:

- no response to them contains the canary;
- none is a 5xx;
- an API operation on one of team A's records is 404 (403 where the role is refused).

Team A's own case manager requests the same and must see the canary somewhere (so the
matrix is not vacuous), and each GET it gets answers as the schema says. Operations and
pages are discovered, not listed: a new endpoint is in the matrix the day it is added.
"""

from __future__ import annotations

import re
import time
from collections import deque

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from werkzeug.test import Client as WSGIClient

from casemgmt.accounts.models import Role, Team, User
from casemgmt.api_router import router
from clients.models import Client, ContactNote
from referrals.models import FollowUp, Referral
from tests.api_harness import (
    InProcessWSGI,
    Tally,
    in_process,
    openapi_schema,
    operations,
    rolled_back,
    schema_errors,
    session_cookie,
)
from tests.factories import UserFactory

# The whole API against every persona: job 1 of CI and `make test` run it; job 2 (the
# system servers) leaves it out, as it tests the views, not the servers.
pytestmark = pytest.mark.fuzz

CANARY = "Zq7canaryXv"
OUT_OF_REACH = ("team_b", "auditor", "roleless")
PROJECT_APPS = {"clients", "assessments", "careplans", "referrals", "health", "notifications"}
# The readiness probe answers 503 while no Celery worker runs (tests/test_probes.py).
PROBES = ("/readyz/",)
_PARAM = re.compile(r"\{(\w+)\}")
_ROUTE_INT = re.compile(r"<int:(\w+)>")


@pytest.fixture
def world(db):
    """The demo seed (three teams, their clients and history), team A's records marked
    with the canary, and the personas."""
    call_command("seed_demo", clients=9, teams=3, verbosity=0)
    team_a, _b, team_c = Team.objects.order_by("pk")[:3]
    in_a = Client.objects.filter(team=team_a)
    in_a.update(preferred_name=CANARY)
    ContactNote.objects.filter(client__in=in_a).update(data=f"Seen at home. {CANARY}")
    Referral.objects.filter(client__in=in_a).update(reason=f"Housing. {CANARY}")
    FollowUp.objects.filter(client__in=in_a).update(title=f"Call {CANARY}")
    team_b = User.objects.filter(
        teams=team_c, groups__name=Role.CASE_MANAGER.value, supervised_teams=None
    ).first()
    assert team_b is not None
    personas = {
        "owner": User.objects.get(username="casemanager"),  # team A's case manager
        "team_b": team_b,
        "auditor": User.objects.get(username="auditor"),
        "roleless": UserFactory(username="roleless"),
    }
    return team_a, personas


def _path_to_client(model: type[models.Model]) -> str | None:
    """The lookup from ``model`` to its client (``plan__client``), following foreign keys."""
    seen, queue = {model}, deque([(model, "")])
    while queue:
        current, path = queue.popleft()
        if current is Client:
            return path.removesuffix("__")
        if path.count("__") >= 3:
            continue
        for field in current._meta.concrete_fields:
            target = field.related_model
            if field.is_relation and target is not None and target not in seen:
                seen.add(target)
                queue.append((target, f"{path}{field.name}__"))
    return None


def _ids_of_team(model, team, owner) -> list[int]:
    """Up to two records of ``model`` in team A (or, with no client, of A's case manager)."""
    path = _path_to_client(model)
    if path is not None:
        lookup = f"{path}__team" if path else "team"
        qs = model.objects.filter(**{lookup: team})
    elif any(f.name == "recipient" for f in model._meta.concrete_fields):
        qs = model.objects.filter(recipient=owner)
    else:
        return []
    return list(qs.order_by("pk").values_list("pk", flat=True)[:2])


def _model_of(prefix: str):
    for registered, viewset, _basename in router.registry:
        if registered == prefix:
            queryset = getattr(viewset, "queryset", None)
            if queryset is not None:
                return queryset.model
            serializer = getattr(viewset, "serializer_class", None)
            return getattr(getattr(serializer, "Meta", None), "model", None)
    return None


def _api_requests(schema, team, owner):
    """(method, url, is_team_a_record) for every operation: detail operations once per
    record of team A, lists once bare and once filtered to a team A client."""
    a_client = Client.objects.filter(team=team).order_by("pk").first()
    for method, path in operations(schema):
        params = _PARAM.findall(path)
        declared = {
            p["name"] for p in schema["paths"][path][method].get("parameters", []) if "name" in p
        }
        if not params:
            yield method, path, False
            if "client" in declared:
                yield method, f"{path}?client={a_client.pk}", False
            continue
        model = _model_of(path.removeprefix("/api/v1/").split("/")[0])
        ids = _ids_of_team(model, team, owner) if model is not None else []
        if params != ["id"] or not ids:  # instruments by code, the dashboard, requests
            yield method, _PARAM.sub(lambda m: "phq9" if m[1] == "code" else "1", path), False
            continue
        for pk in ids:
            yield method, path.replace("{id}", str(pk)), True


def _page_routes() -> list[str]:
    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if not route.startswith(("api/", "admin/")):
                    yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and "(?P" not in route:
                yield route

    return sorted(set(walk(get_resolver().url_patterns, "")))


def _page_ids(team, owner) -> list[int]:
    """One id of each kind of team A record, every kind: pages take them in any slot."""
    ids: set[int] = set()
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            ids.update(_ids_of_team(model, team, owner)[:1])
    return sorted(ids)


def _page_requests(team, owner):
    a_client = Client.objects.filter(team=team).order_by("pk").first()
    ids = _page_ids(team, owner)
    for route in _page_routes():
        names = _ROUTE_INT.findall(route)
        if not names:
            yield "get", "/" + route
            continue
        for pk in ids:
            # The first id is the client where the route names one, any record after it.
            first = (
                a_client.pk
                if names[0] in ("client_id", "pk") and route.startswith("clients/")
                else pk
            )
            values = iter([first, *[pk] * (len(names) - 1)])
            yield "get", "/" + _ROUTE_INT.sub(lambda _m, v=values: str(next(v)), route)


def _send(browser, method, url):
    with rolled_back():
        if method in ("post", "put", "patch"):
            return browser.open(url, method=method.upper(), json={})
        return browser.open(url, method=method.upper())


def test_no_persona_out_of_reach_sees_team_a(world, capsys):
    team, personas = world
    schema = openapi_schema()
    app = InProcessWSGI()
    api = list(_api_requests(schema, team, personas["owner"]))
    pages = list(_page_requests(team, personas["owner"]))
    tally, seen_by_owner = Tally(), 0
    started = time.monotonic()
    with in_process():
        for name, user in personas.items():
            browser = WSGIClient(app)
            for key, value in session_cookie(user).items():
                browser.set_cookie(key, value)
            for method, url, is_record in api:
                response = _send(browser, method, url)
                tally.requests += 1
                body = response.get_data().decode("utf-8", "replace")  # PDFs too
                status = response.status_code
                where = f"{name} {method.upper()} {url} {status}"
                if status >= 500:
                    tally.add("5xx", where)
                if name == "owner":
                    seen_by_owner += CANARY in body
                    if method == "get" and status == 200:
                        for error in schema_errors(method, url, response):
                            tally.add("schema", f"{where}: {error[:300]}")
                    continue
                if CANARY in body:
                    tally.add("leak", where)
                if is_record and status not in (403, 404, 405):
                    tally.add("reachable", where)
            for method, url in pages:
                response = _send(browser, method, url)
                tally.requests += 1
                body = response.get_data().decode("utf-8", "replace")  # PDFs too
                where = f"{name} page {url} {response.status_code}"
                if response.status_code >= 500 and not url.startswith(PROBES):
                    tally.add("5xx", where)
                if name == "owner":
                    seen_by_owner += CANARY in body
                elif CANARY in body:
                    tally.add("leak", where)
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(api)} API requests and {len(pages)} pages x "
            f"{len(personas)} personas = {tally.requests} requests, "
            f"{tally.count('leak')} leaks, {tally.count('5xx')} 5xx, "
            f"{tally.count('reachable')} out-of-reach records answered, "
            f"{tally.count('schema')} off-schema, owner saw the canary "
            f"{seen_by_owner} times, {time.monotonic() - started:.0f} s"
        )
        for kind, texts in tally.problems.items():
            for text in texts[:15]:
                print(f"  [{kind}] {text[:300]}")
    assert seen_by_owner > 20, "the owner should see team A's canary: the matrix is vacuous"
    assert not tally.problems, {k: v[:10] for k, v in tally.problems.items()}
