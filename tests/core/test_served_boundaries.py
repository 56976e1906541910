"""Against the real server command (``openprocure serve``, gunicorn with 2 workers): chunked request
bodies are read, rate limits are counted in the cache both workers share, and secrets in URLs never
reach the access log nor Django's log."""

from __future__ import annotations

import http.client
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from punchout import cxml
from tests.core import processes

pytestmark = pytest.mark.slow

SETUP = """<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="{payload}" timestamp="2026-03-01T10:00:00+00:00" xml:lang="en-US">
<Header><From><Credential domain="NetworkId"><Identity>NOBODY</Identity></Credential></From>
<To><Credential domain="NetworkId"><Identity>MARKETPLACE</Identity></Credential></To>
<Sender><Credential domain="NetworkId"><Identity>NOBODY</Identity><SharedSecret>wrong-secret</SharedSecret></Credential>
<UserAgent>test</UserAgent></Sender></Header>
<Request><PunchOutSetupRequest operation="create"><BuyerCookie>c1</BuyerCookie>
<BrowserFormPost><URL>https://buyer.test/return</URL></BrowserFormPost>
<SupplierSetup><URL>https://supplier.test/cxml/</URL></SupplierSetup></PunchOutSetupRequest></Request></cXML>
"""
STATUS_UPDATE = """<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="su-1@supplier.test" timestamp="2026-03-01T10:00:00+00:00" xml:lang="en-US">
<Header><From><Credential domain="NetworkId"><Identity>NOBODY</Identity></Credential></From>
<To><Credential domain="NetworkId"><Identity>ACME</Identity></Credential></To>
<Sender><Credential domain="NetworkId"><Identity>NOBODY</Identity><SharedSecret>wrong-secret</SharedSecret></Credential>
<UserAgent>test</UserAgent></Sender></Header>
<Request><StatusUpdateRequest><DocumentReference payloadID="order-1@buyer.test"/>
<Status code="200" text="OK"/></StatusUpdateRequest></Request></cXML>
"""
CAP = 4000  # OPENPROCURE_CXML_MAX_BYTES of the servers below


@pytest.fixture(scope="module")
def storefront(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with processes.served(
        "supplier",
        tmp_path_factory.mktemp("storefront"),
        OPENPROCURE_CXML_MAX_BYTES=str(CAP),
        OPENPROCURE_RATELIMIT_ANONYMOUS="4/m",
        OPENPROCURE_WEB_WORKERS="2",
    ) as served:
        yield served


@pytest.fixture(scope="module")
def buyer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with processes.served(
        "buyer", tmp_path_factory.mktemp("buyer"), OPENPROCURE_CXML_MAX_BYTES=str(CAP)
    ) as served:
        yield served


def send(
    base: str,
    path: str,
    body: bytes | None = None,
    *,
    chunked: bool = False,
    source: str = "127.0.0.1",
    method: str = "POST",
    content_type: str = "text/xml; charset=utf-8",
) -> tuple[int, dict[str, str], bytes]:
    """One request from the loopback address ``source``; a chunked body carries no Content-Length."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=60, source_address=(source, 0)
    )
    try:
        headers = {"Content-Type": content_type} if body is not None else {}
        if chunked and body is not None:
            pieces = [body[i : i + 1000] for i in range(0, len(body), 1000)]
            connection.request(method, path, body=iter(pieces), headers=headers, encode_chunked=True)
        else:
            connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def status_of(body: bytes) -> tuple[int, str, str]:
    status = cxml.parse(body).document.status
    assert status is not None
    return status.code, status.text, status.message


# -- chunked bodies ------------------------------------------------------------------------------
def test_a_chunked_cxml_request_is_read_by_the_storefront(storefront: tuple[str, Path]) -> None:
    base, _log = storefront
    body = SETUP.format(payload="chunked-1@buyer.test").encode()
    http_status, headers, answer = send(base, "/cxml/", body, chunked=True, source="127.0.0.2")
    assert "content-length" not in headers or http_status == 200
    code, text, message = status_of(answer)
    # Read and parsed: the sender is looked up (an empty body answered 400 "not well-formed").
    assert (http_status, code, text) == (200, 401, "Unauthorized")
    assert message.startswith("No PunchOut account is registered for the From credential (NetworkId:NOBODY)")
    # The same document with a Content-Length gets the same answer.
    same = send(base, "/cxml/", SETUP.format(payload="chunked-2@buyer.test").encode(), source="127.0.0.2")
    assert status_of(same[2])[:2] == (401, "Unauthorized")


def test_an_oversized_chunked_body_gets_the_same_413_as_a_sized_one(storefront: tuple[str, Path]) -> None:
    base, _log = storefront
    body = SETUP.format(payload="big@buyer.test").encode() + b"<!--" + b"x" * CAP + b"-->"
    chunked = status_of(send(base, "/cxml/", body, chunked=True, source="127.0.0.3")[2])
    sized = status_of(send(base, "/cxml/", body, source="127.0.0.3")[2])
    expected = (
        413,
        "Request Entity Too Large",
        f"The body has {len(body)} bytes; this endpoint accepts at most {CAP} bytes. "
        "Split the document or contact the partner.",
    )
    assert chunked == sized == expected


def test_a_chunked_body_beyond_what_the_site_reads_is_cut_and_refused(storefront: tuple[str, Path]) -> None:
    base, _log = storefront
    limit = CAP + 1024 * 1024  # DATA_UPLOAD_MAX_MEMORY_SIZE: the cap plus 1 MiB
    body = b"<cXML>" + b" " * (limit + 50_000) + b"</cXML>"
    answer = status_of(send(base, "/cxml/", body, chunked=True, source="127.0.0.4")[2])
    assert answer == (
        413,
        "Request Entity Too Large",
        f"The body has more than {limit} bytes; this endpoint accepts at most {CAP} bytes. "
        "Split the document or contact the partner.",
    )


def test_a_chunked_oci_call_up_is_read(storefront: tuple[str, Path]) -> None:
    base, _log = storefront
    form = b"USERNAME=nobody&PASSWORD=wrong&HOOK_URL=https%3A%2F%2Ferp.test%2Fhook"
    http_status, _headers, page = send(
        base,
        "/oci/",
        form,
        chunked=True,
        source="127.0.0.5",
        content_type="application/x-www-form-urlencoded",
    )
    assert http_status == 401
    assert "The OCI username or password is wrong." in page.decode()


def test_a_chunked_cxml_document_is_read_by_the_buyer(buyer: tuple[str, Path]) -> None:
    base, _log = buyer
    http_status, _headers, answer = send(base, "/cxml/", STATUS_UPDATE.encode(), chunked=True)
    code, text, message = status_of(answer)
    assert (http_status, code, text) == (200, 401, "Unauthorized")
    assert message.startswith("Unknown sender: no supplier connection has the identity NetworkId:NOBODY")


# -- rate limits -----------------------------------------------------------------------------------
def _inside_one_window(address: str, period: int = 60, needed: int = 20) -> None:
    """Wait, if need be, until ``needed`` seconds are left in the rate limiter's current window for
    ``address``: django-ratelimit counts in fixed windows of ``period`` seconds, each key's shifted by
    the CRC-32 of its value, so a burst that straddles the window's end is counted in two windows."""
    now = int(time.time())
    end = now - now % period + zlib.crc32(address.encode()) % period
    if end < now:  # as django-ratelimit's _get_window
        end += period
    if end - now < needed:
        time.sleep(end - now + 1)


def test_failed_requests_are_limited_per_address_across_both_workers(storefront: tuple[str, Path]) -> None:
    base, _log = storefront
    _inside_one_window("127.0.0.9")
    answers = [
        send(base, "/cxml/", SETUP.format(payload=f"flood-{n}@x.test").encode(), source="127.0.0.9")
        for n in range(6)
    ]
    assert [status_of(body)[0] for _status, _headers, body in answers[:4]] == [401, 401, 401, 401]
    assert [status for status, _headers, _body in answers] == [200, 200, 200, 200, 429, 429]
    _status, headers, body = answers[4]
    assert 1 <= int(headers["retry-after"]) <= 60
    code, text, message = status_of(body)
    assert (code, text) == (560, "Temporary server error")
    assert message == (
        "Too many failed or unauthenticated requests came from your address. Send the same document "
        f"again in {headers['retry-after']} seconds (nothing was read or stored)."
    )
    # Another address is not affected, and neither is /oci/ from it.
    other = send(base, "/cxml/", SETUP.format(payload="other@x.test").encode(), source="127.0.0.10")
    assert (other[0], status_of(other[2])[0]) == (200, 401)
    # The limited address is refused on /oci/ too, with a text a person can read.
    oci_status, oci_headers, oci_page = send(
        base, "/oci/?USERNAME=a&PASSWORD=b", method="GET", source="127.0.0.9"
    )
    assert (oci_status, oci_page.decode().strip()) == (
        429,
        f"Too many requests: try again in {oci_headers['retry-after']} seconds.",
    )


# -- secrets out of the logs -----------------------------------------------------------------------
# (path requested, the secret in it, the path as the access log must show it)
STOREFRONT_URLS = [
    (
        "/po/Zq7dLx2-pWm9Vt4_Kc8Rb1Ny6Hs3Jf5Ga0Qe7Uo2Ti9/cart/",
        "Zq7dLx2-pWm9Vt4_Kc8Rb1Ny6Hs3Jf5Ga0Qe7Uo2Ti9",
        "/po/[redacted]/cart/",
    ),
    ("/po/start/St4rtT0ken-4b8c1d9e2f7a6b5c/", "St4rtT0ken-4b8c1d9e2f7a6b5c", "/po/start/[redacted]/"),
    (
        "/business/invitation/Inv1tat10nT0ken-9f8e7d6c/",
        "Inv1tat10nT0ken-9f8e7d6c",
        "/business/invitation/[redacted]/",
    ),
    (
        "/oci/?USERNAME=acme-oci&PASSWORD=Oc1Pa55w0rd-s3cr3t&HOOK_URL=https%3A%2F%2Ferp.test%2F",
        "Oc1Pa55w0rd-s3cr3t",
        "/oci/?USERNAME=acme-oci&PASSWORD=[redacted]&HOOK_URL=https%3A%2F%2Ferp.test%2F",
    ),
    ("/?token=Qu3ryT0ken-7a7a7a&q=pens", "Qu3ryT0ken-7a7a7a", "/?token=[redacted]&q=pens"),
    ("/?shared_secret=Sh4redS3cret-6b6b6b", "Sh4redS3cret-6b6b6b", "/?shared_secret=[redacted]"),
]
BUYER_URLS = [
    (
        "/accounts/set-password/MTI/c9x4ke-S3tPa55w0rdT0ken/",
        "c9x4ke-S3tPa55w0rdT0ken",
        "/accounts/set-password/MTI/[redacted]/",
    ),
    ("/approvals/email/Ema1lAct10nT0ken.abc123/", "Ema1lAct10nT0ken.abc123", "/approvals/email/[redacted]/"),
    ("/punchout/return/Buy3rC00kie-1234567890/", "Buy3rC00kie-1234567890", "/punchout/return/[redacted]/"),
]


@pytest.mark.parametrize(
    ("site", "urls"),
    [
        pytest.param("storefront", STOREFRONT_URLS, id="storefront"),
        pytest.param("buyer", BUYER_URLS, id="buyer"),
    ],
)
def test_no_url_secret_reaches_the_logs(
    request: pytest.FixtureRequest, site: str, urls: list[tuple[str, str, str]]
) -> None:
    base, log = request.getfixturevalue(site)
    for path, _secret, _shown in urls:
        send(base, path, method="GET", source="127.0.0.30")

    def logged() -> bool:
        # Several workers write the log: a line may land after a later request's. Wait for every
        # request (or for a secret, which fails below).
        text = log.read_text(errors="replace")
        return any(secret in text for _path, secret, _shown in urls) or all(
            f'"GET {shown} HTTP/1.1"' in text for _path, _secret, shown in urls
        )

    processes.wait_until(logged, timeout=10, what="the access log")
    text = log.read_text(errors="replace")
    assert [secret for _path, secret, _shown in urls if secret in text] == []
    # Each request is in the access log, with its secret replaced.
    assert [shown for _path, _secret, shown in urls if f'"GET {shown} HTTP/1.1"' not in text] == []
