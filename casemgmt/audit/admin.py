from django.contrib import admin

from casemgmt.lib.admin import ReadOnlyModelAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ("occurred_at", "user", "action", "object_type", "object_id", "client_id")
    list_filter = ("action", "object_type")
    date_hierarchy = "occurred_at"
    search_fields = ("object_id",)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.can_read_audit
