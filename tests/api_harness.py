"""The whole API in-process, as a server runs it: the OpenAPI schema, a WSGI app and personas.

Shared by the schemathesis run (tests/test_schemathesis.py, ``make fuzz``) and the access
matrix (tests/test_access_matrix.py). Requests go through Django's real WSGI handler and
every middleware, signed in by a session cookie, inside the test's transaction: each one
is rolled back to a savepoint afterwards, so a request that breaks the transaction (a
``DataError`` 500) cannot spoil the next, and the data stays what the test set up.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client as DjangoClient
from drf_spectacular.generators import SchemaGenerator
from werkzeug.test import Client as WSGIClient

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


class InProcessWSGI(WSGIHandler):
    """Django's WSGI handler as the test client runs it: CSRF is the test client's
    business (tests/accounts covers it); everything else is as deployed."""

    def get_response(self, request):
        request._dont_enforce_csrf_checks = True
        return super().get_response(request)


@contextlib.contextmanager
def in_process() -> Iterator[None]:
    """Keep the test's connection across requests (the real handler closes it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Whatever the request did, undo it: a savepoint rolled back on the way out."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def openapi_schema() -> dict:
    """The schema as ``/api/schema/`` serves it (generated directly: no request needed)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict) -> list[tuple[str, str]]:
    """Every (method, path) of the schema."""
    return [
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]


def session_cookie(user) -> dict[str, str]:
    """The cookie that signs ``user`` in, as a browser or API client would."""
    browser = DjangoClient()
    browser.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {name: browser.cookies[name].value}


@dataclass
class Tally:
    """Figures of a run: requests, and what went wrong, by kind."""

    requests: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, text: str) -> None:
        self.problems.setdefault(kind, []).append(text)

    def count(self, kind: str) -> int:
        return len(self.problems.get(kind, []))


@functools.cache
def validator():
    """The schema, loaded by schemathesis once per run (for checking responses)."""
    import schemathesis

    return schemathesis.openapi.from_dict(openapi_schema())


def schema_errors(method: str, url: str, response) -> list[str]:
    """How ``response`` (werkzeug's, to ``method url``) differs from what the schema says."""
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema = validator()
    path = url.split("?")[0]
    for template, item in schema.raw_schema["paths"].items():
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        match = re.fullmatch(pattern, path)
        if match and method in item:
            operation = schema[template][method.upper()]
            case = operation.Case(path_parameters=match.groupdict())
            try:
                case.validate_response(response, checks=[response_schema_conformance])
            except (Exception, BaseExceptionGroup) as exc:
                return [str(exc).replace("\n", " ")[:600]]
            return []
    return [f"{method.upper()} {path} is not in the schema"]


def get_as(user, url: str):
    """``GET url`` as ``user`` through the real WSGI handler (werkzeug's response)."""
    browser = WSGIClient(InProcessWSGI())
    for key, value in session_cookie(user).items():
        browser.set_cookie(key, value)
    with in_process():
        return browser.get(url)
