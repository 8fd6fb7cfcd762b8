"""API sign-in: exchange a password for a per-device token, and revoke it (log out)."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .models import ApiToken
from .selectors import two_factor_enabled, two_factor_required
from .services import (
    DEFAULT_DEVICE,
    api_token_issue,
    login_failure_record,
    login_success_record,
    login_throttle_key,
    login_wait_seconds,
    too_many_attempts,
    two_factor_verify,
)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="For an account with two-factor sign-in: the code from the authenticator "
        "app, or a recovery code.",
    )
    device = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=f"Name of the device or program (default {DEFAULT_DEVICE!r}); a new "
        "token for the same device replaces its old one.",
    )


TokenResponse = inline_serializer(
    "ApiTokenIssued",
    fields={
        "token": serializers.CharField(),
        "device": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
    },
)


@extend_schema(
    request=TokenRequestSerializer,
    responses={
        200: TokenResponse,
        400: OpenApiResponse(description="Wrong username or password"),
        403: OpenApiResponse(description="Two-factor sign-in required but not set up"),
        429: OpenApiResponse(description="Too many attempts: wait the seconds given"),
    },
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def token_obtain(request: Request) -> Response:
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    key = login_throttle_key(username=data["username"])
    wait = login_wait_seconds(key=key)
    if wait:
        raise exceptions.Throttled(wait=wait, detail=too_many_attempts(wait))
    # The Django request, so that django-axes marks it (its middleware answers 429 for a
    # locked-out address).
    http_request = request._request
    user = authenticate(request=http_request, username=data["username"], password=data["password"])
    if user is None or not user.is_active:
        message = "Unable to log in with the username and password given."
        if not getattr(http_request, "axes_locked_out", False):
            wait = login_failure_record(key=key, username=data["username"])
            if wait:
                message = f"{message} {too_many_attempts(wait)}"
        raise serializers.ValidationError({"non_field_errors": [message]})
    login_success_record(key=key)
    if two_factor_enabled(user=user):
        _check_second_factor(user=user, code=data.get("otp", ""))
    elif two_factor_required(user=user):
        raise exceptions.PermissionDenied(
            "Two-factor sign-in is required for this account: set it up in the browser at "
            "/accounts/2fa/setup/ first."
        )
    token, raw = api_token_issue(user=user, name=data.get("device", ""))
    return Response({"token": raw, "device": token.name, "expires_at": token.expires_at})


def _check_second_factor(*, user, code: str) -> None:
    if not code.strip():
        raise serializers.ValidationError(
            {"otp": ["This account uses two-factor sign-in: send the code from the app as otp."]}
        )
    key = f"otp:{user.pk}"
    wait = login_wait_seconds(key=key)
    if wait:
        raise exceptions.Throttled(wait=wait, detail=too_many_attempts(wait))
    if two_factor_verify(user=user, code=code) is None:
        wait = login_failure_record(key=key, username=user.get_username())
        message = "That code is not right."
        raise serializers.ValidationError(
            {"otp": [f"{message} {too_many_attempts(wait)}" if wait else message]}
        )
    login_success_record(key=key)


@extend_schema(
    request=None,
    responses={
        204: OpenApiResponse(description="The token is revoked"),
        400: OpenApiResponse(description="Signed in by session, not by a token"),
    },
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def token_logout(request: Request) -> Response:
    """Revoke the token this request was made with (nothing else)."""
    if not isinstance(request.auth, ApiToken):
        raise serializers.ValidationError(
            {"detail": ["This request was not made with an API token; nothing to revoke."]}
        )
    request.auth.delete()
    return Response(status=status.HTTP_204_NO_CONTENT)
