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
