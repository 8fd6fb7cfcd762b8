"""API: /appointments/ (book, list, filters; actions check-in, complete, no-show, cancel,
reschedule) and /recurrences/. Scoped to the clients in reach: out of reach is 404;
booking for one is a 400 naming ``client``. An overlap without ``confirm_conflicts`` is
a 409 listing the conflicts."""

from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casemgmt.accounts.models import User
from clients.api.public import AuditedReadMixin, client_in_payload

from .. import services
from ..filters import AppointmentFilter
from ..models import Appointment, Recurrence
from ..selectors import appointment_list, recurrence_list
from .serializers import (
    AppointmentCreateSerializer,
    AppointmentSerializer,
    CancelSerializer,
    EmptySerializer,
    RecurrenceSerializer,
    RescheduleSerializer,
)

_STATE = {
    200: AppointmentSerializer,
    404: OpenApiResponse(description="Not found or out of reach"),
    409: OpenApiResponse(description="Not allowed in the appointment's status"),
}


class AppointmentViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Appointments of the clients in your teams. Filters: client, staff, kind, status,
    starts_after / starts_before (a date range), recurrence."""

    queryset = Appointment.objects.none()
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter

    def get_queryset(self) -> QuerySet[Appointment]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return appointment_list(user=cast(User, self.request.user)).order_by("starts_at", "pk")

    def _fresh(self, appointment: Appointment) -> Response:
        return Response(
            AppointmentSerializer(
                appointment_list(user=cast(User, self.request.user)).get(pk=appointment.pk)
            ).data
        )

    @extend_schema(
        request=AppointmentCreateSerializer,
        responses={
            201: AppointmentSerializer,
            409: OpenApiResponse(description="Overlaps another appointment: confirm_conflicts"),
        },
    )
    def create(self, request):
        data = AppointmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        appointment = services.appointment_create(actor=request.user, client=client, **values)
        response = self._fresh(appointment)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=EmptySerializer, responses=_STATE)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        appointment = services.appointment_check_in(
            actor=request.user, appointment=self.get_object()
        )
        return self._fresh(appointment)

    @extend_schema(request=EmptySerializer, responses=_STATE)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Completed: then write its contact note (POST /api/v1/notes/); the page opens it
        prefilled."""
        appointment = services.appointment_complete(
            actor=request.user, appointment=self.get_object()
        )
        return self._fresh(appointment)

    @extend_schema(request=EmptySerializer, responses=_STATE)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        """A no-show: a follow-up for the assignee to reach the client within 2 business days."""
        appointment = services.appointment_no_show(
            actor=request.user, appointment=self.get_object()
        )
        return self._fresh(appointment)

    @extend_schema(request=CancelSerializer, responses=_STATE)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_cancel(
            actor=request.user,
            appointment=self.get_object(),
            by=data.validated_data["by"],
            reason=data.validated_data["cancellation_reason"],
        )
        return self._fresh(appointment)

    @extend_schema(
        request=RescheduleSerializer,
        responses={**_STATE, 409: OpenApiResponse(description="Overlap or not allowed now")},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move it. Returns the appointment at its new time (the old one stays,
        "rescheduled"). ``scope=following`` moves this and the following ones of a series."""
        data = RescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        scope = values.pop("scope")
        rule = values.pop("rule", "")
        appointment = self.get_object()
        if scope == "following":
            moved = services.recurrence_edit_following(
                actor=request.user, appointment=appointment, rule=rule or None, **values
            )
        else:
            moved = services.appointment_reschedule(
                actor=request.user, appointment=appointment, **values
            )
        return self._fresh(moved)


class RecurrenceViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Series of recurring appointments (their occurrences: /appointments/?recurrence=)."""

    queryset = Recurrence.objects.none()
    serializer_class = RecurrenceSerializer
    filterset_fields = ["client"]

    def get_queryset(self) -> QuerySet[Recurrence]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return recurrence_list(user=cast(User, self.request.user)).order_by("pk")
