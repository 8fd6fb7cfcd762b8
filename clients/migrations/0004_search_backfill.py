from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    """Fill the search document and phonetic keys of clients created before they existed."""
    from clients.search import phonetic_keys

    Client = apps.get_model("clients", "Client")
    todo = Client.objects.filter(search_document__isnull=True)
    for client in todo.only("id", "first_name", "last_name", "preferred_name").iterator():
        Client.objects.filter(pk=client.pk).update(
            name_phonetic=phonetic_keys(client.first_name, client.last_name, client.preferred_name)
        )
    todo.update(
        search_document=SearchVector(
            "first_name",
            "last_name",
            Coalesce("preferred_name", Value("")),
            "client_number",
            config="simple",
        )
    )


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_assignment_careteammember_consent_contactnote_and_more")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
