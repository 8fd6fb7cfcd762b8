"""The OpenAPI schema says what the middleware does: every POST takes an optional
``Idempotency-Key`` header, and may answer 422 (key reused for another request) or 409
(the first request with that key is still running). A drf-spectacular postprocessing
hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``)."""

from __future__ import annotations

from typing import Any

from .middleware import HEADER, KEY_REUSED, REPLAYED_HEADER, STILL_RUNNING

_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e]+$"},
    "description": (
        "A key of yours for this request (1 to 255 visible ASCII characters, e.g. a UUID). "
        "Sent again with the same body within 24 hours, the request is not run again: the "
        f"first answer comes back with `{REPLAYED_HEADER}: true`. Only 2xx/3xx answers are "
        "kept; after a 4xx or 5xx the key can be used again."
    ),
}
_DETAIL = {
    "application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}
}


def document_idempotency_key(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    for operations in result.get("paths", {}).values():
        post = operations.get("post")
        if post is None:
            continue
        post.setdefault("parameters", []).append(dict(_PARAMETER))
        responses = post.setdefault("responses", {})
        responses.setdefault("422", {"description": KEY_REUSED, "content": _DETAIL})
        responses.setdefault("409", {"description": STILL_RUNNING, "content": _DETAIL})
    return result
