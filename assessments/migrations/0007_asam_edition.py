"""The ASAM Criteria edition of each comprehensive assessment's dimensions and levels.

Every assessment recorded before this migration used the 3rd edition (2013), the only
one the app offered: the column is added empty, those rows are set to "3", and only then
does the column become required with "3" as the default for new drafts.
"""

from django.db import migrations, models


def existing_rows_are_third_edition(apps, schema_editor):
    ComprehensiveAssessment = apps.get_model("assessments", "ComprehensiveAssessment")
    ComprehensiveAssessment.objects.filter(asam_edition__isnull=True).update(asam_edition="3")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_assessment_edit_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="comprehensiveassessment",
            name="asam_edition",
            field=models.CharField(
                "ASAM Criteria edition",
                max_length=1,
                null=True,
                choices=[
                    ("3", "The ASAM Criteria, 3rd edition (2013)"),
                    ("4", "The ASAM Criteria, 4th edition (2023)"),
                ],
            ),
        ),
        migrations.RunPython(existing_rows_are_third_edition, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="comprehensiveassessment",
            name="asam_edition",
            field=models.CharField(
                "ASAM Criteria edition",
                max_length=1,
                choices=[
                    ("3", "The ASAM Criteria, 3rd edition (2013)"),
                    ("4", "The ASAM Criteria, 4th edition (2023)"),
                ],
                default="3",
                help_text="The edition the six dimensions and the levels of care come from.",
            ),
        ),
        migrations.AlterField(
            model_name="comprehensiveassessment",
            name="level_indicated",
            field=models.CharField(
                "level of care indicated",
                max_length=10,
                blank=True,
                help_text="A level code of the edition in asam_edition (ASAM_LEVELS).",
            ),
        ),
        migrations.AlterField(
            model_name="comprehensiveassessment",
            name="level_arranged",
            field=models.CharField(
                "level of care arranged",
                max_length=10,
                blank=True,
                help_text="A level code of the edition in asam_edition (ASAM_LEVELS).",
            ),
        ),
    ]
