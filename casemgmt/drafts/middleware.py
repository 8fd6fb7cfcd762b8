"""Keep a form's POST as a draft when it cannot be saved, and forget it once it is.

- signed out (the session had ended) and sent to the login page: the POST is kept,
  bound to this browser, and the login page's ``next`` is the form page;
- a server error (5xx) answering a signed-in POST: kept as the user's draft (before the
  500 page renders, when the view raised, so that the page can say so);
- a CSRF failure: see ``views.csrf_failure`` (``CSRF_FAILURE_VIEW``);
- a signed-in POST answered with a redirect (saved): the draft of that page is deleted.

Only forms carrying the ``_draft`` field (``{% draft_form %}``) are kept.
"""

import logging
from collections.abc import Callable

from django.contrib import messages
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from casemgmt.drafts.browser import browser_bind, is_login_redirect, keep_post, login_url, page_of
from casemgmt.drafts.models import DraftReason
from casemgmt.drafts.services import draft_discard
from casemgmt.lib import error_views

logger = logging.getLogger(__name__)

SIGNED_OUT_MESSAGE = (
    "Your session had ended, so the form was not saved. What you typed is kept: "
    "log in again to go back to it."
)


class DraftMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "POST" and not getattr(request, "_draft_handled", False):
            response = self._after_post(request, response)
        browser_bind(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """A view failed on a signed-in POST: keep the form before the 500 page renders,
        so that the page can say so (``request.draft_kept_page``)."""
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        try:
            page = keep_post(request, reason=DraftReason.SERVER_ERROR)
        except DatabaseError:
            logger.warning("drafts: could not keep a draft (database error)")
            return None
        request.draft_kept_page = page  # type: ignore[attr-defined]  # read by the 500 page
        return None

    def _after_post(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        signed_in = request.user.is_authenticated
        status = response.status_code
        try:
            if not signed_in and is_login_redirect(response):
                page = keep_post(request, reason=DraftReason.SESSION_EXPIRED)
                if page is not None:
                    messages.info(request, SIGNED_OUT_MESSAGE)
                    return HttpResponseRedirect(login_url(page))
            elif signed_in and status >= 500:
                page = keep_post(request, reason=DraftReason.SERVER_ERROR)
                if page is not None and status == 500 and not request.path.startswith("/api/"):
                    # The view raised where process_exception does not see it (inside
                    # another middleware's process_view, e.g. one save per click): render
                    # the 500 page again, now saying that the form was kept.
                    request.draft_kept_page = page  # type: ignore[attr-defined]
                    return error_views.server_error(request)
            elif signed_in and 300 <= status < 400 and not is_login_redirect(response):
                page = page_of(request)
                if page is not None and request.user.is_authenticated:
                    draft_discard(user=request.user, path=page)
        except DatabaseError:
            # The database is down: the error page says this request was not saved.
            # No field value is logged (they are clinical text).
            logger.warning("drafts: could not keep or discard a draft (database error)")
        return response
