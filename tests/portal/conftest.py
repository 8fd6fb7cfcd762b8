from datetime import date

import pytest

from tests.factories import ClientFactory

DOB = date(1984, 3, 7)


@pytest.fixture
def phone_client(team, case_manager):
    """A client with a phone, an email and a date of birth the tests type in."""
    return ClientFactory(
        team=team,
        primary_case_manager=case_manager,
        date_of_birth=DOB,
        phone="+15555550123",
        email="client@example.org",
        sex_at_birth="female",
    )


def token_of(link):
    from portal.tokens import token_for

    return token_for(link.nonce)
