"""The API side of optimistic locking: which counter a PATCH says it loaded.

A caller sends back the counter it read (``version`` on clients and notes,
``edit_version`` on everything else) in the body, or as ``If-Match: "<n>"``; the update
service refuses a save over a newer one with ``Conflict`` (409, naming who changed which
fields). A caller that sends neither is not checked (last writer wins, as before).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

MAX_VERSION = 2_147_483_647  # a PostgreSQL integer: beyond it no record can have been loaded


def version_input(field: str = "edit_version") -> serializers.IntegerField:
    """The counter an update body may carry (see this module)."""
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text=(
            f"The `{field}` you loaded: a save over a newer one is refused (409, naming who "
            "changed which fields). Omitted (and no `If-Match`): not checked."
        ),
    )


def expected_version(
    request: Request, data: dict[str, Any], field: str = "edit_version"
) -> int | None:
    """Pop the counter from the validated ``data``, else read ``If-Match`` (a number,
    quoted or not, optionally weak ``W/``); ``None`` when the caller sent neither."""
    version = data.pop(field, None)
    if version is not None:
        return int(version)
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    value = header.removeprefix("W/").strip('"')
    digits = value.isascii() and value.isdigit() and len(value) <= len(str(MAX_VERSION))
    if not digits or not 1 <= int(value) <= MAX_VERSION:
        raise ValidationError({field: [f'If-Match must be the {field} you loaded, e.g. "3".']})
    return int(value)
