from datetime import date

import pytest

from clients.models import Client
from clients.search import phonetic_keys, search_names, soundex
from clients.selectors import client_possible_duplicates
from tests.factories import ClientFactory


@pytest.mark.parametrize(
    ("name", "code"),
    # Examples from the U.S. National Archives' Soundex Indexing System guide.
    [
        ("Washington", "W252"),
        ("Lee", "L000"),
        ("Gutierrez", "G362"),
        ("Pfister", "P236"),
        ("Jackson", "J250"),
        ("Tymczak", "T522"),
        ("Ashcraft", "A261"),
        ("Robert", "R163"),
        ("Rupert", "R163"),
        ("Rubin", "R150"),
        ("Honeyman", "H555"),
        ("", ""),
        ("José", "J200"),
    ],
)
def test_soundex_matches_the_published_examples(name, code):
    assert soundex(name) == code


def test_phonetic_keys_cover_every_name_word():
    assert phonetic_keys("Mary Ann", "Smith-Jones", "") == ["A500", "J520", "M600", "S530"]


@pytest.mark.django_db
class TestSearch:
    @pytest.fixture
    def people(self, team):
        return {
            "catherine": ClientFactory(
                team=team, first_name="Catherine", last_name="Okonkwo", preferred_name="Cat"
            ),
            "kathryn": ClientFactory(team=team, first_name="Kathryn", last_name="Smyth"),
            "john": ClientFactory(
                team=team, first_name="John", last_name="Smith", date_of_birth=date(1970, 5, 6)
            ),
        }

    def _names(self, text):
        return {c.first_name for c in search_names(Client.objects.all(), text)}

    def test_partial_name_prefix(self, people):
        assert self._names("okon") == {"Catherine"}
        assert self._names("smi") == {"John"}

    def test_misspelt_name_through_phonetic_key(self, people):
        assert self._names("Smithe") == {"John", "Kathryn"}  # Smith and Smyth sound alike
        assert self._names("Okonkow") == {"Catherine"}

    def test_preferred_name(self, people):
        assert self._names("cat") == {"Catherine"}

    def test_every_word_must_match(self, people):
        assert self._names("john smith") == {"John"}
        assert self._names("kathryn smith") == {"Kathryn"}

    def test_client_number(self, people):
        number = people["john"].client_number
        assert self._names(number) == {"John"}


@pytest.mark.django_db
def test_possible_duplicates_split_by_reach(case_manager, team, other_team):
    same = ClientFactory(
        team=team, first_name="Jon", last_name="Smyth", date_of_birth=date(1970, 5, 6)
    )
    far = ClientFactory(
        team=other_team, first_name="John", last_name="Smith", date_of_birth=date(1970, 5, 6)
    )
    ClientFactory(team=team, first_name="John", last_name="Smith", date_of_birth=date(1971, 5, 6))
    mine, elsewhere = client_possible_duplicates(
        user=case_manager, first_name="John", last_name="Smith", date_of_birth=date(1970, 5, 6)
    )
    assert mine == [same] and elsewhere == [far]


@pytest.mark.django_db(transaction=True)  # committed, so that ANALYZE sees the rows
class TestSearchPlan:
    """A partial name searched within a team reads its matches from the GIN index
    (issue 20): the name-ordered index walked until 25 rows match would filter every
    other team's clients first. The plan is PostgreSQL's own estimate, so the data has
    the shape that misled it: many teams, a common name spread over all of them."""

    @pytest.fixture
    def many_teams(self, team, case_manager):
        from clients.services import client_numbers_allocate, client_search_refresh
        from tests.factories import TeamFactory

        teams = [team, *(TeamFactory(name=f"Team {i}") for i in range(19))]
        numbers = iter(client_numbers_allocate(4000))
        names = ["Williams", "Willis", "Smith", "Jones", "Brown", "Garcia", "Miller", "Davis"]
        clients = [
            Client(
                client_number=next(numbers),
                first_name=f"First{i}",
                last_name=f"{names[i % len(names)]}{chr(97 + i % 26)}",
                date_of_birth=date(1980, 1, 1),
                team=teams[i % len(teams)],
                status="active",
                name_phonetic=phonetic_keys(names[i % len(names)]),
            )
            for i in range(4000)
        ]
        Client.objects.bulk_create(clients)
        client_search_refresh()
        from django.db import connection

        from casemgmt.lib.dbroles import as_owner

        with as_owner(), connection.cursor() as cursor:  # only the owner may ANALYZE
            cursor.execute(f"ANALYZE {Client._meta.db_table}")
        return teams

    def _plan(self, user, text: str) -> str:
        from django.db import connection
        from django.test import RequestFactory

        from clients.filters import ClientFilter
        from clients.selectors import client_list

        request = RequestFactory().get("/clients/", {"q": text})
        request.user = user
        qs = ClientFilter(request.GET, queryset=client_list(user=user), request=request).qs
        sql, params = qs[:25].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    @pytest.mark.parametrize("text", ["will", "smi", "brow"])
    def test_a_team_search_reads_its_matches_not_every_team(self, many_teams, case_manager, text):
        """The matches come from the full-text index (or, in a team this small, from
        the team's own rows), never from walking every team's names in order."""
        plan = self._plan(case_manager, text)
        assert "client_name" not in plan, plan
        assert "client_search" in plan or "client_team_status" in plan, plan

    def test_the_search_costs_one_more_query_at_most(
        self, many_teams, case_manager, client, django_assert_max_num_queries
    ):
        client.force_login(case_manager)
        client.get("/clients/?q=will")
        with django_assert_max_num_queries(20) as few:
            assert client.get("/clients/?q=will").status_code == 200
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get("/clients/?q=smi").status_code == 200
