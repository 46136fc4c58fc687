"""The client's address behind trusted proxies (:mod:`advice.client`)."""

import pytest
from django.test import RequestFactory, override_settings

from advice.client import client_address, request_client_address, valid_ip


def test_without_trusted_proxies_the_socket_address_is_used():
    assert client_address("198.51.100.7", "203.0.113.9", 0) == "198.51.100.7"


def test_with_one_trusted_proxy_the_last_forwarded_entry_is_the_client():
    assert client_address("10.0.0.2", "6.6.6.6, 203.0.113.9", 1) == "203.0.113.9"


def test_with_two_trusted_proxies_the_second_from_the_right_is_the_client():
    assert client_address("10.0.0.3", "6.6.6.6, 203.0.113.9, 10.0.0.2", 2) == "203.0.113.9"


@pytest.mark.parametrize("header", [None, "", "not-an-ip", "203.0.113.9, junk", "fe80::1%eth0"])
def test_missing_or_malformed_forwarded_for_falls_back_to_the_socket(header):
    assert client_address("198.51.100.7", header, 1) == "198.51.100.7"


def test_short_forwarded_for_falls_back_to_the_socket():
    assert client_address("198.51.100.7", "203.0.113.9", 2) == "198.51.100.7"


def test_ipv6_addresses_are_normalised_and_nonsense_is_none():
    assert client_address("2001:DB8:0:0::1", None, 0) == "2001:db8::1"
    assert client_address("", None, 0) is None
    assert client_address(None, None, 0) is None


def test_valid_ip_refuses_zone_ids_and_text():
    assert valid_ip(" 203.0.113.9 ") == "203.0.113.9"
    assert valid_ip("fe80::1%eth0") is None
    assert valid_ip("not-an-ip") is None
    assert valid_ip(None) is None


@override_settings(COMMENTS_TRUSTED_PROXIES=1)
def test_request_client_address_reads_the_header_behind_the_configured_proxies():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert request_client_address(request) == "203.0.113.9"


@override_settings(COMMENTS_TRUSTED_PROXIES=0)
def test_request_client_address_without_proxies_is_the_socket():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert request_client_address(request) == "10.0.0.2"
