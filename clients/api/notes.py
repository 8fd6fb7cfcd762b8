"""``/api/v1/notes/``: contact notes (DAP) of clients in reach, with their addenda.

Drafts are changed by their author with the ``version`` they last read (a stale save is
409). Signing is a verb (``POST /notes/{id}/sign/``, author only) and locks the note:
a change to a signed note is 409 with the reason, and only addenda can be added
(``POST /notes/{id}/addenda/``). Nothing is deleted.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from ..forms_notes import ContactNoteFilter
from ..models import ContactNote, ContactType, NoteAddendum
from ..selectors import note_list_in_reach
from .public import AuditedReadMixin, client_in_payload
from .related import related_person_in_payload


# ---------------------------------------------------------------------------- serializers
class NoteAddendumSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = NoteAddendum
        fields = ["id", "note", "text", "author", "author_name", "created_at"]
        read_only_fields = fields


class ContactNoteSerializer(serializers.ModelSerializer):
    """What the API returns for a note: the DAP narrative, who wrote and signed it, its
    ``version`` (send it back to change a draft) and its addenda, oldest first."""

    author_name = serializers.CharField(source="author.display_name", read_only=True)
    signed_by_name = serializers.CharField(
        source="signed_by.display_name", default=None, read_only=True
    )
    is_signed = serializers.BooleanField(read_only=True)
    addenda = NoteAddendumSerializer(many=True, read_only=True)
    related_person_name = serializers.CharField(
        source="related_person.name", default=None, read_only=True
    )

    class Meta:
        model = ContactNote
        fields = [
            "id",
            "client",
            "contact_at",
            "contact_type",
            "duration_minutes",
            "data",
            "assessment",
            "plan",
            "related_person",
            "related_person_name",
            "discloses_substance_use",
            "consent",
            "author",
            "author_name",
            "created_at",
            "updated_at",
            "is_signed",
            "signed_at",
            "signed_by",
            "signed_by_name",
            "version",
            "addenda",
        ]
        read_only_fields = fields


class _NoteFields(serializers.Serializer):
    """Types only; the rules (not in the future, 1-600 minutes, DAP complete except the
    assessment of an outreach attempt) are in ``clients.services.notes``."""

    contact_at = serializers.DateTimeField()
    contact_type = serializers.ChoiceField(ContactType.choices)
    duration_minutes = serializers.IntegerField()
    # The serializer metaclass moves declared fields aside: no clash with .data.
    data = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    assessment = serializers.CharField(required=False, allow_blank=True)
    plan = serializers.CharField(allow_blank=True)
    related_person = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2_147_483_647,
        help_text="A collateral contact: the related person it was with "
        "(`/api/v1/related-persons/`). Refused (400 on this field, with the reason) "
        "unless a release of information in effect on the contact's day names them.",
    )
    discloses_substance_use = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Collateral contact: substance use information was shared (needs a "
        "42 CFR Part 2 consent naming the person). Omitted: presumed when the client has a "
        "substance use diagnosis.",
    )


class ContactNoteCreateSerializer(_NoteFields):
    client = serializers.IntegerField(help_text="A client in your teams.")


class ContactNoteUpdateSerializer(_NoteFields):
    version = serializers.IntegerField(help_text="The version you last read.")


class NoteSignSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text="The version you read; signing a newer one is refused (409)."
    )


class NoteAddendumCreateSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


_CONFLICT = OpenApiResponse(
    description="Not allowed in the note's state: it is signed (locked), or it changed "
    "since the version you sent. `detail` says why; nothing was saved."
)
_NOT_AUTHOR = OpenApiResponse(description="Only the note's author may do this.")


@contextmanager
def _with_reason():
    """A refusal by the service keeps its reason in the 403 body."""
    try:
        yield
    except PermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None) from error


# ------------------------------------------------------------------------------ viewset
@extend_schema_view(
    list=extend_schema(summary="Notes of clients in your teams, newest contact first"),
    retrieve=extend_schema(summary="One note with its addenda"),
)
class ContactNoteViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Contact notes of clients in reach (others are 404). Filters: ``client``,
    ``signed`` (true/false), ``contact_type``."""

    serializer_class = ContactNoteSerializer
    filterset_class = ContactNoteFilter
    queryset = ContactNote.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return note_list_in_reach(user=self.request.user)

    def _fresh(self, note: ContactNote) -> dict:
        return ContactNoteSerializer(self.get_queryset().get(pk=note.pk)).data

    @extend_schema(
        summary="Write a draft note",
        request=ContactNoteCreateSerializer,
        responses={201: ContactNoteSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = ContactNoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        values["related_person"] = related_person_in_payload(client, values.get("related_person"))
        note = services.note_create(actor=request.user, client=client, **values)
        return Response(self._fresh(note), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a draft (its author, with the version last read)",
        request=ContactNoteUpdateSerializer,
        responses={200: ContactNoteSerializer, 403: _NOT_AUTHOR, 409: _CONFLICT},
    )
    def update(self, request, *args, **kwargs):
        note = self.get_object()
        data = ContactNoteUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version", None)
        if version is None:
            raise exceptions.ValidationError({"version": ["Send the version you last read."]})
        if "related_person" in values:
            values["related_person"] = related_person_in_payload(
                note.client, values["related_person"]
            )
        if values.get("discloses_substance_use", False) is None:
            values.pop("discloses_substance_use")
        with _with_reason():
            note = services.note_update(
                actor=request.user, note=note, data=values, expected_version=version
            )
        return Response(self._fresh(note))

    @extend_schema(
        summary="Sign a draft (its author); the note is locked from then on",
        request=NoteSignSerializer,
        responses={200: ContactNoteSerializer, 403: _NOT_AUTHOR, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        note = self.get_object()
        data = NoteSignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with _with_reason():
            note = services.note_sign(
                actor=request.user, note=note, expected_version=data.validated_data.get("version")
            )
        return Response(self._fresh(note))

    @extend_schema(
        summary="Add an addendum to a signed note",
        request=NoteAddendumCreateSerializer,
        responses={
            201: NoteAddendumSerializer,
            409: OpenApiResponse(description="The note is still a draft: edit it instead."),
        },
    )
    @action(detail=True, methods=["post"])
    def addenda(self, request, pk=None):
        note = self.get_object()
        data = NoteAddendumCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        addendum = services.note_addendum_add(
            actor=request.user, note=note, text=data.validated_data["text"]
        )
        return Response(NoteAddendumSerializer(addendum).data, status=status.HTTP_201_CREATED)
