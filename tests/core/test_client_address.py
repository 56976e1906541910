"""Who sent a request: the peer, unless the peer is one of our trusted proxies; then the right-most
address of X-Forwarded-For that is not itself a trusted proxy. The rate limits of the partner
endpoints and their journal count that address."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings

from openprocure.core.choices import Direction
from openprocure.core.models import Document
from openprocure.core.trust import client_address

PROXIES = ["10.0.0.0/29", "2001:db8:ffff::1"]


def request(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # No trusted proxy configured: the header is never read.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
    ],
)
def test_without_trusted_proxies_the_peer_is_the_client(peer: str, forwarded: str, client: str) -> None:
    assert client_address(request(peer, forwarded)) == client


@override_settings(TRUSTED_PROXIES=PROXIES)
@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        pytest.param(
            "203.0.113.9", "198.51.100.1", "203.0.113.9", id="spoofed-header-from-an-untrusted-peer"
        ),
        pytest.param("10.0.0.1", None, "10.0.0.1", id="our-proxy-without-header"),
        pytest.param("10.0.0.1", "198.51.100.1", "198.51.100.1", id="one-hop"),
        pytest.param("10.0.0.1", "198.51.100.1, 10.0.0.2", "198.51.100.1", id="two-proxies-of-ours"),
        pytest.param(
            "10.0.0.1",
            "127.0.0.1, 192.0.2.50, 198.51.100.1, 10.0.0.3",
            "198.51.100.1",
            id="client-wrote-the-left",
        ),
        pytest.param("10.0.0.1", "10.0.0.4, 10.0.0.2", "10.0.0.4", id="only-our-proxies"),
        pytest.param("10.0.0.1", "garbage, 198.51.100.1", "198.51.100.1", id="unreadable-left-of-the-client"),
        pytest.param("10.0.0.1", "198.51.100.1, garbage", "10.0.0.1", id="unreadable-hop-of-ours"),
        pytest.param("10.0.0.1", "198.51.100.1:51000", "198.51.100.1", id="ipv4-with-port"),
        pytest.param("2001:db8:ffff::1", "[2001:db8::7]:443", "2001:db8::7", id="ipv6-with-port"),
        pytest.param("::ffff:10.0.0.1", "198.51.100.1", "198.51.100.1", id="ipv4-mapped-peer"),
        pytest.param("10.0.0.9", "198.51.100.1", "10.0.0.9", id="peer-outside-the-trusted-network"),
    ],
)
def test_a_trusted_chain_is_read_from_the_right(peer: str, forwarded: str | None, client: str) -> None:
    assert client_address(request(peer, forwarded)) == client


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=PROXIES, RATELIMIT_ANONYMOUS="2/h")
def test_partner_endpoints_count_and_record_the_client_behind_the_proxy() -> None:
    partner = Client()

    def post(forwarded: str) -> int:
        return partner.post(
            "/cxml/",
            data=b"<not-cxml/>",
            content_type="text/xml",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code

    # One client's failures use up its own allowance, not everyone's behind the proxy.
    assert [post("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert post("198.51.100.2") == 200  # cXML answers its errors in HTTP 200
    received = Document.objects.filter(direction=Direction.INBOUND).values_list("remote_addr", flat=True)
    assert sorted(received) == ["198.51.100.1", "198.51.100.1", "198.51.100.2"]
