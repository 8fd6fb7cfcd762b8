"""The caller's address (casemgmt.lib.addresses): REMOTE_ADDR unless the settings say how
many proxies of ours stand in front; a client-sent X-Forwarded-For is never believed."""

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory

from casemgmt.lib.addresses import client_address

PROXY = "10.0.0.1"
SPOOFED = "198.51.100.66"
CLIENT = "203.0.113.7"


def _request(forwarded=None, remote=PROXY):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request(f"{SPOOFED}, {CLIENT}")) == PROXY


def test_one_proxy_takes_the_hop_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(f"{SPOOFED}, {CLIENT}")) == CLIENT
    assert client_address(_request(CLIENT)) == CLIENT


def test_two_proxies_take_the_second_hop_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(f"{SPOOFED}, {CLIENT}, 10.0.0.2")) == CLIENT


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "10.0.0.2, "])
def test_a_request_that_missed_the_proxies_keeps_its_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(forwarded)) == PROXY


def test_ipv6_and_no_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request("2001:db8::7", remote="::1")) == "2001:db8::7"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request(remote="")) is None


def test_the_login_lockout_reads_the_same_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(_request(f"{SPOOFED}, {CLIENT}")) == CLIENT
    settings.TRUSTED_PROXY_COUNT = 0
    assert get_client_ip_address(_request(f"{SPOOFED}, {CLIENT}")) == PROXY
