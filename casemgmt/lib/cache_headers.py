"""``Cache-Control: no-store`` on every response that may carry client data.

A browser's back button, its disk cache or a shared proxy must never keep a chart page or
an API answer. Every response answers ``no-store`` (with ``private``, ``no-cache`` and
the HTTP/1.0 ``Pragma: no-cache``), signed in or not, except static files: WhiteNoise
serves them before this middleware, and a request under ``STATIC_URL`` that reaches it
is left alone too. (The login page is ``never_cache`` in Django already: it holds a CSRF
token.)

The rule reads only the path: it never touches the user, which could need the database
(for example while the 503 page of an outage is being sent).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not (settings.STATIC_URL and request.path.startswith(settings.STATIC_URL)):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
            response["Pragma"] = "no-cache"
        return response
