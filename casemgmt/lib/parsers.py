"""A JSON parser with depth and size limits, so bad input is a 400/413, never a 500.

Python's ``json`` module recurses once per nesting level: ``[`` x 100,000 raises
``RecursionError`` (an uncaught 500) before DRF sees a ``ValueError``. So the body is
checked before it is parsed: nesting is counted outside string literals, and the body
may not exceed ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (the same limit Django puts on form posts).
Numbers beyond a float (``1e400``) are kept as text so that the field refuses them
(``_finite_float``). Every request body of the API is an object: ``null``, a list, a
string or a number is refused here, once for all endpoints (a serializer or a view that
calls ``request.data.get`` would otherwise raise a ``TypeError`` / ``AttributeError``).
"""

from __future__ import annotations

import codecs
import json
import math
import re
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.settings import api_settings

from .limits import FREE_TEXT_MAX_LENGTH

#: Far more than any endpoint needs (the deepest payload, an assessment section, is ~4).
JSON_MAX_DEPTH = 32

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether ``text`` nests arrays/objects deeper than ``limit`` (strings ignored)."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def body_limit() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class LimitedJSONParser(parsers.JSONParser):
    max_depth = JSON_MAX_DEPTH
    #: Every endpoint takes a JSON object; one that takes a list would use a subclass.
    require_object = True

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = body_limit()
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(
                f"The request body is too large: at most {limit:,} bytes are accepted."
            )
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        if json_depth_exceeds(text, self.max_depth):
            raise exceptions.ParseError(
                f"JSON parse error - the document is nested more than {self.max_depth} levels deep."
            )
        strict = api_settings.STRICT_JSON
        try:
            data = json.loads(
                text,
                parse_float=_finite_float,
                parse_constant=_strict_constant if strict else None,
            )
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        if self.require_object and not isinstance(data, dict):
            raise exceptions.ParseError(
                "JSON parse error - the body must be a JSON object ({...}), "
                f"not {_json_kind(data)}."
            )
        too_long = _too_long(data, "")
        if too_long is not None:
            raise exceptions.ValidationError(
                {
                    too_long: [
                        f"Keep this to at most {FREE_TEXT_MAX_LENGTH:,} characters "
                        "(save a longer text in parts)."
                    ]
                }
            )
        return data


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "a number"


def _too_long(value: Any, path: str) -> str | None:
    """The path (``field``, ``items.2.text``) of the first string over the limit."""
    if isinstance(value, str):
        return (path or "non_field_errors") if len(value) > FREE_TEXT_MAX_LENGTH else None
    if isinstance(value, dict):
        children: Any = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return None
    for key, child in children:
        found = _too_long(child, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def _finite_float(literal: str) -> float | str:
    """A number too large for a float (``1e400``) stays the text it was sent as.

    ``json`` would make it ``inf``, and ``int(inf)`` raises ``OverflowError``, which
    DRF's fields (a primary key, an integer) do not catch: a 500. As text, every field
    refuses it with its own message (``"team": ["Incorrect type..."]``), naming the field.
    """
    value = float(literal)
    return value if math.isfinite(value) else literal


def _strict_constant(value: str) -> None:
    raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
