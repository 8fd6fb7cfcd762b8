"""API authentication by our own expiring, per-device tokens (``ApiToken``).

``Authorization: Token <token>``, as DRF's authtoken used: an unknown or revoked token
and an expired one are each a 401 saying so.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .selectors import api_token_find
from .services import api_token_touch

EXPIRED = _("Token expired. Ask for a new one at POST /api/v1/auth/token/.")
INVALID = _("Invalid or revoked token.")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: give the token after 'Token ', with no spaces.")
            )
        try:
            raw = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        token = api_token_find(raw=raw)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
        if token.is_expired:
            raise exceptions.AuthenticationFailed(EXPIRED, code="token_expired")
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema names this authentication (``Authorization: Token ...``)."""

    target_class = "casemgmt.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'An API token with the prefix "Token" (POST /api/v1/auth/token/).',
        }
