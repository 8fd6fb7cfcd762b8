import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casemgmt.lib.forms import StyledFormMixin

from .models import User
from .selectors import api_token_list
from .services import (
    api_token_revoke,
    login_failure_record,
    login_success_record,
    login_throttle_key,
    login_wait_seconds,
    too_many_attempts,
)

KNOWN_DEVICE_COOKIE = "casemgmt_known_device"
_KNOWN_DEVICE_SALT = "casemgmt.accounts.known-device"


def known_device_id(request, username: str) -> str | None:
    """The id of this browser's known-device cookie when it signed in to ``username``'s
    account before (OWASP "device cookies"); else None."""
    value = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not value or not username:
        return None
    try:
        data = signing.loads(
            value,
            salt=_KNOWN_DEVICE_SALT,
            max_age=timedelta(days=settings.LOGIN_KNOWN_DEVICE_DAYS),
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if not User.objects.filter(pk=data["u"], username=username).exists():
        return None
    return str(data.get("d") or "") or None


def remember_known_device(request, response, user) -> None:
    """After a successful sign-in: mark this browser as a known device of ``user``."""
    if known_device_id(request, user.get_username()):
        return
    value = signing.dumps({"u": user.pk, "d": secrets.token_urlsafe(16)}, salt=_KNOWN_DEVICE_SALT)
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        value,
        max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class LoginForm(StyledFormMixin, AuthenticationForm):
    """Username and password, with per-username throttling (growing waits after
    ``LOGIN_THROTTLE_FREE_FAILURES`` failures) on top of django-axes' per-address lockout.
    A browser that signed in to the account before counts in a bucket of its own, so an
    attacker elsewhere cannot keep the owner out."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        key = login_throttle_key(
            username=username, device_id=known_device_id(self.request, username)
        )
        wait = login_wait_seconds(key=key)
        if wait:
            raise ValidationError(too_many_attempts(wait), code="throttled")
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            if getattr(self.request, "axes_locked_out", False):
                raise self.get_invalid_login_error()  # axes answers 429 for the address
            wait = login_failure_record(key=key, username=username)
            error = self.get_invalid_login_error()
            if wait:
                error = ValidationError(
                    f"{error.message % error.params} {too_many_attempts(wait)}",
                    code="throttled",
                )
            raise error
        self.confirm_login_allowed(self.user_cache)
        login_success_record(key=key)
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_known_device(self.request, response, form.get_user())
        return response


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
def token_list(request):
    """The signed-in user's own API tokens, each with a revoke button."""
    return render(
        request,
        "accounts/token_list.html",
        {"tokens": api_token_list(user=request.user), "ttl_days": settings.API_TOKEN_TTL_DAYS},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    # Only the owner's own tokens here (an admin revokes others' in Django admin): another
    # user's token is a 404, as if it did not exist.
    if not api_token_list(user=request.user).filter(pk=pk).exists():
        raise Http404
    api_token_revoke(actor=request.user, token_id=pk)
    messages.success(request, "Token revoked.")
    return redirect("accounts:tokens")
