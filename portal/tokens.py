"""Link tokens: 256 bits, never stored; the database keeps their sha256.

A token is derived from the link's random ``nonce`` (256 bits from ``secrets``) with a
server-side key (``PORTAL_TOKEN_KEY``, by default derived from ``SECRET_KEY``), as an
HMAC-SHA256. So the outbox, which renders a message when it sends it (hours later, on a
retry), can put the link in the text without the token ever being written anywhere: the
outbox row holds the link's id, the database the nonce and the token's hash, and neither
opens anything without the key. Lookup hashes the presented token and compares the
stored hash in constant time (``hmac.compare_digest``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from django.conf import settings

TOKEN_BYTES = 32  # 256 bits
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 bytes, base64url without padding


def new_nonce() -> str:
    return secrets.token_hex(TOKEN_BYTES)


def _key() -> bytes:
    configured = getattr(settings, "PORTAL_TOKEN_KEY", "") or ""
    if configured:
        return configured.encode()
    return hashlib.sha256(b"casemgmt.portal.tokens:" + settings.SECRET_KEY.encode()).digest()


def token_for(nonce: str) -> str:
    """The link's token: HMAC-SHA256(key, nonce), base64url (43 characters)."""
    digest = hmac.new(_key(), nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)


def looks_like_token(value: str) -> bool:
    return bool(TOKEN_PATTERN.match(value or ""))
