from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS clients_client_number_seq START 1001",
            "DROP SEQUENCE IF EXISTS clients_client_number_seq",
        )
    ]
