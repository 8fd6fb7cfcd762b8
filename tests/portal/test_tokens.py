"""Link tokens: 256 bits, never stored, looked up by their sha256."""

import base64
import hashlib

import pytest

from portal import services, tokens
from portal.models import PortalLink

from .conftest import token_of


def test_a_token_carries_256_bits():
    token = tokens.token_for(tokens.new_nonce())
    raw = base64.urlsafe_b64decode(token + "=")
    assert len(raw) == 32
    assert tokens.looks_like_token(token)


def test_two_links_get_different_tokens():
    assert tokens.token_for(tokens.new_nonce()) != tokens.token_for(tokens.new_nonce())


def test_the_token_depends_on_the_server_key(settings):
    nonce = tokens.new_nonce()
    first = tokens.token_for(nonce)
    settings.PORTAL_TOKEN_KEY = "another key"
    assert tokens.token_for(nonce) != first


@pytest.mark.django_db
def test_only_the_hash_of_the_token_is_stored(phone_client, case_manager):
    checkin = services.checkin_send(
        actor=case_manager, client=phone_client, instruments=["phq9"], channel="sms"
    )
    token = token_of(checkin.link)
    row = PortalLink.objects.get(pk=checkin.link_id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(v) for v in PortalLink.objects.filter(pk=row.pk).values().get().values())
    assert token not in stored
    assert services.link_find(token) == row


@pytest.mark.django_db
def test_a_token_one_character_off_finds_nothing(phone_client, case_manager):
    checkin = services.checkin_send(
        actor=case_manager, client=phone_client, instruments=["phq9"], channel="sms"
    )
    token = token_of(checkin.link)
    other = ("A" if token[0] != "A" else "B") + token[1:]
    assert services.link_find(other) is None
    assert services.link_find(token[:-1]) is None
    assert services.link_find("") is None
