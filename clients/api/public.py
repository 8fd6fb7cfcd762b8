"""What other apps' APIs use from ``clients``: the one public module of ``clients.api``.

    from clients.api.public import AuditedReadMixin, client_in_payload

``AuditedReadMixin`` audits the list and retrieve of a viewset over client data
(``emergency_access`` instead of ``view`` when the caller reaches the client only by
breaking the glass); ``client_in_payload`` turns the client id of a create payload into
a client in reach, or a 400 naming the field. They live here, not in ``casemgmt/lib``,
because both read the caller's reach through ``clients.selectors`` (``lib`` knows no
app); the rest of ``clients.api`` (viewsets, serializers) stays private to ``clients``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import Http404
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from ..models import Client
from ..selectors import client_get, client_reached_by_emergency_access


def _user(request: Request) -> User:
    """The API's caller: IsAuthenticated (the default permission) has let only users in."""
    return cast(User, request.user)


def client_in_payload(request: Request, client_id: int | str, *, field: str = "client") -> Client:
    """The client named in a payload, in the caller's reach or opened by emergency access.

    An unknown id, one out of reach, or one that is no id at all is a 400 naming
    ``field`` (the same message either way: no leak of other teams' clients). Only
    ``Http404`` is turned into that 400: any other error is a real one and surfaces."""
    try:
        return client_get(user=_user(request), client_id=client_id)
    except Http404:
        raise ValidationError({field: ["No client with this id in your teams."]}) from None


def _read_action(request: Request, client_id: int) -> str | None:
    """The audit action of a read of ``client_id``'s records: ``emergency_access`` when
    the caller reaches the client only by breaking the glass, ``view`` through their
    teams, None when out of reach (the rule of ``clients.services.client_read_audit``)."""
    emergency = client_reached_by_emergency_access(user=_user(request), client_id=client_id)
    if emergency is None:
        return None
    return AuditAction.EMERGENCY_ACCESS if emergency else AuditAction.VIEW


if TYPE_CHECKING:  # what the mixin is mixed into: its list, get_object, get_serializer

    class _ViewSet(mixins.ListModelMixin, viewsets.GenericViewSet): ...

else:
    _ViewSet = object


class AuditedReadMixin(_ViewSet):
    """List and retrieve of client data write the audit trail, as every read does.

    Put it first among a ``GenericViewSet``'s bases. A list is one ``view`` event of type
    ``<app>.<model>_list`` with the filter names used (and the client of ``?client=`` when
    it is in reach); a retrieve is one ``view`` event of the object, for the client
    ``audit_client_id(obj)`` returns (``obj.client_id``; override it for objects that reach
    their client through a parent). A viewset with its own ``list`` calls ``audit_list``."""

    def audit_client_id(self, obj: Any) -> int:
        return obj.client_id

    def audit_list(self, request: Request) -> None:
        model = self.get_queryset().model
        value = request.query_params.get("client", "")
        client_id = int(value) if value.isdigit() and len(value) < 19 else None
        # The client of ?client= when in reach (no other team's access log records a
        # view that returned nothing), and read by emergency access when that is how.
        action = _read_action(request, client_id) if client_id else None
        audit_record(
            user=request.user,
            action=action or AuditAction.VIEW,
            object_type=f"{model._meta.label_lower}_list",
            client_id=client_id if action else None,
            detail={"filters": sorted(k for k, v in request.query_params.items() if v)},
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        self.audit_list(request)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        obj = self.get_object()  # from a queryset scoped to the clients in reach
        client_id = self.audit_client_id(obj)
        audit_record(
            user=request.user,
            action=_read_action(request, client_id) or AuditAction.VIEW,
            obj=obj,
            client_id=client_id,
        )
        return Response(self.get_serializer(obj).data)
