"""The browser's draft cookie and keeping a request's POST as a draft.

The cookie (``DRAFT_COOKIE_NAME``) holds a random token naming this browser and the id of
the user last signed in on it, signed with ``SECRET_KEY``; it is set when someone signs
in and renewed at each login. A draft kept from a request whose session had ended is
bound to the token (hashed in the table), and may be claimed only after a login in the
same browser, by the user the cookie named.
"""

import secrets
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from casemgmt.drafts.models import Draft, DraftReason
from casemgmt.drafts.services import draft_keep

_SALT = "casemgmt.drafts.browser"
#: The hidden field every draft-keeping form carries: the page the form is on.
PAGE_FIELD = "_draft"


def browser_identity(request: HttpRequest) -> tuple[str, int | None]:
    """(token, id of the user last signed in on this browser) from the cookie, or ("", None)."""
    raw = request.COOKIES.get(settings.DRAFT_COOKIE_NAME, "")
    if not raw:
        return "", None
    try:
        value = signing.loads(raw, salt=_SALT)
    except signing.BadSignature:
        return "", None
    if not isinstance(value, dict) or not isinstance(value.get("t"), str):
        return "", None
    owner = value.get("u")
    return value["t"], owner if isinstance(owner, int) else None


def browser_cookie_set(response: HttpResponse, *, token: str, user_id: int | None) -> None:
    response.set_cookie(
        settings.DRAFT_COOKIE_NAME,
        signing.dumps({"t": token, "u": user_id}, salt=_SALT),
        max_age=settings.DRAFT_RETENTION_DAYS * 24 * 60 * 60,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def browser_bind(request: HttpRequest, response: HttpResponse) -> None:
    """Keep the cookie naming this browser and its signed-in user up to date."""
    old_token, owner = browser_identity(request)
    token = old_token
    user = getattr(request, "user", None)
    # Signed out, the cookie keeps naming whose session it was.
    user_id = user.pk if user is not None and user.is_authenticated else owner
    if not token:
        if user_id is None:
            return  # nothing to bind a browser that never signed in to
        token = secrets.token_urlsafe(32)
    # A login renews the cookie's lifetime (``drafts_claim_on_login`` sets the flag).
    if token != old_token or user_id != owner or getattr(request, "_draft_cookie_renew", False):
        browser_cookie_set(response, token=token, user_id=user_id)


def page_of(request: HttpRequest) -> str | None:
    """The form page a POST came from (its ``_draft`` field), when it is one of ours."""
    try:
        page = request.POST.get(PAGE_FIELD, "")
    except Exception:  # an unreadable body (too big, malformed): nothing to keep
        return None
    if not page or len(page) > 500 or not page.startswith("/") or page.startswith("//"):
        return None
    if "\\" in page or not url_has_allowed_host_and_scheme(page, allowed_hosts=None):
        return None
    path = urlsplit(page).path
    if path.startswith(("/api/", "/drafts/", resolve_url(settings.LOGIN_URL))):
        return None
    return page


def same_origin(request: HttpRequest) -> bool:
    """Whether the browser says the POST came from one of our pages (not another site)."""
    try:
        ours = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return False
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        return origin == ours or origin in settings.CSRF_TRUSTED_ORIGINS
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site:
        return fetch_site == "same-origin"
    referer = request.META.get("HTTP_REFERER")
    if referer:
        return urlsplit(referer).netloc == urlsplit(ours).netloc
    return False


def keep_post(request: HttpRequest, *, reason: DraftReason) -> str | None:
    """Keep this POST's fields as a draft of its form page; the page, or None.

    Signed in: the user's draft. Signed out (the session had ended): bound to this
    browser, a new token when it had none, claimed at the next login here."""
    if getattr(request, "_draft_handled", False):
        return None
    page = page_of(request)
    if page is None:
        return None
    request._draft_handled = True  # type: ignore[attr-defined]  # one keep per request
    fields = dict(request.POST.lists())
    user = getattr(request, "user", None)
    draft: Draft | None
    if user is not None and user.is_authenticated:
        draft = draft_keep(path=page, fields=fields, reason=reason, user=user)
    else:
        # Only a browser someone signed in on carries the signed cookie: a POST from
        # anywhere else (a script, a browser that never signed in) keeps nothing, so
        # anonymous requests cannot fill the table.
        token, owner = browser_identity(request)
        if not token:
            return None
        draft = draft_keep(
            path=page, fields=fields, reason=reason, browser_token=token, owner_id=owner
        )
    return page if draft is not None else None


def login_url(next_page: str) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_page})}"


def is_login_redirect(response: HttpResponse) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308) or not response.has_header("Location"):
        return False
    return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
