from django.contrib import admin

from .models import QuestionSet


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    """A team's own check-in questions (configuration: no client data)."""

    list_display = ["name", "code", "team", "is_active"]
    list_filter = ["is_active", "team"]
