"""Autosave, keep-alive, discard, and the CSRF failure view that keeps the form."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import csrf
from django.views.decorators.http import require_POST

from casemgmt.drafts.browser import keep_post, login_url, page_of, same_origin
from casemgmt.drafts.models import DraftReason
from casemgmt.drafts.services import draft_discard


def _signed_out() -> JsonResponse:
    return JsonResponse({"detail": "Your session has ended.", "signed_in": False}, status=401)


@require_POST
def autosave(request: HttpRequest) -> JsonResponse:
    """``drafts.js`` posts the form here every ~20 s while it changes.

    Signed in: kept as the user's draft of the page. Signed out (the session ended while
    typing): kept for this browser, claimed at the next login here, and answered 401."""
    if page_of(request) is None:
        if not request.user.is_authenticated:
            return _signed_out()
        return JsonResponse({"detail": "Not a form that keeps drafts."}, status=400)
    kept = keep_post(request, reason=DraftReason.AUTOSAVE) is not None
    if not request.user.is_authenticated:
        return JsonResponse(
            {"detail": "Your session has ended.", "signed_in": False, "kept": kept}, status=401
        )
    return JsonResponse({"kept": kept, "signed_in": True})


@require_POST
def keepalive(request: HttpRequest) -> JsonResponse:
    """The idle warning's "Stay signed in": any signed-in request renews the session
    (``SESSION_SAVE_EVERY_REQUEST``)."""
    if not request.user.is_authenticated:
        return _signed_out()
    return JsonResponse({"signed_in": True, "expires_in": settings.SESSION_COOKIE_AGE})


@login_required
@require_POST
def discard(request: HttpRequest) -> HttpResponse:
    """The restore message's "Discard the kept text": forget this page's draft."""
    page = page_of(request)
    if page is None or not request.user.is_authenticated:
        return redirect("home")
    draft_discard(user=request.user, path=page)
    return HttpResponseRedirect(page)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form whose security token expired keeps what was typed.

    Only a POST the browser says came from one of our own pages is kept (a forged
    cross-site POST must not put text into someone's form); then the user goes back to
    the form (or to the login page first, if the session has ended too), where the
    text is restored. Anything else gets Django's 403 page."""
    page = keep_post(request, reason=DraftReason.CSRF_FAILURE) if same_origin(request) else None
    if page is None:
        return csrf.csrf_failure(request, reason=reason)
    if request.path == reverse("drafts:autosave"):
        return JsonResponse({"kept": True, "detail": "Security token expired."}, status=403)
    if not request.user.is_authenticated:
        return HttpResponseRedirect(login_url(page))
    return HttpResponseRedirect(page)
