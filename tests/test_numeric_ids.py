"""Non-numeric and out-of-range ids are 404 in the API and in the browser, never 500."""

import pytest

from casemgmt.api_router import router


def test_non_numeric_ids_are_404(api_500, case_manager):
    api = api_500(case_manager)
    assert api.get("/api/v1/follow-ups/abc/").status_code == 404
    assert api.get("/api/v1/referrals/1e5/").status_code == 404


def _detail_prefixes():
    return sorted(prefix for prefix, _viewset, _basename in router.registry)


@pytest.mark.parametrize("prefix", _detail_prefixes())
@pytest.mark.parametrize("pk", ["abc", "1e5", "-1", "99999999999999999999"])
def test_every_api_detail_with_a_non_numeric_or_huge_id_is_404(api_500, admin_user, prefix, pk):
    response = api_500(admin_user).get(f"/api/v1/{prefix}/{pk}/")
    assert response.status_code == 404


def _detail_actions():
    for prefix, viewset, _basename in router.registry:
        if getattr(viewset, "lookup_value_regex", None):
            continue  # a lookup of its own (instruments by code)
        for action in viewset.get_extra_actions():
            if action.detail:
                for method in sorted(action.mapping):
                    yield method, f"/api/v1/{prefix}/{{pk}}/{action.url_path}/"


@pytest.mark.parametrize(("method", "url"), sorted(set(_detail_actions())))
@pytest.mark.parametrize("pk", ["abc", "1e5", "99999999999999999999"])
def test_every_api_detail_action_with_a_non_numeric_or_huge_id_is_404(
    api_500, admin_user, method, url, pk
):
    response = getattr(api_500(admin_user), method)(url.format(pk=pk), {}, format="json")
    assert response.status_code == 404


def _html_patterns():
    from django.urls import get_resolver
    from django.urls.resolvers import URLPattern, URLResolver

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if not route.startswith(("api/", "admin/")):
                    yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and "<int:" in route and "<str:" not in route:
                yield route

    return sorted(set(walk(get_resolver().url_patterns, "")))


@pytest.mark.parametrize("route", _html_patterns())
def test_every_html_url_with_a_huge_id_is_404_not_500(browser_as, admin_user, route):
    import re

    browser = browser_as(admin_user)
    browser.raise_request_exception = False
    url = "/" + re.sub(r"<int:\w+>", "99999999999999999999", route)
    response = browser.get(url)
    if response.status_code == 405:  # a POST-only view
        response = browser.post(url, {})
    # 404, or a redirect where the view treats a missing object as done (mark read).
    assert response.status_code in (404, 302)


def test_html_urls_take_only_numeric_ids(browser_as, admin_user):
    browser = browser_as(admin_user)
    assert browser.get("/referrals/1e5/").status_code == 404
    assert browser.get("/clients/abc/").status_code == 404
