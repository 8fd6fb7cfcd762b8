from django.contrib import admin

from .models import FacilityMapping


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


# Not here: ADT messages and client identifiers hold client data. They are read in the
# app (the ADT feed and review queue, /interop/adt/), where reading them is audited.
