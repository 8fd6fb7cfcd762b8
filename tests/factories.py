"""factory_boy factories: synthetic people only (Faker)."""

from datetime import date

import factory
from django.contrib.auth.models import Group

from casemgmt.accounts.models import Role, Team, User
from clients.models import Client, ClientStatus
from clients.search import phonetic_keys
from clients.services import client_numbers_allocate, client_search_refresh

PASSWORD = "correct-horse-battery"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=Role(extracted).value)[0])
        if create:
            self.save()


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        skip_postgeneration_save = True

    client_number = factory.LazyFunction(lambda: client_numbers_allocate()[0])
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    preferred_name = ""
    date_of_birth = factory.Faker(
        "date_between", start_date=date(1950, 1, 1), end_date=date(2004, 1, 1)
    )
    status = ClientStatus.ACTIVE
    team = factory.SubFactory(TeamFactory)
    name_phonetic = factory.LazyAttribute(
        lambda c: phonetic_keys(c.first_name, c.last_name, c.preferred_name)
    )

    @factory.post_generation
    def search_document(self, create, extracted, **kwargs):
        if create:
            client_search_refresh(client_ids=[self.pk])
