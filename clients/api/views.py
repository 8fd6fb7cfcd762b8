from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from ..filters import ClientFilter
from ..selectors import client_get, client_list
from ..services import client_create, client_update
from .serializers import ClientInputSerializer, ClientSerializer


class ClientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Clients of the caller's teams. Out of reach: 404."""

    serializer_class = ClientSerializer
    filterset_class = ClientFilter

    def get_queryset(self):
        return client_list(user=self.request.user)

    def get_object(self):
        return client_get(user=self.request.user, client_id=self.kwargs["pk"])

    def list(self, request, *args, **kwargs):
        audit_record(
            user=request.user,
            action=AuditAction.VIEW,
            object_type="clients.client_list",
            detail={"filters": sorted(k for k, v in request.query_params.items() if v)},
        )
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        client = self.get_object()
        audit_record(user=request.user, action=AuditAction.VIEW, obj=client, client_id=client.pk)
        return Response(ClientSerializer(client).data)

    @extend_schema(request=ClientInputSerializer, responses={201: ClientSerializer})
    def create(self, request, *args, **kwargs):
        data = ClientInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = client_create(actor=request.user, **data.validated_data)
        return Response(ClientSerializer(client).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClientInputSerializer, responses={200: ClientSerializer})
    def update(self, request, *args, **kwargs):
        client = self.get_object()
        partial = kwargs.get("partial", False)
        data = ClientInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        client = client_update(actor=request.user, client=client, data=data.validated_data)
        return Response(ClientSerializer(client).data)
