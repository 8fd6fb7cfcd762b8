"""Walk every URL pattern: an anonymous request must be refused.

Refused means a redirect to a login page, or 401/403. The allow-list is explicit and
short: login pages, logout, the API token exchange (a login by password), and the
liveness and readiness probes (tests/test_probes.py).
Static files are served by WhiteNoise middleware, not by URL patterns.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

ALLOWED = {
    "accounts:login",
    "accounts:logout",
    "admin:login",
    "admin:logout",
    "api-token",
    # The FHIR CapabilityStatement: public as FHIR clients expect; it holds no client data.
    "fhir:metadata",
    "healthz",
    "readyz",
    # The client portal (portal/): a client has no account. A page opens only for a
    # session holding a link whose token and date of birth were checked
    # (tests/portal/test_views.py); without one these answer "cannot be opened" (404).
    "portal:open",
    "portal:home",
    "portal:question",
    "portal:help",
    "portal:done",
    "portal:plan",
    "portal:plan_pdf",
    "portal:safety_pdf",
    "portal:language",
    "portal:leave",
    # A staff member's iCalendar feed: calendar apps cannot sign in; the secret token in
    # the URL is the key (a wrong or revoked one is 404), and it names no client.
    "scheduling:feed",
}

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")


def _route_sample(match):
    return {
        "int": "1",
        "uuid": "00000000-0000-0000-0000-000000000001",
        "drf_format_suffix": ".json",
    }.get(match.group("conv") or "str", "x")


def _regex_sample(match):
    body = match.group("body")
    if match.group("name") == "format":
        return "json"
    if re.fullmatch(r"[\w|]+", body):  # an alternation of literals: take the first
        return body.split("|")[0]
    if "\\d" in body or "0-9" in body:
        return "1"
    return "x"


def _to_path(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(_route_sample, str(pattern))
    assert isinstance(pattern, RegexPattern)
    text = _REGEX_GROUP.sub(_regex_sample, pattern.regex.pattern)
    text = text.lstrip("^").replace("\\Z", "").rstrip("$")
    return text.replace("/?", "/").replace("\\.", ".")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        path = prefix + _to_path(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from _walk(entry.url_patterns, path, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", "/" + path


ALL_URLS = sorted(set(_walk(get_resolver().url_patterns)))


def test_walk_finds_the_app_urls():
    names = {name for name, _ in ALL_URLS}
    assert {"clients:list", "clients:detail", "client-list", "client-detail", "audit:list"} <= names
    assert len(ALL_URLS) > 30  # admin + apps + api


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), ALL_URLS, ids=[f"{n}|{u}" for n, u in ALL_URLS])
def test_anonymous_request_is_refused(client, name, url):
    resolve(url)  # the generated sample URL really maps to a view
    if name in ALLOWED:
        return
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if response.status_code == 405:
            continue
        if response.status_code == 302:
            assert "login" in response.url, f"{method.upper()} {url} redirects to {response.url}"
        else:
            assert response.status_code in (401, 403), (
                f"{method.upper()} {url} answered {response.status_code} to an anonymous user"
            )
