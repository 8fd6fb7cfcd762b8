from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Work", {"fields": ("title", "phone")}),
        # An outside organisation's account (FHIR API partner): 42 CFR Part 2 gate.
        ("Outside organisation", {"fields": ("outside_organization_directory_id",)}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "program", "time_zone", "no_contact_days", "is_active")
    list_filter = ("program", "is_active")
    search_fields = ("name", "program")
    filter_horizontal = ("members", "supervisors", "cosign_required")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins see every API token and revoke one by deleting it (a new one is only ever
    issued by signing in: POST /api/v1/auth/token/)."""

    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at")
    list_filter = ("expires_at",)
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at")
    exclude = ("digest",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
