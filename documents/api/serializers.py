from rest_framework import serializers

from ..models import Document, DocumentKind


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by_name = serializers.CharField(source="uploaded_by.display_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "client",
            "kind",
            "title",
            "description",
            "document_date",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "holds_substance_use",
            "consent",
            "transition",
            "referral",
            "status",
            "entered_in_error_reason",
            "entered_in_error_at",
            "uploaded_by",
            "uploaded_by_name",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return f"/api/v1/documents/{obj.pk}/download/"


class DocumentCreateSerializer(serializers.Serializer):
    """Sent as multipart/form-data."""

    client = serializers.IntegerField()
    file = serializers.FileField(
        help_text="A PDF or an image (JPEG, PNG, TIFF, HEIC), up to DOCUMENT_MAX_MB; the type "
        "is checked from the content (400 naming file otherwise)."
    )
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    document_date = serializers.DateField(required=False, allow_null=True, default=None)
    holds_substance_use = serializers.BooleanField(required=False, default=False)
    consent = serializers.IntegerField(required=False, allow_null=True, default=None)
    transition = serializers.IntegerField(required=False, allow_null=True, default=None)
    referral = serializers.IntegerField(required=False, allow_null=True, default=None)


class EnteredInErrorSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
