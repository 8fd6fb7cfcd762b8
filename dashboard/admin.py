from django.contrib import admin

from .models import UrgencyWeight
from .urgency import DEFAULTS


@admin.register(UrgencyWeight)
class UrgencyWeightAdmin(admin.ModelAdmin):
    """The weights of the urgency reasons (one row per reason, seeded by the migration):
    only the weight and the window change, so no row is added or deleted here."""

    list_display = ["reason", "meaning", "weight", "hours", "default"]
    list_editable = ["weight", "hours"]
    readonly_fields = ["reason"]

    @admin.display(description="What it means")
    def meaning(self, obj: UrgencyWeight) -> str:
        default = DEFAULTS.get(obj.reason)
        return default.label.format(hours=obj.hours or default.hours) if default else "(unknown)"

    @admin.display(description="Default weight / hours")
    def default(self, obj: UrgencyWeight) -> str:
        default = DEFAULTS.get(obj.reason)
        if default is None:
            return ""
        return f"{default.weight}" + (f" / {default.hours} h" if default.hours else "")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
