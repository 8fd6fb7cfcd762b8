"""API: /documents/ (list, retrieve, upload as multipart, ``download/``,
``entered-in-error/``). Scoped to clients in reach (out of reach: 404; uploading for one:
a 400 naming ``client``); the 42 CFR Part 2 gate for outside organisations as on the
chart (``documents.selectors``)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from casemgmt.lib.parsers import LimitedJSONParser
from clients.api.public import AuditedReadMixin, client_in_payload
from clients.selectors import client_get

from .. import selectors, services
from ..filters import DocumentFilter
from ..models import Document
from ..views import download_response
from .serializers import DocumentCreateSerializer, DocumentSerializer, EnteredInErrorSerializer


class DocumentViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Documents of clients in reach, newest first. Filters: client, kind, status, consent,
    transition, referral, holds_substance_use. An outside organisation's account sees the
    documents holding substance use information of a client only with ``?client=`` and
    under an active Part 2 consent of that client naming it (each download then in the
    accounting of disclosures)."""

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    queryset = Document.objects.none()
    parser_classes = [MultiPartParser, FormParser, LimitedJSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        user = self.request.user
        value = self.request.query_params.get("client", "")
        if (
            self.action == "list"
            and user.outside_organization_directory_id is not None
            and value.isdigit()
            and len(value) < 19
        ):
            try:
                client = client_get(user=user, client_id=int(value))
            except Http404:
                return Document.objects.none()
            return selectors.document_list(user=user, client=client)
        return selectors.document_list_in_reach(user=user)

    def get_object(self):
        """A document in reach; one holding substance use information only through the
        Part 2 gate of its client (else 404, as if it were not there)."""
        pk = self.kwargs["pk"]
        user = self.request.user
        document = selectors.document_list_in_reach(user=user).filter(pk=pk).first()
        if document is None and user.outside_organization_directory_id is not None:
            candidate = Document.objects.filter(pk=pk).select_related("client").first()
            if candidate is not None:
                try:
                    client = client_get(user=user, client_id=candidate.client_id)
                    document = selectors.document_get(
                        user=user, client=client, document_id=candidate.pk
                    )
                except Http404:
                    document = None
        if document is None:
            raise Http404
        return document

    @extend_schema(request=DocumentCreateSerializer, responses={201: DocumentSerializer})
    def create(self, request):
        data = DocumentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_in_payload(request, values.pop("client"))
        links = {}
        for field, items in (
            ("consent", lambda: client.consents.all()),
            ("transition", lambda: _transitions(request, client)),
            ("referral", lambda: _referrals(request, client)),
        ):
            value = values.pop(field)
            if value is not None:
                found = items().filter(pk=value).first()
                if found is None:
                    raise ValidationError({field: ["Choose one of this client's records."]})
                links[field] = found
        document = services.document_upload(
            actor=request.user, client=client, upload=values.pop("file"), **values, **links
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="The file (its detected type), as an attachment.",
            )
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        client = client_get(user=request.user, client_id=document.client_id)
        download = services.document_download(user=request.user, client=client, document=document)
        return download_response(download)

    @extend_schema(request=EnteredInErrorSerializer, responses={200: DocumentSerializer})
    @action(detail=True, methods=["post"], url_path="entered-in-error")
    def entered_in_error(self, request, pk=None):
        document = self.get_object()
        data = EnteredInErrorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_mark_entered_in_error(
            actor=request.user, document=document, reason=data.validated_data["reason"]
        )
        return Response(DocumentSerializer(document).data)


def _transitions(request, client):
    from referrals.selectors import transition_list

    return transition_list(user=request.user).filter(client=client)


def _referrals(request, client):
    from referrals.selectors import referral_list

    return referral_list(user=request.user).filter(client=client)
