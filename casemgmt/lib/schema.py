"""The OpenAPI schema says what the endpoints really return (drf-spectacular).

DRF drops ``allow_blank`` from a model field it makes read-only (``read_only_fields``),
so a blank ``CharField`` with choices or an ``EmailField`` was typed as an enum or an
email address, and the ``""`` the API returns broke the schema. ``AutoSchema`` puts the
blank back for every string field whose model field is ``blank=True`` (or whose
serializer field allows blank): an enum gains ``""`` (spectacular's enum hook then
documents it as ``BlankEnum``), a formatted string (email, URL) becomes "that, or empty".
Every operation also documents the errors it can answer (``document_errors``, a
postprocessing hook): 400 with the fields named where it takes input, 403 (the role may
not), 404 (out of reach, no such record, or a page past the end), each a JSON object.

And a field whose ``default`` is ``None`` (``source="cleared_by.display_name"``, where
there may be no one) is nullable: DRF answers that default when the source is missing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular import openapi
from rest_framework import serializers

# Keys that describe the property itself and stay beside ``anyOf``.
_META = {"readOnly", "writeOnly", "description", "title", "nullable", "default", "deprecated"}


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if may_be_blank(field):
            schema = with_blank(schema)
        if field.default is None and "$ref" not in schema:
            schema = {**schema, "nullable": True}
        return schema


def may_be_blank(field: serializers.Field) -> bool:
    """Whether ``field`` can hold ``""``: it allows blank, or it is a read-only copy of a
    model string field that does."""
    if getattr(field, "allow_blank", False):
        return True
    if not field.read_only or not isinstance(
        field, serializers.CharField | serializers.ChoiceField
    ):
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = field.source if isinstance(field.source, str) else ""
    if model is None or not source or "." in source or source == "*":
        return False
    try:
        model_field = model._meta.get_field(source)
    except FieldDoesNotExist:
        return False
    return isinstance(model_field, models.CharField | models.TextField) and model_field.blank


def with_blank(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` that also admits ``""``."""
    if "enum" in schema:
        if "" not in schema["enum"]:
            schema = {**schema, "enum": [*schema["enum"], ""]}
        return schema
    if schema.get("type") == "string" and "format" in schema:
        meta = {k: v for k, v in schema.items() if k in _META}
        rest = {k: v for k, v in schema.items() if k not in _META}
        return {**meta, "anyOf": [rest, {"type": "string", "maxLength": 0}]}
    return schema


_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "description": "`detail` says why.",
}
_ERRORS = {
    "400": (
        "Bad input: each field named with its messages (`detail` when no field is to blame).",
        {"type": "object", "additionalProperties": {}},
    ),
    "403": ("Not allowed for your role.", _DETAIL),
    "404": ("Not found, or out of your reach (the same answer), or a page past the end.", _DETAIL),
}


def document_errors(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """Add the error answers every operation can give, where the view documents none."""
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
            responses = operation.setdefault("responses", {})
            for code, (description, schema) in _ERRORS.items():
                if code == "400" and not takes_input:
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": schema}},
                    },
                )
    return result
