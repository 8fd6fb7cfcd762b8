"""The error pages Django falls back to (``handler400`` / ``handler500`` in the root URLconf).

- An oversized body (``RequestDataTooBig``, over ``DATA_UPLOAD_MAX_MEMORY_SIZE``) or too many
  form fields is a 413, not Django's bare 400: JSON for the API, a page that tells the browser
  user to go Back to the form (the browser still has the typed text) and send it in parts.
- A database outage (``OperationalError`` / ``InterfaceError`` reaching the top, from a view
  or from a middleware loading the session) is a 503 with ``Retry-After``: the system is
  briefly unavailable, this request was not saved, everything saved before it is kept.
- A URL that routes nowhere is a 404: JSON under ``/api/``, the page elsewhere.
- Anything else is the 500 page.

The pages are rendered without a request context: during an outage a context processor
(the user, the team) would fail again. Paths under ``/api/`` get JSON.
"""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 30

TOO_LARGE = (
    "The request is too large to be accepted ({what}). Nothing from it was saved. "
    "Send it in smaller parts."
)
UNAVAILABLE = (
    "The system is briefly unavailable (its database cannot be reached). This request was "
    "not saved; everything saved before it is kept. Please try again in a minute."
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _page(template: str, status: int, context: dict | None = None) -> HttpResponse:
    return HttpResponse(loader.get_template(template).render(context or {}), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent)):
        what = "too many fields" if isinstance(exception, TooManyFieldsSent) else "body too large"
        if _is_api(request):
            return JsonResponse({"detail": TOO_LARGE.format(what=what)}, status=413)
        return _page("413.html", 413, {"what": what})
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL that routes nowhere (``/api/v1/referrals/abc/``): JSON under ``/api/``, as the
    API's own 404s are (and as the schema says), the page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        if _is_api(request):
            response: HttpResponse = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            response = _page("503.html", 503, {"message": UNAVAILABLE})
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _is_api(request):
        return JsonResponse(
            {"detail": "Server error. It has been logged; this request may not have been saved."},
            status=500,
        )
    # A form's text kept as a draft (casemgmt.drafts' middleware sets the attribute).
    return _page("500.html", 500, {"kept_page": getattr(request, "draft_kept_page", None)})
