"""``/api/v1/groups/``, ``/group-memberships/``, ``/group-sessions/``,
``/group-attendance/`` and ``/family-sessions/``: the same rules as the pages.

Groups are those of the teams in reach; memberships and attendance also need the client
in reach (others are 404). Taking attendance is a verb
(``POST /group-sessions/{id}/record/``), as are signing and cancelling.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from casemgmt.accounts.models import Team, User
from casemgmt.accounts.selectors import staff_list, team_list
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from clients.api.public import AuditedReadMixin, client_in_payload
from clients.models import RelatedPerson
from scheduling.models import Appointment, AppointmentKind, AppointmentLocation
from scheduling.selectors import appointment_list

from .. import selectors, services
from ..filters import AttendanceFilter, GroupFilter, MembershipFilter, SessionFilter
from ..models import (
    GROUP_COMPONENTS,
    MAX_CAPACITY,
    AttendanceStatus,
    FamilySessionAttendee,
    Group,
    GroupMembership,
    GroupSession,
    SessionAttendance,
)


def _id(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=2_147_483_647, **kwargs)


_CONFLICT = OpenApiResponse(description="Not allowed in this state; `detail` says why.")


# ----------------------------------------------------------------------------- groups
class GroupSerializer(serializers.ModelSerializer):
    facilitators = serializers.SerializerMethodField()
    active_member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Group
        fields = [
            "id",
            "team",
            "name",
            "description",
            "iddt_component",
            "facilitators",
            "capacity",
            "active_member_count",
            "location",
            "schedule_rule",
            "first_starts_at",
            "duration_minutes",
            "ended_on",
            "created_at",
        ]
        read_only_fields = fields

    def get_facilitators(self, group: Group) -> list[int]:
        return [u.pk for u in group.facilitators.all()]


class GroupCreateSerializer(serializers.Serializer):
    team = _id()
    name = serializers.CharField(max_length=120, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    iddt_component = serializers.ChoiceField([(c.value, c.label) for c in GROUP_COMPONENTS])
    facilitators = serializers.ListField(child=_id(), max_length=20)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY)
    location = serializers.ChoiceField(AppointmentLocation.choices, required=False)
    first_starts_at = serializers.DateTimeField(required=False, allow_null=True)
    schedule_rule = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="RFC 5545 RRULE from the first session, e.g. FREQ=WEEKLY;BYDAY=TU: "
        "sessions are written 12 weeks ahead.",
    )
    duration_minutes = serializers.IntegerField(min_value=15, max_value=480, required=False)


@extend_schema_view(
    list=extend_schema(summary="Groups of your teams"),
    retrieve=extend_schema(summary="One group"),
)
class GroupViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Groups of the teams in reach. Filters: ``team``, ``active``, ``facilitator``,
    ``iddt_component``."""

    serializer_class = GroupSerializer
    filterset_class = GroupFilter
    queryset = Group.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.group_list(user=self.request.user)

    @extend_schema(request=GroupCreateSerializer, responses={201: GroupSerializer})
    def create(self, request, *args, **kwargs):
        data = GroupCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        team = team_list(user=request.user).filter(pk=values.pop("team")).first()
        if not isinstance(team, Team):
            raise ValidationError({"team": ["No team with this id in your reach."]})
        wanted = values.pop("facilitators")
        people = {u.pk: u for u in staff_list(user=request.user).filter(pk__in=wanted)}
        if set(wanted) - set(people):
            raise ValidationError({"facilitators": ["Choose active staff of your teams."]})
        group = services.group_create(
            actor=request.user, team=team, facilitators=[people[i] for i in wanted], **values
        )
        fresh = self.get_queryset().get(pk=group.pk)
        return Response(GroupSerializer(fresh).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------ memberships
class MembershipSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.display_name", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = GroupMembership
        fields = [
            "id",
            "group",
            "client",
            "client_name",
            "joined_on",
            "left_on",
            "left_reason",
            "is_active",
            "added_at",
        ]
        read_only_fields = fields


class MembershipCreateSerializer(serializers.Serializer):
    group = _id()
    client = _id()
    joined_on = serializers.DateField(required=False, allow_null=True)


class MembershipLeaveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, allow_blank=True)
    left_on = serializers.DateField(required=False, allow_null=True)


def _group_in_payload(request, group_id: int) -> Group:
    try:
        return selectors.group_get(user=request.user, group_id=group_id)
    except Http404:
        raise ValidationError({"group": ["No group with this id in your teams."]}) from None


@extend_schema_view(
    list=extend_schema(summary="Group memberships (current first)"),
    retrieve=extend_schema(summary="One membership"),
)
class GroupMembershipViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Members of groups in reach whose client is in reach. Filters: ``group``,
    ``client``, ``active``. Adding a member over the group's capacity is a 400 on
    ``client`` saying so."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    queryset = GroupMembership.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.membership_list(user=self.request.user)

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request, *args, **kwargs):
        data = MembershipCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        group = _group_in_payload(request, values["group"])
        client = client_in_payload(request, values["client"])
        membership = services.group_member_add(
            actor=request.user, group=group, client=client, joined_on=values.get("joined_on")
        )
        fresh = self.get_queryset().get(pk=membership.pk)
        return Response(MembershipSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The member leaves (kept as history)",
        request=MembershipLeaveSerializer,
        responses={200: MembershipSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        membership = self.get_object()
        data = MembershipLeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.group_member_leave(
            actor=request.user,
            membership=membership,
            reason=data.validated_data["reason"],
            left_on=data.validated_data.get("left_on"),
        )
        return Response(MembershipSerializer(self.get_queryset().get(pk=membership.pk)).data)


# --------------------------------------------------------------------------- sessions
class AttendanceSerializer(serializers.ModelSerializer):
    group = serializers.IntegerField(source="session.group_id", read_only=True)
    interventions: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = SessionAttendance
        fields = [
            "id",
            "session",
            "group",
            "client",
            "status",
            "client_line",
            "note",
            "interventions",
            "recorded_at",
        ]
        read_only_fields = fields


class _AttendanceBrief(serializers.Serializer):
    client = serializers.IntegerField()
    status = serializers.ChoiceField(AttendanceStatus.choices)
    note = serializers.IntegerField(allow_null=True, help_text="The member's contact note.")


class SessionSerializer(serializers.ModelSerializer):
    facilitators = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()

    class Meta:
        model = GroupSession
        fields = [
            "id",
            "group",
            "starts_at",
            "ends_at",
            "status",
            "facilitators",
            "topic",
            "shared_data",
            "shared_assessment",
            "shared_plan",
            "cancel_reason",
            "recorded_at",
            "signed_at",
            "attendance",
        ]
        read_only_fields = fields

    def get_facilitators(self, session: GroupSession) -> list[int]:
        return [u.pk for u in session.facilitators.all()]

    @extend_schema_field(_AttendanceBrief(many=True))
    def get_attendance(self, session: GroupSession) -> list[dict]:
        return [
            {"client": a.client_id, "status": a.status, "note": a.note_id}
            for a in session.attendance.all()
        ]


class SessionCreateSerializer(serializers.Serializer):
    group = _id()
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=15, max_value=480, required=False)


class AttendanceEntrySerializer(serializers.Serializer):
    client = _id()
    status = serializers.ChoiceField(AttendanceStatus.choices)
    line = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class SessionRecordSerializer(serializers.Serializer):
    attendance = serializers.ListField(
        child=AttendanceEntrySerializer(), max_length=MAX_CAPACITY * 2, allow_empty=False
    )
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True)
    shared_data = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    shared_assessment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    shared_plan = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    sign = serializers.BooleanField(required=False, default=False)


class SessionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary="Sessions of groups in your teams"),
    retrieve=extend_schema(summary="One session, with its attendance"),
)
class GroupSessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Sessions of groups in reach. Filters: ``group``, ``status``, ``starts_after``,
    ``starts_before`` (ISO 8601), ``facilitator``."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    queryset = GroupSession.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.session_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        audit_record(
            user=request.user,
            action=AuditAction.VIEW,
            object_type="groups.groupsession_list",
            detail={"filters": sorted(k for k, v in request.query_params.items() if v)},
        )
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        session = self.get_object()
        audit_record(user=request.user, action=AuditAction.VIEW, obj=session)
        return Response(SessionSerializer(session).data)

    def _fresh(self, session: GroupSession) -> dict:
        return SessionSerializer(self.get_queryset().get(pk=session.pk)).data

    @extend_schema(request=SessionCreateSerializer, responses={201: SessionSerializer})
    def create(self, request, *args, **kwargs):
        data = SessionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        group = _group_in_payload(request, values["group"])
        session = services.group_session_add(
            actor=request.user,
            group=group,
            starts_at=values["starts_at"],
            duration_minutes=values.get("duration_minutes"),
        )
        return Response(self._fresh(session), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take attendance and write the group note (each attending member's own note)",
        description="One entry per member on the session's day. A client who is not a "
        "member, a member left out, or a shared part or line naming another member is a "
        "400 naming the field; nothing is saved. `sign` signs every note together.",
        request=SessionRecordSerializer,
        responses={200: SessionSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        session = self.get_object()
        data = SessionRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        entries = {
            row["client"]: services.AttendanceEntry(status=row["status"], line=row.get("line", ""))
            for row in values["attendance"]
        }
        if len(entries) != len(values["attendance"]):
            raise ValidationError({"attendance": ["Give each member once."]})
        services.group_session_record(
            actor=request.user,
            session=session,
            attendance=entries,
            shared_data=values.get("shared_data", ""),
            shared_assessment=values.get("shared_assessment", ""),
            shared_plan=values.get("shared_plan", ""),
            topic=values.get("topic", ""),
            sign=values.get("sign", False),
        )
        return Response(self._fresh(session))

    @extend_schema(
        summary="Sign every draft note of the session together",
        request=None,
        responses={200: SessionSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        session = services.group_session_sign(actor=request.user, session=self.get_object())
        return Response(self._fresh(session))

    @extend_schema(
        summary="Cancel a scheduled session",
        request=SessionCancelSerializer,
        responses={200: SessionSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = SessionCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.group_session_cancel(
            actor=request.user, session=self.get_object(), reason=data.validated_data["reason"]
        )
        return Response(self._fresh(session))


@extend_schema_view(
    list=extend_schema(summary="Attendance of clients in your teams at group sessions"),
    retrieve=extend_schema(summary="One attendance row"),
)
class AttendanceViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Filters: ``session``, ``group``, ``client``, ``status``."""

    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilter
    queryset = SessionAttendance.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.attendance_list(user=self.request.user)


# ---------------------------------------------------------------------- family sessions
class FamilySessionSerializer(serializers.ModelSerializer):
    related_persons = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = ["id", "client", "starts_at", "ends_at", "location", "status", "related_persons"]
        read_only_fields = fields

    def get_related_persons(self, appointment: Appointment) -> list[int]:
        # The reverse accessor from groups: mypy's plugin does not always see it.
        rows = cast(Any, appointment).family_attendees.all()
        return [a.related_person_id for a in rows]


class FamilySessionCreateSerializer(serializers.Serializer):
    client = _id()
    related_persons = serializers.ListField(
        child=_id(),
        max_length=20,
        help_text="The client's related persons attending: each needs a release naming "
        "them (a Part 2 consent when substance use information is shared).",
    )
    staff = serializers.ListField(child=_id(), max_length=10)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.ChoiceField(AppointmentLocation.choices)
    telehealth_link = serializers.URLField(required=False, allow_blank=True, max_length=500)
    confirm_conflicts = serializers.BooleanField(required=False, default=False)
    discloses_substance_use = serializers.BooleanField(
        required=False, allow_null=True, default=None
    )


@extend_schema_view(
    list=extend_schema(
        summary="Family sessions (appointments with related persons)",
        parameters=[OpenApiParameter("client", int)],
    ),
    retrieve=extend_schema(summary="One family session"),
)
class FamilySessionViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Appointments of kind family session of clients in reach, with who of the family
    attends. Filter: ``client``."""

    serializer_class = FamilySessionSerializer
    queryset = Appointment.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = (
            appointment_list(user=self.request.user)
            .filter(kind=AppointmentKind.FAMILY_SESSION)
            .prefetch_related("family_attendees")
            .order_by("-starts_at", "-pk")
        )
        client = self.request.query_params.get("client", "")
        if client:
            if not client.isdigit() or len(client) > 10:
                raise ValidationError({"client": ["Give a client id."]})
            qs = qs.filter(client_id=int(client))
        return qs

    @extend_schema(
        request=FamilySessionCreateSerializer,
        responses={201: FamilySessionSerializer, 409: _CONFLICT},
    )
    def create(self, request, *args, **kwargs):
        data = FamilySessionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        wanted = values.pop("related_persons")
        people = {p.pk: p for p in RelatedPerson.objects.filter(client=client, pk__in=wanted)}
        if set(wanted) - set(people):
            raise ValidationError(
                {"related_persons": ["No related person with this id for this client."]}
            )
        staff_ids = values.pop("staff")
        staff = {u.pk: u for u in User.objects.filter(pk__in=staff_ids, is_active=True)}
        if set(staff_ids) - set(staff):
            raise ValidationError({"staff": ["Choose active staff members."]})
        appointment = services.family_session_create(
            actor=request.user,
            client=client,
            related_persons=[people[i] for i in wanted],
            staff=[staff[i] for i in staff_ids],
            **values,
        )
        fresh = self.get_queryset().get(pk=appointment.pk)
        return Response(FamilySessionSerializer(fresh).data, status=status.HTTP_201_CREATED)


__all__ = [
    "AttendanceViewSet",
    "FamilySessionAttendee",
    "FamilySessionViewSet",
    "GroupMembershipViewSet",
    "GroupSessionViewSet",
    "GroupViewSet",
]
