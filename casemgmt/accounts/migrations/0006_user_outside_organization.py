from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_team_zone_holidays"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="outside_organization_directory_id",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Set for an account of an outside organisation: its resource directory id.",
                null=True,
                verbose_name="outside organisation (directory id)",
            ),
        ),
    ]
