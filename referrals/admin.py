"""Django admin: program admins keep the resource directory; the rest is read-mostly."""

from django.contrib import admin

from .models import CareTransition, FollowUp, Organization, Referral, Reminder, Service


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


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("id", "client", "status", "urgency", "response_due_on", "created_at")
    list_filter = ("status", "urgency")
    raw_id_fields = ("client", "service", "created_by")
    list_select_related = ("client",)


@admin.register(CareTransition)
class CareTransitionAdmin(admin.ModelAdmin):
    list_display = ("id", "client", "from_level", "to_level", "discharged_on", "measure")
    list_filter = ("measure", "from_level")
    raw_id_fields = ("client", "recorded_by")
    list_select_related = ("client",)


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("id", "client", "assignee", "reason", "due_on", "status", "next_check_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("client", "assignee", "referral", "transition", "created_by", "closed_by")
    list_select_related = ("client", "assignee")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("id", "followup", "stage", "queued_at", "sent_at", "skipped")
    list_filter = ("stage", "skipped")
    raw_id_fields = ("followup",)
