"""The caller's address, the one way: for the audit trail and the login lockout.

``TRUSTED_PROXY_COUNT`` says how many proxies of ours stand in front of the app, each
appending the address it received the request from to ``X-Forwarded-For``:

- 0 (the default): no proxy; the address is the peer of the connection (``REMOTE_ADDR``)
  and ``X-Forwarded-For`` is ignored, since anyone can send one.
- N: the client is the N-th ``X-Forwarded-For`` hop from the right (the one our
  outermost proxy appended); the hops left of it are what the client sent and are never
  trusted. A request with fewer hops (one that did not come through the proxies) is
  recorded with its ``REMOTE_ADDR``.

Parsing is django-ipware's (IPv6, ports, garbage): what is not an address is never
returned, so it cannot break the audit trail's address column.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_address(request: HttpRequest) -> str | None:
    """The client's address as text, or None when the request carries none."""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        # ipware counts the proxies listed in the header after the client; ours appends
        # the client's address, so the N-th hop from the right has N - 1 after it.
        address, _ = get_client_ip(
            request,
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    address, _ = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
    return address
