from django.contrib import admin

from .models import AdtMessage, ClientIdentifier, FacilityMapping


@admin.register(FacilityMapping)
class FacilityMappingAdmin(admin.ModelAdmin):
    """Configuration: which level of care a sending facility's patient class and
    location are (the most specific row wins)."""

    list_display = (
        "sending_facility",
        "patient_class",
        "location_prefix",
        "level_of_care",
        "focus",
        "facility_name",
    )
    list_filter = ("level_of_care", "focus")
    search_fields = ("sending_facility", "facility_name", "location_prefix")


@admin.register(ClientIdentifier)
class ClientIdentifierAdmin(admin.ModelAdmin):
    list_display = ("kind", "issuer", "value", "client", "created_at")
    list_filter = ("kind",)
    search_fields = ("issuer", "value", "client__client_number")
    raw_id_fields = ("client", "recorded_by")


@admin.register(AdtMessage)
class AdtMessageAdmin(admin.ModelAdmin):
    """Read only: messages are the record of what was received."""

    list_display = ("received_at", "sending_facility", "event", "control_id", "status")
    list_filter = ("status", "event")
    search_fields = ("control_id", "sending_facility")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
