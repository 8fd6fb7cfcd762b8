"""API: check-ins (list, retrieve, create = send, revoke, acknowledge), of clients in
reach only (out of reach: 404, or a 400 naming ``client`` in a create payload)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clients.api.public import AuditedReadMixin, client_in_payload

from .. import selectors, services
from ..filters import CheckInFilter
from ..models import CheckIn
from .serializers import CheckInCreateSerializer, CheckInSerializer, EmptySerializer


class CheckInViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Check-ins sent to clients. Filters: client, status. ``state`` adds expired,
    revoked and locked links to the stored status."""

    serializer_class = CheckInSerializer
    filterset_class = CheckInFilter
    queryset = CheckIn.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.checkin_list_in_reach(user=self.request.user).order_by(
            "-created_at", "-id"
        )

    def get_serializer(self, *args, **kwargs):
        if args and not isinstance(args[0], CheckIn):
            rows = list(args[0])
            selectors.checkin_states_set(rows)
            args = (rows, *args[1:])
        elif args:
            selectors.checkin_states_set([args[0]])
        return super().get_serializer(*args, **kwargs)

    @extend_schema(request=CheckInCreateSerializer, responses={201: CheckInSerializer})
    def create(self, request, *args, **kwargs):
        data = CheckInCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values["client"])
        question_set = None
        if values.get("question_set") is not None:
            question_set = (
                selectors.question_sets_for(client=client).filter(pk=values["question_set"]).first()
            )
            if question_set is None:
                raise ValidationError(
                    {"question_set": ["Choose a question set of the client's team."]}
                )
        checkin = services.checkin_send(
            actor=request.user,
            client=client,
            instruments=values["instruments"],
            question_set=question_set,
            channel=values["channel"],
        )
        checkin = selectors.checkin_get(client=client, checkin_id=checkin.pk)
        return Response(CheckInSerializer(checkin).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EmptySerializer, responses={200: CheckInSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Withdraw the link at once (409 when the check-in is completed or revoked)."""
        checkin = self.get_object()
        services.checkin_revoke(actor=request.user, checkin=checkin)
        checkin = selectors.checkin_get(client=checkin.client, checkin_id=checkin.pk)
        return Response(CheckInSerializer(checkin).data)

    @extend_schema(request=EmptySerializer, responses={200: CheckInSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The answers were looked at: off Today, and a risk answer's escalation stops."""
        checkin = self.get_object()
        services.checkin_acknowledge(actor=request.user, checkin=checkin)
        checkin = selectors.checkin_get(client=checkin.client, checkin_id=checkin.pk)
        return Response(CheckInSerializer(checkin).data)
