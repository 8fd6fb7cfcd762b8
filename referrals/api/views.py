"""API: directory, referrals (one action per move), care transitions, follow-ups.

Client data is scoped to the caller's teams: out of reach is 404 (or a 400 naming
``client`` in a create payload). State changes are verbs."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clients.api.public import AuditedReadMixin, client_in_payload

from .. import selectors, services
from ..filters import (
    FollowUpFilter,
    OrganizationFilter,
    ReferralFilter,
    ServiceFilter,
    TransitionFilter,
)
from ..models import CareTransition, FollowUp, Organization, Referral, ReferralStatus, Service
from .serializers import (
    CareTransitionCreateSerializer,
    CareTransitionSerializer,
    DischargeSerializer,
    FollowUpCloseSerializer,
    FollowUpCreateSerializer,
    FollowUpRescheduleSerializer,
    FollowUpSerializer,
    OrganizationSerializer,
    ReferralCreateSerializer,
    ReferralMoveSerializer,
    ReferralSerializer,
    ServiceSerializer,
)


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The resource directory. Filters: q (text), category, language, status."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    queryset = Service.objects.select_related("organization").order_by("name", "id")


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The directory's organisations, each with its services in brief. Filters: q (text),
    and the services' filters: category, language, status (an organisation with such a
    service)."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    queryset = Organization.objects.prefetch_related(
        Prefetch("services", queryset=Service.objects.order_by("name", "id"))
    ).order_by("name", "id")


class ReferralViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals of clients in reach. Filters: client, status, urgency, category, open.
    Moves: send, receive, accept, schedule, complete, decline, no-show, cancel (409 when
    not allowed from the current status)."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    queryset = Referral.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.referral_list(user=self.request.user).prefetch_related("events__actor")

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request, *args, **kwargs):
        data = ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        referral = services.referral_create(actor=request.user, client=client, **values)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    def _move(self, request, pk, to):
        referral = selectors.referral_get(user=request.user, referral_id=pk)
        data = ReferralMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if to == ReferralStatus.SENT:
            referral = services.referral_send(
                actor=request.user, referral=referral, note=values["note"]
            )
        else:
            referral = services.referral_move(
                actor=request.user, referral=referral, status=to, **values
            )
        referral = selectors.referral_get(user=request.user, referral_id=pk)
        return Response(ReferralSerializer(referral).data)

    _move_schema = extend_schema(
        request=ReferralMoveSerializer, responses={200: ReferralSerializer}
    )

    @_move_schema
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send (42 CFR Part 2 consent gate: 409 naming what is missing)."""
        return self._move(request, pk, ReferralStatus.SENT)

    @_move_schema
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        return self._move(request, pk, ReferralStatus.RECEIVED)

    @_move_schema
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._move(request, pk, ReferralStatus.ACCEPTED)

    @_move_schema
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        """Needs ``appointment_at``."""
        return self._move(request, pk, ReferralStatus.SCHEDULED)

    @_move_schema
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Needs ``completion_confirmation`` (closed loop)."""
        return self._move(request, pk, ReferralStatus.COMPLETED)

    @_move_schema
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._move(request, pk, ReferralStatus.DECLINED)

    @_move_schema
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        return self._move(request, pk, ReferralStatus.NO_SHOW)

    @_move_schema
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move(request, pk, ReferralStatus.CANCELLED)


class CareTransitionViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Care transitions with their HEDIS follow-up windows (met, missed, open).
    Filters: client, measure, from_level, discharged_after, discharged_before."""

    serializer_class = CareTransitionSerializer
    filterset_class = TransitionFilter
    queryset = CareTransition.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.transition_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        self.audit_list(request)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        windows = selectors.transition_windows(page)
        data = CareTransitionSerializer(page, many=True, context={"windows": windows}).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=CareTransitionCreateSerializer, responses={201: CareTransitionSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = CareTransitionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        transition = services.transition_record(actor=request.user, client=client, **values)
        return Response(CareTransitionSerializer(transition).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DischargeSerializer, responses={200: CareTransitionSerializer})
    @action(detail=True, methods=["post"])
    def discharge(self, request, pk=None):
        """Record the discharge; creates the 7- and 30-day follow-ups."""
        transition = selectors.transition_get(user=request.user, transition_id=pk)
        data = DischargeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transition = services.transition_discharge(
            actor=request.user, transition=transition, **data.validated_data
        )
        return Response(CareTransitionSerializer(transition).data)


class FollowUpViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Follow-ups of clients in reach. Filters: client, status, reason, mine,
    due_before, due_after. Verbs: done, missed, cancel, reschedule."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    queryset = FollowUp.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.followup_list(user=self.request.user)

    @extend_schema(request=FollowUpCreateSerializer, responses={201: FollowUpSerializer})
    def create(self, request, *args, **kwargs):
        data = FollowUpCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        followup = services.followup_create(
            actor=request.user, client=client, assignee=None, **values
        )
        return Response(FollowUpSerializer(followup).data, status=status.HTTP_201_CREATED)

    def _close(self, request, pk, to):
        followup = selectors.followup_get(user=request.user, followup_id=pk)
        data = FollowUpCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        followup = services.followup_close(
            actor=request.user, followup=followup, status=to, **data.validated_data
        )
        return Response(FollowUpSerializer(followup).data)

    _close_schema = extend_schema(
        request=FollowUpCloseSerializer, responses={200: FollowUpSerializer}
    )

    @_close_schema
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        return self._close(request, pk, "done")

    @_close_schema
    @action(detail=True, methods=["post"])
    def missed(self, request, pk=None):
        """Needs ``outcome_note``."""
        return self._close(request, pk, "missed")

    @_close_schema
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Needs ``outcome_note``."""
        return self._close(request, pk, "cancelled")

    @extend_schema(request=FollowUpRescheduleSerializer, responses={200: FollowUpSerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move an open follow-up to ``due_on`` (today or later; a care-transition
        follow-up not past its window's last day), optional ``due_time``, with a
        ``reason``. 400 names the field; 409 when the follow-up is closed."""
        followup = selectors.followup_get(user=request.user, followup_id=pk)
        data = FollowUpRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        followup = services.followup_reschedule(
            actor=request.user, followup=followup, **data.validated_data
        )
        return Response(FollowUpSerializer(followup).data)
