from django.db import migrations, models

# The defaults of dashboard.urgency.DEFAULT_REASONS at the time of this migration, so that
# Django admin lists every reason to edit (a later change of the defaults in code does not
# change these rows: edit them in admin).
DEFAULTS = [
    ("followup_after_event", 1000, 24),
    ("crisis_recent", 950, 72),
    ("risk_answer_recent", 900, 72),
    ("transition_window", 700, None),
    ("suicide_no_plan", 600, None),
    ("overdose_no_naloxone", 550, None),
    ("overdue", 400, None),
    ("two_no_shows", 350, None),
    ("referrals_overdue", 300, None),
    ("plans_overdue", 250, None),
    ("due_today", 200, None),
    ("this_week", 100, None),
    ("no_plan", 50, None),
]


def seed(apps, schema_editor):
    UrgencyWeight = apps.get_model("dashboard", "UrgencyWeight")
    for reason, weight, hours in DEFAULTS:
        UrgencyWeight.objects.get_or_create(
            reason=reason, defaults={"weight": weight, "hours": hours}
        )


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="UrgencyWeight",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.CharField(max_length=40, unique=True)),
                (
                    "weight",
                    models.PositiveIntegerField(
                        help_text="Higher comes first. Defaults: imminent risk 900-1000, transition windows 700, safety gaps 550-600, overdue 250-400, due today 200, this week 100."
                    ),
                ),
                (
                    "hours",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="For a reason with a time window (a crisis or a risk answer in the last N hours, a follow-up due within N hours of a crisis or discharge): N. Blank: the default.",
                        null=True,
                    ),
                ),
            ],
            options={"verbose_name": "urgency weight", "ordering": ["-weight", "reason"]},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
