import base64
import secrets
import time
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from casemgmt.lib.forms import StyledFormMixin

from .models import User
from .selectors import api_token_list, two_factor_enabled, two_factor_required
from .services import (
    api_token_revoke,
    login_failure_record,
    login_success_record,
    login_throttle_key,
    login_wait_seconds,
    recovery_codes_issue,
    too_many_attempts,
    totp_device_confirm,
    totp_device_start,
    two_factor_verify,
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
        user = form.get_user()
        if two_factor_enabled(user=user):
            # The password was right: the second step waits for the code.
            self.request.session[_PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
                "at": time.time(),
            }
            return redirect("accounts:login_verify")
        response = super().form_valid(form)
        remember_known_device(self.request, response, user)
        return response


_PENDING = "casemgmt_login_pending"
WRONG_CODE = "That code is not right. Check the time on your phone and try again."


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label="Authentication code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your "
        "recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


def login_verify(request):
    """Second step of signing in: the code from the app, or a recovery code."""
    pending = request.session.get(_PENDING)
    too_old = not pending or time.time() - pending["at"] > settings.OTP_LOGIN_PENDING_SECONDS
    user = None if too_old else User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(_PENDING, None)
        messages.info(request, "Log in again: the sign-in waited too long for its code.")
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = f"otp:{user.pk}"
        wait = login_wait_seconds(key=key)
        device = None if wait else two_factor_verify(user=user, code=form.cleaned_data["code"])
        if wait:
            form.add_error("code", too_many_attempts(wait))
        elif device is None:
            wait = login_failure_record(key=key, username=user.get_username())
            message = WRONG_CODE
            form.add_error("code", f"{message} {too_many_attempts(wait)}" if wait else message)
        else:
            login_success_record(key=key)
            del request.session[_PENDING]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            response = redirect(pending["next"])
            remember_known_device(request, response, user)
            return response
    return render(request, "registration/login_verify.html", {"form": form})


def _qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (drawn here: no image service, works offline)."""
    import segno

    return segno.make(url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title="QR code for your authenticator app"
    )


@login_required
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), confirm a code;
    the recovery codes are then shown once."""
    user = request.user
    if two_factor_enabled(user=user) and request.user.is_verified():
        return render(request, "accounts/two_factor_on.html", {})
    device = totp_device_start(user=user)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code the app shows after you add the account."
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "new": True})
        form.add_error(
            "code", "That code is not right. Check the time on your phone and try again."
        )
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 segno's own SVG
            "secret": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            "required": two_factor_required(user=user),
        },
    )


@login_required
@require_POST
def recovery_codes_new(request):
    """Ten new recovery codes (the old ones stop working), shown once."""
    if not (two_factor_enabled(user=request.user) and request.user.is_verified()):
        return redirect("accounts:two_factor_setup")
    codes = recovery_codes_issue(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "new": False})


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
