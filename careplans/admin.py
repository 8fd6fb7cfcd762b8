from django.contrib import admin

from .models import StageSuggestion, TeamPlanCadence


@admin.register(TeamPlanCadence)
class TeamPlanCadenceAdmin(admin.ModelAdmin):
    list_display = ["team", "review_days"]


@admin.register(StageSuggestion)
class StageSuggestionAdmin(admin.ModelAdmin):
    list_display = ["stage", "disorder", "category", "text", "order", "is_active"]
    list_filter = ["stage", "disorder", "category", "is_active"]
    list_editable = ["order", "is_active"]
