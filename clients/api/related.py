"""``/api/v1/related-persons/``: family, friends and other contacts of clients in reach.

Each person carries what covers them today: ``release_consent`` (an active release of
information, or Part 2 consent, naming them) and ``part2_consent`` (an active 42 CFR
Part 2 consent naming them: substance use information may be shared). People are marked
inactive with ``POST /related-persons/{id}/deactivate/``, never deleted.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from casemgmt.lib.locking import expected_version, version_input

from .. import services
from ..forms_related import RelatedPersonFilter
from ..models import Client, RelatedPerson, Relationship
from ..selectors import related_person_coverage, related_person_list_in_reach
from .public import AuditedReadMixin, client_in_payload


class RelatedPersonSerializer(serializers.ModelSerializer):
    relationship_label = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    consent_ids = serializers.SerializerMethodField(
        help_text="Releases and Part 2 consents naming this person (any state)."
    )
    release_consent = serializers.SerializerMethodField(
        help_text="The release of information (or Part 2 consent) in effect today naming "
        "them: information other than substance use may be shared. Null: none."
    )
    part2_consent = serializers.SerializerMethodField(
        help_text="The 42 CFR Part 2 consent in effect today naming them: substance use "
        "information may be shared. Null: none."
    )
    added_by_name = serializers.CharField(source="added_by.display_name", read_only=True)

    class Meta:
        model = RelatedPerson
        fields = [
            "id",
            "client",
            "name",
            "relationship",
            "relationship_detail",
            "relationship_label",
            "phone",
            "email",
            "address",
            "preferred_language",
            "interpreter_needed",
            "in_support_network",
            "notes",
            "is_active",
            "inactive_on",
            "inactive_reason",
            "consent_ids",
            "release_consent",
            "part2_consent",
            "added_by",
            "added_by_name",
            "added_at",
            "updated_at",
            "edit_version",
        ]
        read_only_fields = fields

    def _coverage(self, person: RelatedPerson):
        if not hasattr(person, "coverage"):
            person.coverage = related_person_coverage(person, person.client.team.local_date())
        return person.coverage

    def get_consent_ids(self, person: RelatedPerson) -> list[int]:
        return sorted(c.pk for c in person.consents.all())

    def get_release_consent(self, person: RelatedPerson) -> int | None:
        coverage = self._coverage(person)
        return coverage.any.pk if coverage.any else None

    def get_part2_consent(self, person: RelatedPerson) -> int | None:
        coverage = self._coverage(person)
        return coverage.part2.pk if coverage.part2 else None


class _PersonFields(serializers.Serializer):
    """Types only; the rules are in ``clients.services.related``."""

    name = serializers.CharField(max_length=150, allow_blank=True)
    relationship = serializers.ChoiceField(Relationship.choices)
    relationship_detail = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    preferred_language = serializers.CharField(max_length=60, required=False, allow_blank=True)
    interpreter_needed = serializers.BooleanField(required=False)
    in_support_network = serializers.BooleanField(required=False)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class RelatedPersonCreateSerializer(_PersonFields):
    client = serializers.IntegerField(help_text="A client in your teams.")


class RelatedPersonUpdateSerializer(_PersonFields):
    edit_version = version_input()


class RelatedPersonDeactivateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, allow_blank=True)
    inactive_on = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to today."
    )


def related_person_in_payload(
    client: Client, person_id: int | None, *, field: str = "related_person"
) -> RelatedPerson | None:
    """The related person of ``client`` named in a payload, or a 400 naming ``field``."""
    if person_id is None:
        return None
    person = RelatedPerson.objects.filter(pk=person_id, client=client).first()
    if person is None:
        raise ValidationError({field: ["No related person with this id for this client."]})
    return person


@extend_schema_view(
    list=extend_schema(summary="Related persons: active first, then inactive"),
    retrieve=extend_schema(summary="One related person, with the consents covering them"),
)
class RelatedPersonViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Related persons of clients in reach (others are 404). Filters: ``client``,
    ``active`` (true/false), ``in_support_network``, ``relationship``."""

    serializer_class = RelatedPersonSerializer
    filterset_class = RelatedPersonFilter
    queryset = RelatedPerson.objects.none()  # for the schema; requests use get_queryset
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return related_person_list_in_reach(user=self.request.user)

    def _fresh(self, person: RelatedPerson) -> dict:
        return RelatedPersonSerializer(self.get_queryset().get(pk=person.pk)).data

    @extend_schema(
        summary="Add a related person",
        request=RelatedPersonCreateSerializer,
        responses={201: RelatedPersonSerializer},
    )
    def create(self, request, *args, **kwargs) -> Response:
        data = RelatedPersonCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        person = services.related_person_add(actor=request.user, client=client, **values)
        return Response(self._fresh(person), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a related person's details",
        request=RelatedPersonUpdateSerializer,
        responses={
            200: RelatedPersonSerializer,
            409: OpenApiResponse(
                description="Inactive (kept as they were), or changed since the "
                "`edit_version` you sent."
            ),
        },
    )
    def partial_update(self, request, *args, **kwargs) -> Response:
        person = self.get_object()
        data = RelatedPersonUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = expected_version(request, values)
        person = services.related_person_update(
            actor=request.user, person=person, values=values, expected_version=version
        )
        return Response(self._fresh(person))

    def update(self, request, *args, **kwargs) -> Response:  # PATCH only
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        summary="Mark a related person inactive (kept on the chart)",
        request=RelatedPersonDeactivateSerializer,
        responses={
            200: RelatedPersonSerializer,
            409: OpenApiResponse(description="The person is already inactive."),
        },
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None) -> Response:
        person = self.get_object()
        data = RelatedPersonDeactivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.related_person_deactivate(
            actor=request.user,
            person=person,
            reason=data.validated_data["reason"],
            inactive_on=data.validated_data.get("inactive_on"),
        )
        return Response(self._fresh(person))
