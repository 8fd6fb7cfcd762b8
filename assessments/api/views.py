from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from .. import instruments
from ..selectors import instrument_get, instrument_list
from .serializers import (
    InstrumentSerializer,
    InstrumentSummarySerializer,
    ScoreInputSerializer,
    ScoreSerializer,
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
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def score(self, request, code=None):
        """Score one completed form. Nothing is saved; 400 names the item or field."""
        definition = instrument_get(code)
        data = ScoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers, sex = data.validated_data["answers"], data.validated_data.get("sex")
        result = instruments.score(definition, answers, sex)
        return Response(ScoreSerializer(result).data)
