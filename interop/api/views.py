"""``POST /api/v1/adt/``: one HL7 v2 message in the body (ER7, the pipe-and-hat text),
its ACK in the answer, for partners that cannot use MLLP. Same service as the
listener: stored first, then acknowledged."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, permissions
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.request import Request

from ..services import adt_receive

ER7 = "x-application/hl7-v2+er7"


class ER7Parser(parsers.BaseParser):
    """The body as bytes, up to ADT_MAX_BYTES and one byte more (the service rejects a
    larger message with AR after storing what fits)."""

    media_type = ER7

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read(settings.ADT_MAX_BYTES + 1) if stream is not None else b""


class PlainTextParser(ER7Parser):
    media_type = "text/plain"


class CanSendAdt(permissions.BasePermission):
    """An interface account: the model permission ``interop.add_adtmessage`` (given in
    Django admin), or a program admin."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (user.is_admin_role or user.has_perm("interop.add_adtmessage"))
        )


@extend_schema(
    request={ER7: bytes, "text/plain": bytes},
    responses={
        200: OpenApiResponse(description="ACK with MSA-1 AA (stored and accepted)"),
        400: OpenApiResponse(description="ACK with MSA-1 AE (stored, in error) or AR (rejected)"),
    },
    summary="Receive one HL7 v2 ADT message; answers its HL7 ACK",
)
@api_view(["POST"])
@parser_classes([ER7Parser, PlainTextParser])
@permission_classes([CanSendAdt])
def adt_post(request: Request) -> HttpResponse:
    raw = request.data if isinstance(request.data, bytes) else b""
    receipt = adt_receive(raw=raw, sender=f"api {request.user.pk}")
    return HttpResponse(
        receipt.ack,
        status=200 if receipt.ack_code == "AA" else 400,
        content_type=f"{ER7}; charset=utf-8",
    )
