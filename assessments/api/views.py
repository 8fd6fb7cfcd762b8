from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from casemgmt.lib.locking import expected_version
from casemgmt.lib.parsers import LimitedJSONParser
from clients.api.public import AuditedReadMixin, client_in_payload

from .. import instruments, services
from ..filters import ComprehensiveAssessmentFilter, InstrumentResponseFilter
from ..instruments import INSTRUMENTS
from ..models import ComprehensiveAssessment, InstrumentResponse
from ..selectors import (
    assessment_list_in_reach,
    instrument_get,
    instrument_list,
    response_list_in_reach,
)
from ..services import EDITABLE
from .serializers import (
    AssessmentStartSerializer,
    ComprehensiveAssessmentSerializer,
    ComprehensiveAssessmentUpdateSerializer,
    InstrumentResponseCreateSerializer,
    InstrumentResponseSerializer,
    InstrumentSerializer,
    InstrumentSummarySerializer,
    LinkResponsesSerializer,
    ScoreInputSerializer,
    ScoreSerializer,
    SubstanceUseSerializer,
)

_NOT_FOUND = OpenApiResponse(description="No instrument with this code.")


class InstrumentViewSet(viewsets.ViewSet):
    """The instrument library (read-only) and scoring without saving."""

    lookup_field = "code"
    lookup_value_regex = "[a-z0-9_]+"

    @extend_schema(responses={200: InstrumentSummarySerializer(many=True)})
    def list(self, request):
        """Every instrument: code, names, item count, source."""
        return Response(InstrumentSummarySerializer(instrument_list(), many=True).data)

    @extend_schema(responses={200: InstrumentSerializer, 404: _NOT_FOUND})
    def retrieve(self, request, code=None):
        """One instrument with its items, answer options and points, bands and cut-off."""
        return Response(InstrumentSerializer(instrument_get(code)).data)

    @extend_schema(
        request=ScoreInputSerializer,
        responses={
            200: ScoreSerializer,
            400: OpenApiResponse(
                description="Bad answers: the body names the field (`answers` or `sex`) and "
                'each message names the item, e.g. `{"answers": ["item 9: 5 is not one of '
                'the offered values (0, 1, 2, 3)"]}`.'
            ),
            404: _NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[LimitedJSONParser])
    def score(self, request, code=None):
        """Score one completed form. Nothing is saved; 400 names the item or field."""
        definition = instrument_get(code)
        data = ScoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers, sex = data.validated_data["answers"], data.validated_data.get("sex")
        result = instruments.score(definition, answers, sex)
        return Response(ScoreSerializer(result).data)


# ------------------------------------------------------------------ instrument responses
@extend_schema_view(
    list=extend_schema(summary="Instrument responses of clients in your teams, newest first"),
    retrieve=extend_schema(summary="One instrument response"),
)
class InstrumentResponseViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Saved instrument responses of clients in reach (others are 404). Filters:
    ``client``, ``instrument``. Completed responses never change: a correction is a new
    response with ``amends`` set to the one it corrects."""

    serializer_class = InstrumentResponseSerializer
    filterset_class = InstrumentResponseFilter
    queryset = InstrumentResponse.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return response_list_in_reach(user=self.request.user)

    @extend_schema(
        summary="Give an instrument to a client: score and save",
        request=InstrumentResponseCreateSerializer,
        responses={
            201: InstrumentResponseSerializer,
            400: OpenApiResponse(
                description="Bad input: the body names the field (`answers` with the item, "
                "`sex`, `client`, `instrument`, `administered_at`, `amends`)."
            ),
            409: OpenApiResponse(description="The response named in `amends` was corrected."),
        },
    )
    def create(self, request, *args, **kwargs):
        data = InstrumentResponseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        client = client_in_payload(request, values["client"])
        if values["instrument"] not in INSTRUMENTS:
            raise DRFValidationError(
                {"instrument": [f"Unknown instrument {values['instrument']!r}."]}
            )
        amends = None
        if values.get("amends"):
            amends = InstrumentResponse.objects.filter(pk=values["amends"], client=client).first()
            if amends is None:
                raise DRFValidationError({"amends": ["No such response for this client."]})
        response = services.instrument_response_record(
            actor=request.user,
            client=client,
            instrument=values["instrument"],
            answers=values["answers"],
            sex=values.get("sex"),
            administered_at=values.get("administered_at"),
            amends=amends,
            notes=values.get("notes", ""),
        )
        fresh = self.get_queryset().get(pk=response.pk)
        return Response(InstrumentResponseSerializer(fresh).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------- comprehensive assessment
_LOCKED = OpenApiResponse(
    description="The assessment is completed and locked: start a new version (`new-version/`); "
    "or (with `changed_fields`) someone saved the same fields since your `edit_version`."
)


@extend_schema_view(
    list=extend_schema(summary="Comprehensive assessments of clients in your teams"),
    retrieve=extend_schema(summary="One comprehensive assessment"),
)
class ComprehensiveAssessmentViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Comprehensive (biopsychosocial) assessments of clients in reach (others are 404).
    Filter: ``client``. Draft -> ``complete/`` (locked) -> ``new-version/`` (a new draft)."""

    serializer_class = ComprehensiveAssessmentSerializer
    filterset_class = ComprehensiveAssessmentFilter
    queryset = ComprehensiveAssessment.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return assessment_list_in_reach(user=self.request.user)

    def _fresh(self, assessment, code=status.HTTP_200_OK) -> Response:
        obj = self.get_queryset().get(pk=assessment.pk)
        return Response(ComprehensiveAssessmentSerializer(obj).data, status=code)

    @extend_schema(
        summary="Start a draft (or get the client's open draft)",
        request=AssessmentStartSerializer,
        responses={201: ComprehensiveAssessmentSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = AssessmentStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = client_in_payload(request, data.validated_data["client"])
        assessment = services.assessment_start(actor=request.user, client=client)
        return self._fresh(assessment, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Save fields of a draft",
        request=ComprehensiveAssessmentUpdateSerializer,
        responses={200: ComprehensiveAssessmentSerializer, 409: _LOCKED},
    )
    def partial_update(self, request, *args, **kwargs):
        assessment = self.get_object()
        unknown = set(request.data) - EDITABLE - {"edit_version"}
        if unknown:
            raise DRFValidationError(
                {name: ["This field cannot be changed here."] for name in sorted(unknown)}
            )
        data = ComprehensiveAssessmentUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = expected_version(request, values)
        services.assessment_update(
            actor=request.user, assessment=assessment, data=values, expected_version=expected
        )
        return self._fresh(assessment)

    @extend_schema(
        summary="Complete and lock (400 names what is missing)",
        request=None,
        responses={200: ComprehensiveAssessmentSerializer, 409: _LOCKED},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        assessment = self.get_object()
        services.assessment_complete(actor=request.user, assessment=assessment)
        return self._fresh(assessment)

    @extend_schema(
        summary="Start a new version of a completed assessment",
        request=None,
        responses={201: ComprehensiveAssessmentSerializer, 409: _LOCKED},
    )
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        copy = services.assessment_new_version(actor=request.user, assessment=self.get_object())
        return self._fresh(copy, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Add a substance to a draft's substance use history",
        request=SubstanceUseSerializer,
        responses={201: ComprehensiveAssessmentSerializer, 409: _LOCKED},
    )
    @action(detail=True, methods=["post"])
    def substances(self, request, pk=None):
        assessment = self.get_object()
        data = SubstanceUseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.assessment_substance_add(
            actor=request.user, assessment=assessment, **data.validated_data
        )
        return self._fresh(assessment, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Choose the linked screening results of a draft",
        request=LinkResponsesSerializer,
        responses={200: ComprehensiveAssessmentSerializer, 409: _LOCKED},
    )
    @action(detail=True, methods=["post"])
    def responses(self, request, pk=None):
        assessment = self.get_object()
        data = LinkResponsesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.assessment_link_responses(
            actor=request.user,
            assessment=assessment,
            response_ids=data.validated_data["responses"],
        )
        return self._fresh(assessment)
