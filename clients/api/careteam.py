"""``/api/v1/care-team-members/``: the care teams of clients in reach.

A member is a staff user or an outside contact (exactly one). Members are ended with
``POST /care-team-members/{id}/end/``, never deleted.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casemgmt.accounts.models import User

from .. import services
from ..forms_notes import CareTeamMemberFilter
from ..models import CareTeamMember, CareTeamRole
from ..selectors import care_team_in_reach
from .public import AuditedReadMixin, client_in_payload
from .related import related_person_in_payload


class CareTeamMemberSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    added_by_name = serializers.CharField(source="added_by.display_name", read_only=True)

    class Meta:
        model = CareTeamMember
        fields = [
            "id",
            "client",
            "role",
            "user",
            "related_person",
            "display_name",
            "name",
            "organisation",
            "phone",
            "email",
            "notes",
            "started_on",
            "ended_on",
            "is_active",
            "added_by",
            "added_by_name",
            "added_at",
        ]
        read_only_fields = fields


class CareTeamMemberCreateSerializer(serializers.Serializer):
    """A staff ``user`` or an outside contact's ``name`` (with organisation, phone,
    email), or a ``related_person`` of the client: exactly one. Types only; the rules
    are in ``clients.services.careteam``."""

    client = serializers.IntegerField(help_text="A client in your teams.")
    role = serializers.ChoiceField(CareTeamRole.choices)
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    related_person = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2_147_483_647,
        help_text="An outside contact from the client's related persons "
        "(`/api/v1/related-persons/`): their name, phone and email are copied.",
    )
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    organisation = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=255, required=False, allow_blank=True)
    started_on = serializers.DateField(required=False, allow_null=True)


class CareTeamEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to today."
    )


@extend_schema_view(
    list=extend_schema(summary="Care team members: current first, then past"),
    retrieve=extend_schema(summary="One care team member"),
)
class CareTeamMemberViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Care team members of clients in reach (others are 404). Filters: ``client``,
    ``active`` (true/false), ``role``."""

    serializer_class = CareTeamMemberSerializer
    filterset_class = CareTeamMemberFilter
    queryset = CareTeamMember.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return care_team_in_reach(user=self.request.user)

    @extend_schema(
        summary="Add a member",
        request=CareTeamMemberCreateSerializer,
        responses={201: CareTeamMemberSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = CareTeamMemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        values["related_person"] = related_person_in_payload(client, values.get("related_person"))
        member = services.care_team_member_add(actor=request.user, client=client, **values)
        return Response(CareTeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="End a membership (kept as a past member)",
        request=CareTeamEndSerializer,
        responses={
            200: CareTeamMemberSerializer,
            409: OpenApiResponse(description="The member has already left the care team."),
        },
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        member = self.get_object()
        data = CareTeamEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.care_team_member_end(
            actor=request.user, member=member, ended_on=data.validated_data.get("ended_on")
        )
        return Response(CareTeamMemberSerializer(member).data)
