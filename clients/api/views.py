"""API for the client record, diagnoses, risk flags, timeline and emergency access.

Everything is scoped to the caller's teams: out of reach is 404. State changes are
verbs (``POST /clients/{id}/status/``, ``/transfer/``, ``/risk-flags/{id}/clear/``)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from .. import services
from ..filters import ClientFilter
from ..models import Client, Diagnosis, RiskFlag
from ..selectors import (
    client_get,
    client_list,
    client_possible_duplicates,
    emergency_access_allowed,
    emergency_access_request_get,
    timeline_list,
)
from .public import AuditedReadMixin, client_in_payload
from .serializers import (
    ClientCreateSerializer,
    ClientSerializer,
    ClientUpdateSerializer,
    DiagnosisCreateSerializer,
    DiagnosisReclassifySerializer,
    DiagnosisSerializer,
    DiagnosisUpdateSerializer,
    DuplicateInquiryAnswerSerializer,
    DuplicateInquirySerializer,
    DuplicateQuerySerializer,
    DuplicatesSerializer,
    EmergencyAccessSerializer,
    ReasonSerializer,
    RiskFlagCreateSerializer,
    RiskFlagSerializer,
    StatusChangeSerializer,
    TimelineEntrySerializer,
    TransferSerializer,
)


def client_for_api(request, client_id, *, audit: bool = True) -> Client:
    """Fetch-or-404 within the caller's reach (or emergency access), audited as a view."""
    client = client_get(user=request.user, client_id=client_id)
    if audit:
        services.client_read_audit(user=request.user, client=client)
    return client


class ClientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Clients of the caller's teams. Filters: q (name, number, date of birth), status,
    team, case_manager, dual_diagnosis, risk_flag, mine."""

    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    queryset = Client.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return client_list(user=self.request.user)

    def get_object(self):
        return client_for_api(self.request, self.kwargs["pk"], audit=False)

    def list(self, request, *args, **kwargs):
        audit_record(
            user=request.user,
            action=AuditAction.VIEW,
            object_type="clients.client_list",
            detail={"filters": sorted(k for k, v in request.query_params.items() if v)},
        )
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return Response(ClientSerializer(client_for_api(request, kwargs["pk"])).data)

    @extend_schema(request=ClientCreateSerializer, responses={201: ClientSerializer})
    def create(self, request, *args, **kwargs):
        data = ClientCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.client_create(actor=request.user, **data.validated_data)
        return Response(ClientSerializer(client).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ClientUpdateSerializer,
        responses={
            200: ClientSerializer,
            409: inline_serializer(
                "EditConflict",
                {
                    "detail": serializers.CharField(),
                    "changed_fields": serializers.ListField(),
                    "version": serializers.IntegerField(),
                },
            ),
        },
    )
    def update(self, request, *args, **kwargs):
        client = self.get_object()
        data = ClientUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version", None)
        if version is None:
            raise DRFValidationError({"version": ["Send the version you last read."]})
        client = services.client_update(
            actor=request.user, client=client, data=values, expected_version=version
        )
        return Response(ClientSerializer(client_get(user=request.user, client_id=client.pk)).data)

    @extend_schema(request=StatusChangeSerializer, responses={200: ClientSerializer})
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Move along the lifecycle (409 for a transition that is not allowed)."""
        client = self.get_object()
        data = StatusChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.client_change_status(actor=request.user, client=client, **data.validated_data)
        return Response(ClientSerializer(client_get(user=request.user, client_id=pk)).data)

    @extend_schema(request=TransferSerializer, responses={200: ClientSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Reassign team and/or primary case manager, with a reason."""
        client = self.get_object()
        data = TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.client_transfer(actor=request.user, client=client, **data.validated_data)
        return Response(ClientSerializer(client_get(user=request.user, client_id=pk)).data)

    @extend_schema(
        responses={200: TimelineEntrySerializer(many=True)},
        parameters=[OpenApiParameter("kind", str, many=True)],
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        client = client_for_api(request, pk)
        entries = timeline_list(client=client, kinds=request.query_params.getlist("kind") or None)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(TimelineEntrySerializer(page, many=True).data)

    @extend_schema(parameters=[DuplicateQuerySerializer], responses={200: DuplicatesSerializer})
    @action(detail=False, methods=["get"])
    def duplicates(self, request):
        """Possible duplicates for an intake: same date of birth, similar name. Of clients
        of other teams only that one exists is said (no number, name or team); ask that
        team with ``duplicates/ask/``."""
        query = DuplicateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        mine, elsewhere = client_possible_duplicates(user=request.user, **query.validated_data)
        audit_record(
            user=request.user,
            action=AuditAction.VIEW,
            object_type="clients.duplicates",
            detail={"clients": [c.pk for c in mine], "other_teams": len(elsewhere)},
        )
        return Response(
            {
                "in_reach": ClientSerializer(mine, many=True).data,
                "possible_duplicate_elsewhere": bool(elsewhere),
            }
        )

    @extend_schema(
        request=DuplicateInquirySerializer, responses={202: DuplicateInquiryAnswerSerializer}
    )
    @action(detail=False, methods=["post"], url_path="duplicates/ask")
    def duplicates_ask(self, request):
        """Ask the team holding a possible duplicate to contact you: its supervisors are
        notified. The answer is the same whether or not such a client exists."""
        data = DuplicateInquirySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.duplicate_inquiry_send(actor=request.user, **data.validated_data)
        return Response(
            {"detail": services.DUPLICATE_INQUIRY_SENT}, status=status.HTTP_202_ACCEPTED
        )


class DiagnosisViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Diagnoses of clients in reach. Filter with ``?client=<id>``. The code of a
    recorded diagnosis never changes; set ``status`` (e.g. entered_in_error) instead."""

    serializer_class = DiagnosisSerializer
    queryset = Diagnosis.objects.none()
    filterset_fields = ["client", "category", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        reach = client_list(user=self.request.user).values("pk")
        return Diagnosis.objects.filter(client_id__in=reach).select_related("recorded_by")

    @extend_schema(request=DiagnosisCreateSerializer, responses={201: DiagnosisSerializer})
    def create(self, request, *args, **kwargs):
        data = DiagnosisCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        diagnosis = services.diagnosis_add(actor=request.user, client=client, **values)
        return Response(DiagnosisSerializer(diagnosis).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DiagnosisUpdateSerializer, responses={200: DiagnosisSerializer})
    def update(self, request, *args, **kwargs):
        diagnosis = self.get_object()
        data = DiagnosisUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        diagnosis = services.diagnosis_update(
            actor=request.user, diagnosis=diagnosis, data=data.validated_data
        )
        return Response(DiagnosisSerializer(diagnosis).data)

    @extend_schema(request=DiagnosisReclassifySerializer, responses={200: DiagnosisSerializer})
    @action(detail=True, methods=["post"])
    def reclassify(self, request, pk=None):
        """Classify this diagnosis differently for the dual-diagnosis rule (``kind``,
        ``counts_toward_dual``), or back to the table (``kind`` null), with a ``reason``
        (required; audited). 400 naming the field otherwise, nothing saved."""
        diagnosis = self.get_object()
        data = DiagnosisReclassifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        diagnosis = services.diagnosis_reclassify(
            actor=request.user, diagnosis=diagnosis, **data.validated_data
        )
        return Response(DiagnosisSerializer(diagnosis).data)


class RiskFlagViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Risk flags (active and cleared) of clients in reach. Filters: client, kind, active."""

    serializer_class = RiskFlagSerializer
    queryset = RiskFlag.objects.none()
    filterset_fields = {"client": ["exact"], "kind": ["exact"], "cleared_at": ["isnull"]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        reach = client_list(user=self.request.user).values("pk")
        return RiskFlag.objects.filter(client_id__in=reach).select_related("set_by", "cleared_by")

    @extend_schema(request=RiskFlagCreateSerializer, responses={201: RiskFlagSerializer})
    def create(self, request, *args, **kwargs):
        data = RiskFlagCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        flag = services.risk_flag_set(actor=request.user, client=client, **values)
        return Response(RiskFlagSerializer(flag).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses={200: RiskFlagSerializer})
    @action(detail=True, methods=["post"])
    def clear(self, request, pk=None):
        flag = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = services.risk_flag_clear(actor=request.user, flag=flag, **data.validated_data)
        return Response(RiskFlagSerializer(flag).data)


def _granted(access) -> Response:
    """The answer to a grant, whether opened at once or approved by a supervisor."""
    return Response(
        {
            "client": access.client_id,
            "client_number": access.client.client_number,
            "reason_code": access.reason_code,
            "reason": access.reason,
            "expires_at": access.expires_at,
        },
        status=status.HTTP_201_CREATED,
    )


class EmergencyAccessViewSet(viewsets.GenericViewSet):
    """Break-the-glass (42 CFR 2.51 medical emergency): open a client outside your teams
    by number, with the kind of emergency and what it is, for 60 minutes. Clinical roles
    only (403 for others, whatever the number); at most ``EMERGENCY_ACCESS_DAILY_LIMIT``
    per 24 hours (409 beyond, the supervisors of your teams are told). Audited as
    emergency access; the client's team's supervisors are notified."""

    serializer_class = EmergencyAccessSerializer

    @extend_schema(responses={201: EmergencyAccessSerializer})
    def create(self, request):
        if not emergency_access_allowed(user=request.user):
            raise PermissionDenied(services.EMERGENCY_ACCESS_REFUSED)
        data = EmergencyAccessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access = services.emergency_access_grant(user=request.user, **data.validated_data)
        return _granted(access)

    @extend_schema(request=None, responses={201: EmergencyAccessSerializer})
    @action(
        detail=False,
        methods=["post"],
        url_path=r"requests/(?P<request_id>[0-9]{1,18})/approve",
    )
    def approve(self, request, request_id=None):
        """A supervisor of the requester's team approves a request over the daily limit
        (the 409 of ``create`` names it to them by notification): the grant opens for 60
        minutes. Anyone else: 404."""
        pending = emergency_access_request_get(user=request.user, request_id=int(request_id))
        access = services.emergency_access_request_approve(supervisor=request.user, request=pending)
        return _granted(access)
