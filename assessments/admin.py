from django.contrib import admin

from .models import ReassessmentRule


@admin.register(ReassessmentRule)
class ReassessmentRuleAdmin(admin.ModelAdmin):
    """Program admins set how often each instrument is given again, and to whom."""

    list_display = [
        "instrument",
        "interval_days",
        "diagnosis_category",
        "on_positive_screen",
        "is_active",
    ]
    list_editable = ["interval_days", "is_active"]
