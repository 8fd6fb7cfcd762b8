"""Schemathesis over the whole OpenAPI schema, in-process: no 5xx, and every response is
what the schema says (body and status code), for four personas.

Cases come from the schema itself, so a new endpoint is fuzzed without being listed. The
data is the demo seed (a few clients with their history) and path ids are drawn half of
the time from the ids that exist, so detail endpoints answer with real objects and not
only 404. The run inside ``make test`` takes ``FUZZ_EXAMPLES`` (default 2) examples per
operation and persona, positive and negative, derandomized; ``make fuzz`` takes many more.
The figures (operations, cases, 5xx, schema violations) are printed at the end.
"""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from django.apps import apps
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from casemgmt.accounts.models import User
from tests.api_harness import (
    InProcessWSGI,
    Tally,
    in_process,
    openapi_schema,
    rolled_back,
    session_cookie,
)
from tests.factories import UserFactory

# The whole API against every persona: job 1 of CI and `make test` run it; job 2 (the
# system servers) leaves it out, as it tests the views, not the servers.
pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
PROJECT_APPS = {"clients", "assessments", "careplans", "referrals", "health", "notifications"}
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
PERSONAS = ("casemanager", "supervisor", "auditor", "roleless")


@pytest.fixture
def personas(db):
    call_command("seed_demo", clients=6, teams=3, verbosity=0)
    users = {name: User.objects.get(username=name) for name in PERSONAS[:3]}
    users["roleless"] = UserFactory(username="roleless")
    return users


def _existing_ids() -> list[int]:
    ids: set[int] = set()
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            ids.update(model.objects.order_by("pk").values_list("pk", flat=True)[:25])
    return sorted(i for i in ids if isinstance(i, int))


def _label(case) -> str:
    return f"{case.operation.method.upper()} {case.operation.path}"


def _brief(exc: BaseException) -> str:
    failures = getattr(exc, "exceptions", None) or [exc]
    return " | ".join(
        f"{getattr(f, 'title', type(f).__name__)}: {getattr(f, 'message', str(f))}"[:300]
        for f in failures
    ).replace("\n", " ")


def _run(schema, cookie: dict[str, str], ids: list[int], tally: Tally, modes) -> None:
    app = InProcessWSGI()
    real_id = st.sampled_from(ids) if ids else st.nothing()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy, use_real=st.booleans(), pick=real_id)
            def fuzz(case, use_real, pick):
                if use_real and case.path_parameters:
                    for name, value in case.path_parameters.items():
                        if isinstance(value, int):
                            case.path_parameters[name] = pick
                tally.requests += 1
                with rolled_back():
                    response = case.call(app=app, cookies=cookie)
                if response.status_code >= 500:
                    tally.add(
                        "5xx", f"{_label(case)} {response.status_code} {case.as_curl_command()}"
                    )
                try:
                    case.validate_response(response, checks=CHECKS[1:])
                except (Exception, BaseExceptionGroup) as exc:  # every failure is counted
                    for failure in getattr(exc, "exceptions", None) or [exc]:
                        kind = "status" if isinstance(failure, UndefinedStatusCode) else "schema"
                        where = f"{_label(case)} {response.status_code}"
                        tally.add(
                            kind, f"{where}: {_brief(failure)}" if kind == "schema" else where
                        )

            try:
                fuzz()
            except Unsatisfiable:
                pass  # nothing to make invalid (no parameters, no body): positive only


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_operation_is_a_5xx_or_off_schema(personas, persona, capsys):
    schema = schemathesis.openapi.from_dict(openapi_schema())
    ids = _existing_ids()
    tally = Tally()
    started = time.monotonic()
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    with in_process():
        _run(schema, session_cookie(personas[persona]), ids, tally, modes)
    operations = sum(1 for _ in schema.get_all_operations())
    with capsys.disabled():
        print(
            f"\nschemathesis {persona}: {operations} operations, {tally.requests} cases, "
            f"{tally.count('5xx')} 5xx, {tally.count('schema')} schema violations, "
            f"{tally.count('status')} undocumented status codes, "
            f"{time.monotonic() - started:.0f} s"
        )
        for kind, texts in tally.problems.items():
            for text in sorted(set(texts)):
                print(f"  [{kind}] {text[:400]}")
    assert not tally.problems.get("5xx"), tally.problems["5xx"][:20]
    assert not tally.problems.get("schema"), tally.problems["schema"][:20]
    assert not tally.problems.get("status"), tally.problems["status"][:20]
