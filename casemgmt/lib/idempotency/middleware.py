"""``OneSavePerClickMiddleware``: a repeated submission gets the first one's answer.

Which requests: a POST from a signed-in user carrying a key, either

- a browser form's ``submission_key`` field (``partials/submission_key.html`` in every
  create form; ``static/js/submission_key.js`` keeps it across Back), outside ``/api/``;
- the API's ``Idempotency-Key`` header, under ``/api/`` (session or token signed in).

What happens (in ``process_view``, so after the CSRF check and the login): the view runs
inside ``transaction.atomic`` after the key is claimed (``services.submission_claim``).

- First request: the view runs. Kept are a browser form's redirect (status and
  ``Location``, no body: a form's result page holds personal data) unless it carries an
  error message (a refusal), and an API answer in 2xx/3xx with its body. Anything else
  (a form shown again with its errors, a 4xx, a 5xx) releases the key, so the corrected
  form or request can be sent with it again. An exception rolls everything back.
- A repeat (Back + Save, a double click, a retry after a timeout) gets the stored answer
  with ``Idempotent-Replayed: true``, and the view does not run; a browser also gets a
  message saying the form had already been saved. A repeat that arrives while the first
  is still running waits for it (at most ``IDEMPOTENCY_WAIT_SECONDS``, then 409).
- The same key with another body: the API answers 422; a browser form (the user went
  Back and changed something) is sent to the first result, told that the changes were
  not saved. The same key on another address is 422 for both. A key is one user's: the
  same key from someone else is their own key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render

from .. import error_views
from . import services
from .models import SubmissionKey, SubmissionMode

FORM_FIELD = "submission_key"
HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Never part of a form's fingerprint: the CSRF token is masked afresh on every page.
_NOT_FINGERPRINTED = {FORM_FIELD, "csrfmiddlewaretoken"}
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as Stripe and the draft RFC

ALREADY_SAVED = (
    "This form had already been saved: this is what that save recorded. It was not saved twice."
)
CHANGES_NOT_SAVED = (
    "This form had already been saved: this is what that save recorded. The changes you "
    "made after it were not saved; make them here."
)
KEY_REUSED = (
    "This Idempotency-Key was already used for a different request (another body, "
    "method or address). Use a new key for a new request."
)
STILL_RUNNING = (
    "The first request with this key is still being processed. Check in a moment whether it "
    "was saved before sending it again."
)
BAD_KEY = "Idempotency-Key must be 1 to 255 visible ASCII characters."

View = Callable[..., HttpResponseBase]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(error_views.API_PREFIX)


def _api_user_id(request: HttpRequest) -> int | None:
    """The signed-in user: the session's (with DRF's CSRF check, which the view would run
    itself: a stored answer is never handed to a cross-site request), else the API's own
    authentication (a token), which DRF would only run inside the view."""
    from rest_framework import exceptions
    from rest_framework.authentication import BaseAuthentication, SessionAuthentication
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    drf_request = Request(request)
    if request.user.is_authenticated:
        try:
            SessionAuthentication().enforce_csrf(drf_request)
        except exceptions.PermissionDenied:
            return None  # the view answers 403 itself
        return int(request.user.pk)
    if "HTTP_AUTHORIZATION" not in request.META:
        return None
    # The stubs type the setting as its dotted paths; DRF has imported the classes.
    classes = cast("list[type[BaseAuthentication]]", api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    for authentication_class in classes:
        if issubclass(authentication_class, SessionAuthentication):
            continue  # the session was looked at above
        try:
            found = authentication_class().authenticate(drf_request)
        except exceptions.APIException:
            return None  # the view answers 401 itself
        if found is not None:
            return int(found[0].pk)
    return None


def _form_fingerprint(request: HttpRequest) -> str:
    fields = sorted(
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_FINGERPRINTED
        for value in values
    )
    files = sorted(
        (name, f.name or "", str(f.size))
        for name, uploads in request.FILES.lists()
        for f in uploads
    )
    return services.fingerprint(
        request.method.encode() if request.method else b"",
        request.path.encode(),
        repr(fields).encode(),
        repr(files).encode(),
    )


def _api_fingerprint(request: HttpRequest) -> str:
    return services.fingerprint(
        request.method.encode() if request.method else b"",
        request.get_full_path().encode(),
        request.content_type.encode() if request.content_type else b"",
        request.body,
    )


def _refused(request: HttpRequest) -> bool:
    """Whether the view left an error message: a redirect that says "not done" (a button
    whose service refused) is not a result to hand back to a second click."""
    # The messages queued in this request; storage has no public way to peek at them.
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", [])
    return any(message.level >= messages.ERROR for message in queued)


class OneSavePerClickMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: View,
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.method != "POST":
            return None
        if _is_api(request):
            key = request.headers.get(HEADER)
            if key is None:
                return None
            if not _VALID_KEY.match(key):
                return JsonResponse({HEADER: [BAD_KEY]}, status=400)
            user_id = _api_user_id(request)
            mode = SubmissionMode.API
        else:
            key = request.POST.get(FORM_FIELD) or None
            if key is None or not _VALID_KEY.match(key):
                return None  # a form without a (valid) key is saved as before
            user_id = int(request.user.pk) if request.user.is_authenticated else None
            mode = SubmissionMode.FORM
        if user_id is None:
            return None  # the view refuses it (login page, 401/403)
        submission = services.Submission(
            user_id=user_id,
            key=key,
            mode=mode,
            method=request.method,
            path=request.path,
            fingerprint=_api_fingerprint(request)
            if mode == SubmissionMode.API
            else _form_fingerprint(request),
        )
        with transaction.atomic():
            claim = services.submission_claim(submission=submission)
            if claim.outcome == "owner":
                assert claim.row_id is not None
                response = view_func(request, *view_args, **view_kwargs)
                # A DRF or template response is rendered here, inside the transaction,
                # so that its body is there to keep (Django renders it only once).
                render_response = getattr(response, "render", None)
                if callable(render_response):
                    response = render_response()
                self._keep_or_release(request, response, mode=mode, row_id=claim.row_id)
                return response
        if claim.outcome == "busy":
            return self._busy(request, mode)
        assert claim.row is not None
        if claim.outcome == "mismatch":
            if mode == SubmissionMode.API or claim.row.path != request.path:
                return self._key_reused(request, mode)
            return self._replay(request, claim.row, changed=True)
        return self._replay(request, claim.row, changed=False)

    # ------------------------------------------------------------------- first request
    @staticmethod
    def _keep_or_release(
        request: HttpRequest, response: HttpResponseBase, *, mode: SubmissionMode, row_id: int
    ) -> None:
        status = response.status_code
        location = response.headers.get("Location", "")
        if mode == SubmissionMode.FORM:
            if 300 <= status < 400 and location and not _refused(request):
                services.submission_record(row_id=row_id, status=status, location=location)
                return
        elif 200 <= status < 400 and isinstance(response, HttpResponse):  # not streamed
            services.submission_record(
                row_id=row_id,
                status=status,
                location=location,
                content_type=response.headers.get("Content-Type", ""),
                body=response.content,
            )
            return
        services.submission_release(row_id=row_id)

    # ------------------------------------------------------------------------ repeats
    @staticmethod
    def _replay(request: HttpRequest, row: SubmissionKey, *, changed: bool) -> HttpResponse:
        assert row.response_status is not None
        if row.mode == SubmissionMode.FORM:
            messages.info(request, CHANGES_NOT_SAVED if changed else ALREADY_SAVED)
            response = HttpResponse(status=row.response_status)
        else:
            body = bytes(row.response_body) if row.response_body is not None else b""
            response = HttpResponse(body, status=row.response_status)
            if row.response_content_type:
                response["Content-Type"] = row.response_content_type
            else:
                del response["Content-Type"]
        if row.response_location:
            response["Location"] = row.response_location
        response[REPLAYED_HEADER] = "true"
        return response

    @staticmethod
    def _key_reused(request: HttpRequest, mode: SubmissionMode) -> HttpResponse:
        if mode == SubmissionMode.API:
            return JsonResponse({"detail": KEY_REUSED}, status=422)
        return render(request, "idempotency/not_saved.html", {"message": KEY_REUSED}, status=422)

    @staticmethod
    def _busy(request: HttpRequest, mode: SubmissionMode) -> HttpResponse:
        if mode == SubmissionMode.API:
            response: HttpResponse = JsonResponse({"detail": STILL_RUNNING}, status=409)
        else:
            response = render(
                request, "idempotency/not_saved.html", {"message": STILL_RUNNING}, status=409
            )
        response["Retry-After"] = "2"
        return response
