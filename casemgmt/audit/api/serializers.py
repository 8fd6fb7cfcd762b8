from rest_framework import serializers

from ..models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", default=None, read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "user",
            "username",
            "action",
            "client_id",
            "object_type",
            "object_id",
            "ip_address",
            "detail",
        ]
        read_only_fields = fields
