# Client data is not registered in the Django admin on purpose: every read and change
# of client data goes through the app's views and API, which scope it and audit it.
# Only configuration is: the dual-diagnosis code ranges.
from django import forms
from django.contrib import admin

from .icd10 import ICD10_CM
from .models import DiagnosisCodeRange
from .services import diagnosis_classification_refresh


class CodeRangeForm(forms.ModelForm):
    class Meta:
        model = DiagnosisCodeRange
        fields = ["first_code", "last_code", "kind", "counts_toward_dual", "note"]

    def _code(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip().upper()
        if not ICD10_CM.match(value):
            raise forms.ValidationError("A code or its start, e.g. F10 or F10.9.")
        return value

    def clean_first_code(self) -> str:
        return self._code("first_code")

    def clean_last_code(self) -> str:
        return self._code("last_code")


@admin.register(DiagnosisCodeRange)
class DiagnosisCodeRangeAdmin(admin.ModelAdmin):
    """Configuration, not client data: which ICD-10-CM codes make each half of a dual
    diagnosis (SAMHSA TIP 42). A change classifies every diagnosis again (except those a
    clinician reclassified) and refreshes each client's dual-diagnosis flag."""

    form = CodeRangeForm
    list_display = ["first_code", "last_code", "kind", "counts_toward_dual", "note"]
    list_filter = ["kind", "counts_toward_dual"]
    search_fields = ["first_code", "last_code", "note"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        diagnosis_classification_refresh()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        diagnosis_classification_refresh()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        diagnosis_classification_refresh()
