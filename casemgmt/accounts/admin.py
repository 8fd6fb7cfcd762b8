from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Work", {"fields": ("title", "phone")}))
    list_display = ("username", "first_name", "last_name", "email", "is_active")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "program", "time_zone", "is_active")
    list_filter = ("program", "is_active")
    search_fields = ("name", "program")
    filter_horizontal = ("members", "supervisors")
