"""Rate limits of ``/cxml/`` and ``/oci/``: failures count per address, accepted requests per partner
credential, so a flood from anonymous senders never takes an authenticated partner's turn.

(The real server command with two workers sharing the disk cache is tested in
``tests/core/test_served_boundaries.py``.)
"""

from __future__ import annotations

import random
import socket
import threading

import pytest
from django.test import Client, override_settings

from openprocure.core.models import Document
from punchout import cxml
from tests.supplier.worlds import setup_request

pytestmark = pytest.mark.django_db

HOSTILE = b'<?xml version="1.0"?><cXML><Header>' + b"<e/>" * 2000 + b"</Header>"  # unclosed: not well-formed


def setup_as(client, address: str, **kwargs):
    response = client.post("/cxml/", setup_request(**kwargs), content_type="text/xml", REMOTE_ADDR=address)
    return response, cxml.parse(response.content).document.status


@override_settings(RATELIMIT_ANONYMOUS="3/h", RATELIMIT_PARTNER="100/h")
def test_an_anonymous_flood_is_refused_and_the_partner_is_not(client, acme):
    flood = [
        client.post("/cxml/", HOSTILE, content_type="text/xml", REMOTE_ADDR="127.0.0.2") for _ in range(5)
    ]
    assert [r.status_code for r in flood] == [200, 200, 200, 429, 429]
    assert [cxml.parse(r.content).document.status.code for r in flood] == [400, 400, 400, 560, 560]
    refused = flood[3]
    assert 1 <= int(refused["Retry-After"]) <= 3600
    status = cxml.parse(refused.content).document.status
    assert (status.code, status.text, status.message) == (
        560,
        "Temporary server error",
        "Too many failed or unauthenticated requests came from your address. Send the same document "
        f"again in {refused['Retry-After']} seconds (nothing was read or stored).",
    )
    # Refused requests were not read, so not journaled: only the three answered ones (and their answers).
    assert Document.objects.filter(remote_addr="127.0.0.2").count() == 3
    # Someone who knows ACME's identity but not its secret uses up only their own address's allowance.
    impostor = [setup_as(client, "127.0.0.3", secret="guessed")[1].code for _ in range(4)]
    assert impostor == [401, 401, 401, 560]
    # ACME, from its own address, is answered as usual, many times.
    assert [setup_as(client, "127.0.0.1")[1].code for _ in range(5)] == [200] * 5


@override_settings(RATELIMIT_ANONYMOUS="100/h", RATELIMIT_PARTNER="2/h")
def test_a_partner_over_its_allowance_is_told_to_send_again_later(client, acme, globex):
    answers = [setup_as(client, "127.0.0.1") for _ in range(3)]
    assert [status.code for _response, status in answers] == [200, 200, 560]
    response, status = answers[2]
    assert response.status_code == 429
    assert status.message == (
        "This partner account has sent more requests than its allowance. Send the same document again "
        f"in {response['Retry-After']} seconds (nothing was read or stored)."
    )
    # Another partner from the same address has its own allowance.
    _response, other = setup_as(
        client,
        "127.0.0.1",
        identity="GLOBEX",
        secret="globex-shared-secret",
        email="buyer@globex.test",
        url="https://globex.example/return",
    )
    assert other.code == 200


@override_settings(RATELIMIT_ANONYMOUS="2/h", RATELIMIT_PARTNER="100/h")
def test_wrong_oci_passwords_are_limited_per_address(client, acme):
    wrong = [
        client.get(
            "/oci/",
            {
                "USERNAME": acme.oci_username,
                "PASSWORD": "guess",
                "HOOK_URL": "https://buyer.example/punchout/h",
            },
            REMOTE_ADDR="127.0.0.7",
        )
        for _ in range(3)
    ]
    assert [r.status_code for r in wrong] == [401, 401, 429]
    assert (
        wrong[2].content.decode().strip()
        == f"Too many requests: try again in {wrong[2]['Retry-After']} seconds."
    )
    right = client.get(
        "/oci/",
        {
            "USERNAME": acme.oci_username,
            "PASSWORD": "oci-password-1",
            "email": "buyer@acme.test",
            "HOOK_URL": "https://buyer.example/punchout/hook",
        },
        REMOTE_ADDR="127.0.0.8",
    )
    assert right.status_code == 302


@override_settings(RATELIMIT_ENABLE=False)
def test_the_limits_can_be_switched_off(client, acme):
    codes = {
        client.post("/cxml/", HOSTILE, content_type="text/xml", REMOTE_ADDR="127.0.0.2").status_code
        for _ in range(70)
    }
    assert codes == {200}


def redis_url() -> str:
    try:
        socket.create_connection(("127.0.0.1", 6379), 2).close()
    except OSError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    # Database 6: not a site's default (0, 1) nor one the RQ tests empty (8-15). Only this test's
    # own keys are removed afterwards: other runs may share the database.
    return "redis://127.0.0.1:6379/6"


def test_the_limits_count_in_redis_too(client, acme):
    import redis

    url = redis_url()
    prefix = f"openprocure-test-{random.randint(0, 10**12)}"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    try:
        with override_settings(CACHES=caches, RATELIMIT_ANONYMOUS="2/h"):
            codes = [
                client.post("/cxml/", HOSTILE, content_type="text/xml", REMOTE_ADDR="127.0.0.2").status_code
                for _ in range(3)
            ]
            assert codes == [200, 200, 429]
            assert setup_as(client, "127.0.0.1")[1].code == 200
            # The counters are in Redis, where every process of the site sees them.
            assert [key for key in redis.Redis.from_url(url).scan_iter(f"{prefix}:*")] != []
    finally:
        connection = redis.Redis.from_url(url)
        for key in connection.scan_iter(f"{prefix}:*"):
            connection.delete(key)
        connection.close()


@override_settings(RATELIMIT_ANONYMOUS="100/h", RATELIMIT_SUSPECT_AFTER=2)
def test_an_address_that_failed_gets_one_document_read_at_a_time(client, acme, monkeypatch):
    from django.core.cache import cache
    from django.http import HttpResponse

    from openprocure.core import ratelimits
    from openprocure.core.cxml_endpoint import CXMLEndpoint

    # One failure does not make an address a suspect; two do (127.0.0.1 has none).
    client.post("/cxml/", b"not xml", content_type="text/xml", REMOTE_ADDR="127.0.0.2")
    assert cache.get(ratelimits.SUSPECT_PREFIX + "127.0.0.2") is None
    client.post("/cxml/", b"not xml", content_type="text/xml", REMOTE_ADDR="127.0.0.2")
    assert cache.get(ratelimits.SUSPECT_PREFIX + "127.0.0.2") == 1
    entered, release = threading.Event(), threading.Event()
    original = CXMLEndpoint.receive

    def held(self, request):
        if request.META["REMOTE_ADDR"] != "127.0.0.2" or release.is_set():
            return original(self, request)
        entered.set()  # a large document of 127.0.0.2 is being read…
        release.wait(30)
        return HttpResponse(b"read")

    monkeypatch.setattr(CXMLEndpoint, "receive", held)
    first = threading.Thread(
        target=lambda: Client().post("/cxml/", HOSTILE, content_type="text/xml", REMOTE_ADDR="127.0.0.2")
    )
    first.start()
    try:
        assert entered.wait(30)
        # …meanwhile the next one from the same address is refused at once,
        second = client.post("/cxml/", HOSTILE, content_type="text/xml", REMOTE_ADDR="127.0.0.2")
        assert second.status_code == 429
        assert second["Retry-After"] == "1"
        status = cxml.parse(second.content).document.status
        assert (status.code, status.message) == (
            560,
            "Requests from your address failed recently, and another of its documents is still being "
            "read: we read one at a time. Send this document again in 1 second (nothing was read or stored).",
        )
        # …and a partner from another address is answered as usual.
        assert setup_as(client, "127.0.0.1")[1].code == 200
    finally:
        release.set()
        first.join(30)
    # Once the first is answered, the address has its turn again.
    again = client.post("/cxml/", HOSTILE, content_type="text/xml", REMOTE_ADDR="127.0.0.2")
    assert (again.status_code, cxml.parse(again.content).document.status.code) == (200, 400)
