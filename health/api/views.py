"""API: /medications/ (stop, check-ins), /adherence-check-ins/ (read), /reconciliations/,
/crisis-episodes/, /harm-reduction/. Scoped to clients in reach: out of reach is 404;
creating for one is a 400 naming ``client``."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casemgmt.lib.locking import expected_version
from clients.api.public import AuditedReadMixin, client_in_payload
from clients.selectors import client_ids_in_reach

from .. import services
from ..filters import CheckInFilter
from ..models import (
    AdherenceCheckIn,
    CrisisEpisode,
    HarmReductionSupply,
    Medication,
    Reconciliation,
)
from .serializers import (
    CheckInCreateSerializer,
    CheckInListSerializer,
    CheckInSerializer,
    CrisisEpisodeCreateSerializer,
    CrisisEpisodeSerializer,
    MedicationCreateSerializer,
    MedicationSerializer,
    MedicationUpdateSerializer,
    ReconciliationCreateSerializer,
    ReconciliationSerializer,
    StopSerializer,
    SupplyCreateSerializer,
    SupplySerializer,
)


class _ClientScoped(AuditedReadMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    related: tuple = ()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        reach = client_ids_in_reach(user=self.request.user)
        return self.queryset.model.objects.filter(client_id__in=reach).select_related(*self.related)

    def _create(self, request, serializer_class, service, result_serializer, **fixed):
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        obj = service(actor=request.user, client=client, **values, **fixed)
        return Response(result_serializer(obj).data, status=status.HTTP_201_CREATED)


class MedicationViewSet(_ClientScoped, mixins.RetrieveModelMixin):
    """Medications (history kept: stopped ones stay). Filters: client, status, is_moud."""

    queryset = Medication.objects.none()
    serializer_class = MedicationSerializer
    filterset_fields = ["client", "status", "is_moud", "is_psychiatric"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("check_ins")

    @extend_schema(request=MedicationCreateSerializer, responses={201: MedicationSerializer})
    def create(self, request):
        return self._create(
            request, MedicationCreateSerializer, services.medication_add, MedicationSerializer
        )

    @extend_schema(request=MedicationUpdateSerializer, responses={200: MedicationSerializer})
    def partial_update(self, request, pk=None):
        medication = self.get_object()
        data = MedicationUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = expected_version(request, values)
        services.medication_update(
            actor=request.user, medication=medication, data=values, expected_version=expected
        )
        return Response(MedicationSerializer(self.get_object()).data)

    @extend_schema(request=StopSerializer, responses={200: MedicationSerializer})
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        medication = self.get_object()
        data = StopSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.medication_stop(actor=request.user, medication=medication, **data.validated_data)
        return Response(MedicationSerializer(self.get_object()).data)

    @extend_schema(request=CheckInCreateSerializer, responses={201: CheckInSerializer})
    @action(detail=True, methods=["post"], url_path="check-ins")
    def check_ins(self, request, pk=None):
        medication = self.get_object()
        data = CheckInCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check_in = services.checkin_record(
            actor=request.user, medication=medication, **data.validated_data
        )
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)


class AdherenceCheckInViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Adherence check-ins of the medications of clients in reach, newest first. Filters:
    client, medication, adherence, checked_after, checked_before (dates, inclusive).
    Recorded through ``POST /medications/{id}/check-ins/``."""

    queryset = AdherenceCheckIn.objects.none()
    serializer_class = CheckInListSerializer
    filterset_class = CheckInFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        reach = client_ids_in_reach(user=self.request.user)
        return (
            AdherenceCheckIn.objects.filter(medication__client_id__in=reach)
            .select_related("medication", "recorded_by")
            .order_by("-checked_on", "-id")
        )

    def audit_client_id(self, obj) -> int:
        return obj.medication.client_id


class ReconciliationViewSet(_ClientScoped):
    queryset = Reconciliation.objects.none()
    serializer_class = ReconciliationSerializer
    filterset_fields = ["client", "transition_id"]

    @extend_schema(
        request=ReconciliationCreateSerializer, responses={201: ReconciliationSerializer}
    )
    def create(self, request):
        return self._create(
            request,
            ReconciliationCreateSerializer,
            services.reconciliation_record,
            ReconciliationSerializer,
        )


class CrisisEpisodeViewSet(_ClientScoped, mixins.RetrieveModelMixin):
    """Crisis episodes. Recording one raises the matching risk flag, notifies the team's
    supervisors and creates a follow-up within 24 hours."""

    queryset = CrisisEpisode.objects.none()
    serializer_class = CrisisEpisodeSerializer
    filterset_fields = ["client", "crisis_type"]

    @extend_schema(request=CrisisEpisodeCreateSerializer, responses={201: CrisisEpisodeSerializer})
    def create(self, request):
        return self._create(
            request, CrisisEpisodeCreateSerializer, services.crisis_record, CrisisEpisodeSerializer
        )


class HarmReductionViewSet(_ClientScoped):
    """Naloxone kits, test strips and other supplies given to clients."""

    queryset = HarmReductionSupply.objects.none()
    serializer_class = SupplySerializer
    filterset_fields = ["client", "kind"]

    @extend_schema(request=SupplyCreateSerializer, responses={201: SupplySerializer})
    def create(self, request):
        return self._create(request, SupplyCreateSerializer, services.supply_give, SupplySerializer)
