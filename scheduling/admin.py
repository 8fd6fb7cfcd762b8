"""Django admin holds configuration only: a team's calendar settings."""

from django.contrib import admin

from .models import TeamCalendarSetting


@admin.register(TeamCalendarSetting)
class TeamCalendarSettingAdmin(admin.ModelAdmin):
    list_display = ("team", "feed_shows_initials")
