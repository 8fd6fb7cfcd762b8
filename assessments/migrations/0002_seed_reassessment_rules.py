"""Default re-administration rules (issue 4, item 8); editable in Django admin."""

from django.db import migrations

DEFAULTS = [
    ("phq9", 30, "mental_health"),
    ("gad7", 30, "mental_health"),
    ("audit", 90, "substance_use"),
    ("dast10", 90, "substance_use"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("assessments", "ReassessmentRule")
    for instrument, days, category in DEFAULTS:
        Rule.objects.get_or_create(
            instrument=instrument,
            defaults={
                "interval_days": days,
                "diagnosis_category": category,
                "on_positive_screen": True,
                "is_active": True,
            },
        )


def unseed(apps, schema_editor):
    Rule = apps.get_model("assessments", "ReassessmentRule")
    Rule.objects.filter(instrument__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
