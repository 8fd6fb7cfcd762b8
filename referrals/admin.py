"""Django admin: program admins keep the resource directory (configuration).

Referrals, care transitions, follow-ups and reminders are client records: they are read
and changed in the app, scoped and audited, never here (tests/test_admin_registry.py).
"""

from django.contrib import admin

from .models import Organization, Service


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ("name", "category", "status", "phone", "last_verified_on")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "hsds_id", "email", "website")
    search_fields = ("name", "hsds_id")
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "category", "status", "last_verified_on")
    list_filter = ("category", "status")
    search_fields = ("name", "organization__name", "hsds_id")
    list_select_related = ("organization",)
