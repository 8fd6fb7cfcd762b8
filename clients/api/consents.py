"""``/api/v1/consents/``: consents to treatment, releases of information and 42 CFR
Part 2 consents of clients in reach (others are 404).

A consent is recorded once and never changed or deleted. Revoking is a verb
(``POST /consents/{id}/revoke/``); revoking twice is 409. An incomplete Part 2 consent
is a 400 naming every missing element of 42 CFR 2.31(a), one message per field.
"""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casemgmt.lib.locking import expected_version, version_input

from .. import services
from ..directory import directory_organisations
from ..forms_consents import ConsentFilter
from ..models import Consent, ConsentKind, ExpiryKind, SignatureMethod
from ..selectors import consent_list_in_reach, consent_state
from ..selectors.consents import STATE_LABELS
from .public import AuditedReadMixin, client_in_payload


# ---------------------------------------------------------------------------- serializers
class ConsentSerializer(serializers.ModelSerializer):
    """A consent with every element, and its ``state`` today (in the time zone of the
    client's team): ``active``, ``revoked``, ``expired`` or ``not_yet_in_effect``."""

    state = serializers.SerializerMethodField()
    related_person_ids = serializers.SerializerMethodField(
        help_text="The client's related persons this consent names."
    )
    recorded_by_name = serializers.CharField(source="recorded_by.display_name", read_only=True)
    revoked_by_name = serializers.CharField(
        source="revoked_by.display_name", default=None, read_only=True
    )

    class Meta:
        model = Consent
        fields = [
            "id",
            "client",
            "kind",
            "state",
            "patient_name",
            "discloser",
            "information_description",
            "recipients",
            "recipient_directory_ids",
            "related_person_ids",
            "is_tpo",
            "recipient_class",
            "intermediary_name",
            "intermediary_participants",
            "hipaa_redisclosure_statement",
            "purpose",
            "right_to_revoke_explained",
            "how_to_revoke",
            "expiry_kind",
            "expires_on",
            "expiry_event",
            "signed_by",
            "signer_relationship",
            "signed_on",
            "signature_method",
            "revoked_on",
            "revoked_reason",
            "revoked_by",
            "revoked_by_name",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "edit_version",
        ]
        read_only_fields = fields

    def get_related_person_ids(self, consent: Consent) -> list[int]:
        return sorted(p.pk for p in consent.related_persons.all())

    @extend_schema_field(serializers.ChoiceField(choices=list(STATE_LABELS.items())))
    def get_state(self, consent: Consent) -> str:
        return consent_state(consent, consent.client.team.local_date())


class ConsentCreateSerializer(serializers.Serializer):
    """Types only; which elements each kind needs is checked by the service (so a
    missing Part 2 element is named with its paragraph of 42 CFR 2.31(a))."""

    client = serializers.IntegerField(help_text="A client in your teams.")
    kind = serializers.ChoiceField(ConsentKind.choices)
    patient_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="(a)(1) as on the form."
    )
    discloser = serializers.CharField(
        max_length=255, required=False, allow_blank=True, help_text="(a)(2) who may disclose."
    )
    information_description = serializers.CharField(
        required=False, allow_blank=True, help_text="(a)(3) the information, specifically."
    )
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=255, allow_blank=True),
        required=False,
        help_text="(a)(4) each recipient by name (those not in the resource directory).",
    )
    recipient_directory_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2_147_483_647),
        required=False,
        max_length=100,
        help_text="(a)(4) recipients chosen from the resource directory (organisation ids, "
        "`/api/v1/organizations/`): the Part 2 gate matches a referral's organisation on "
        "these. Their names are added to `recipients`.",
    )
    related_person_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2_147_483_647),
        required=False,
        max_length=100,
        help_text="(a)(4) recipients among the client's related persons "
        "(`/api/v1/related-persons/`): collateral contacts with them are gated on these. "
        "Their names are added to `recipients`; a typed recipient with a related person's "
        "name is linked to them too.",
    )
    intermediary_name = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text="(a)(4)(ii) when the recipient is an intermediary: its name.",
    )
    intermediary_participants = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="(a)(4)(ii) the intermediary's participants by name, or a general "
        "designation limited to those with a treating provider relationship.",
    )
    hipaa_redisclosure_statement = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="(a)(4)(iii) the statement on redisclosure under HIPAA: TPO consents.",
    )
    how_to_revoke = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="(a)(6) how the client may revoke: required for a Part 2 consent.",
    )

    def validate_recipient_directory_ids(self, ids: list[int]) -> list[int]:
        known = directory_organisations(ids)
        unknown = sorted(set(ids) - set(known))
        if unknown:
            raise serializers.ValidationError(
                f"Not in the resource directory: {', '.join(map(str, unknown))}."
            )
        return ids

    def validate(self, attrs: dict) -> dict:
        ids = attrs.get("recipient_directory_ids") or []
        if ids:
            names = directory_organisations(ids)
            attrs["recipients"] = [names[i] for i in ids] + list(attrs.get("recipients") or [])
        return attrs

    is_tpo = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A Part 2 consent for treatment, payment and health care operations.",
    )
    recipient_class = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text="(a)(4) a general designation of recipients: TPO consents only.",
    )
    purpose = serializers.CharField(required=False, allow_blank=True, help_text="(a)(5)")
    right_to_revoke_explained = serializers.BooleanField(
        required=False, default=False, help_text="(a)(6) must be true for a Part 2 consent."
    )
    expiry_kind = serializers.ChoiceField(
        ExpiryKind.choices,
        required=False,
        allow_blank=True,
        help_text="(a)(7) `none` only for TPO consents (and treatment, general releases).",
    )
    expires_on = serializers.DateField(required=False, allow_null=True)
    expiry_event = serializers.CharField(max_length=255, required=False, allow_blank=True)
    signed_by = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="(a)(8)"
    )
    signer_relationship = serializers.CharField(max_length=60, required=False, allow_blank=True)
    signed_on = serializers.DateField(
        required=False, allow_null=True, help_text="(a)(9) not in the future."
    )
    signature_method = serializers.ChoiceField(
        SignatureMethod.choices, required=False, allow_blank=True
    )


class ConsentRevokeSerializer(serializers.Serializer):
    edit_version = version_input()
    revoked_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Defaults to today; not in the future, not before the date signed.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Required: e.g. the client's written request, or the expiry event.",
    )


# ------------------------------------------------------------------------------ viewset
@extend_schema_view(
    list=extend_schema(summary="Consents of clients in your teams, most recently signed first"),
    retrieve=extend_schema(summary="One consent with every element"),
)
class ConsentViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Consents of clients in reach (others are 404). Filters: ``client``, ``kind``,
    ``active`` (true: in effect today; false: revoked, expired or not yet in effect)."""

    serializer_class = ConsentSerializer
    filterset_class = ConsentFilter
    queryset = Consent.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return consent_list_in_reach(user=self.request.user)

    def _fresh(self, consent: Consent) -> dict:
        return ConsentSerializer(self.get_queryset().get(pk=consent.pk)).data

    @extend_schema(
        summary="Record a signed consent",
        description="An incomplete consent is refused (400) naming every missing element, "
        "one message per field; a Part 2 consent cites its paragraph of 42 CFR 2.31(a). "
        "A client outside your teams is a 400 naming `client`.",
        request=ConsentCreateSerializer,
        responses={201: ConsentSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = ConsentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        consent = services.consent_create(actor=request.user, client=client, **values)
        return Response(self._fresh(consent), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke a consent (it stays on record as revoked)",
        request=ConsentRevokeSerializer,
        responses={
            200: ConsentSerializer,
            409: OpenApiResponse(
                description="The consent was already revoked, or changed since the "
                "`edit_version` you sent (naming who changed which fields)."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        consent = self.get_object()
        data = ConsentRevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        consent = services.consent_revoke(
            actor=request.user,
            consent=consent,
            revoked_on=values.get("revoked_on"),
            reason=values.get("reason", ""),
            expected_version=expected_version(request, values),
        )
        return Response(self._fresh(consent))
