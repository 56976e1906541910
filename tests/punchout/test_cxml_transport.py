"""BrowserFormPost encodings and server-to-server delivery against a local HTTP server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from tests.partner_server import PartnerServer

from punchout.cxml import InvalidDocument, build, response_document
from punchout.cxml.transport import (
    PermanentDeliveryError,
    TransientDeliveryError,
    decode_form,
    encode_form,
    post_cxml,
)

BODY = b'<?xml version="1.0" encoding="UTF-8"?><cXML payloadID="p@x"><Message/></cXML>'


def test_form_round_trip_both_encodings() -> None:
    assert encode_form(BODY) == {"cxml-urlencoded": BODY.decode()}
    assert decode_form(encode_form(BODY)) == BODY
    encoded = encode_form(BODY, "cxml-base64")
    assert list(encoded) == ["cxml-base64"]
    assert decode_form(encoded) == BODY
    assert decode_form({"CXML-BASE64": encoded["cxml-base64"]}) == BODY


def test_decode_form_rewrites_a_foreign_declared_encoding() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?><cXML>Bäcker</cXML>'
    assert (
        decode_form({"cXML-urlencoded": text})
        == '<?xml version="1.0" encoding="UTF-8"?><cXML>Bäcker</cXML>'.encode()
    )


def test_decode_form_errors_are_specific() -> None:
    with pytest.raises(
        InvalidDocument, match=r"no cxml-urlencoded or cxml-base64 field \(fields received: a, b\)"
    ):
        decode_form({"a": "1", "b": "2"})
    with pytest.raises(InvalidDocument, match="not valid base64"):
        decode_form({"cxml-base64": "***"})


class Partner(BaseHTTPRequestHandler):
    replies: dict[str, tuple[int, bytes]] = {}
    received: list[bytes] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Partner.received.append(self.rfile.read(length))
        status, body = Partner.replies[self.path]
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def partner() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Partner)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Partner.replies = {
        "/ok": (200, build(response_document(200, "OK"))),
        "/busy": (200, build(response_document(500, "Internal Server Error", "try later"))),
        "/bad": (200, build(response_document(400, "Bad Request", "orderID missing"))),
        "/http503": (503, b"<html>down</html>"),
        "/http404": (404, b"not here"),
        "/html": (200, b"<html><body>hello</body></html>"),
    }
    Partner.received = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_post_cxml_accepted(partner: str) -> None:
    result = post_cxml(f"{partner}/ok", BODY, deadline=5)
    assert (result.http_status, result.status.code, result.status.text) == (200, 200, "OK")
    assert Partner.received == [BODY]


@pytest.mark.parametrize(
    ("path", "error", "code", "text"),
    [
        ("/busy", TransientDeliveryError, 500, "Internal Server Error: try later"),
        ("/bad", PermanentDeliveryError, 400, "Bad Request: orderID missing"),
        ("/http503", TransientDeliveryError, 503, "HTTP 503, and the reply is not a cXML Response"),
        ("/http404", PermanentDeliveryError, 404, "HTTP 404, and the reply is not a cXML Response"),
        ("/html", PermanentDeliveryError, 200, "HTTP 200, and the reply is not a cXML Response"),
    ],
)
def test_post_cxml_failures(partner: str, path: str, error: type[Exception], code: int, text: str) -> None:
    with pytest.raises(error) as caught:
        post_cxml(f"{partner}{path}", BODY, deadline=5)
    assert caught.value.status_code == code  # type: ignore[attr-defined]
    assert caught.value.text.startswith(text)  # type: ignore[attr-defined]


def test_post_cxml_network_error_is_transient() -> None:
    with pytest.raises(TransientDeliveryError) as caught:
        post_cxml("http://127.0.0.1:9/none", BODY, deadline=2)
    assert caught.value.status_code == 0
    assert caught.value.text.startswith("could not reach 127.0.0.1:9")


def test_post_cxml_refuses_other_schemes() -> None:
    with pytest.raises(ValueError, match="http or https"):
        post_cxml("file:///etc/passwd", BODY)


def test_a_partner_that_drips_its_answer_is_cut_at_the_deadline() -> None:
    """Each byte comes long before any socket timeout; only the deadline of the exchange ends it."""
    with PartnerServer(drip=0.05) as dripping:  # the whole answer would take about 20 s
        started = time.monotonic()
        with pytest.raises(TransientDeliveryError) as caught:
            post_cxml(dripping.url, BODY, deadline=1)
        elapsed = time.monotonic() - started
        host = dripping.url.split("/")[2]
        assert (caught.value.status_code, caught.value.text) == (
            0,
            f"{host} did not answer in full within 1 s (the deadline of one delivery attempt); "
            "the connection was cut",
        )
        assert elapsed < 5
        # The partner notices the connection is gone and stops dripping, its answer unfinished.
        for _ in range(100):
            if dripping.answers_sent:
                break
            time.sleep(0.05)
    [(sent, total)] = dripping.answers_sent
    assert 0 < sent < total
    assert [request.body for request in dripping.received] == [BODY]


def test_a_partner_that_never_answers_is_cut_at_the_deadline() -> None:
    with PartnerServer(delay=30) as silent:
        with pytest.raises(TransientDeliveryError) as caught:
            post_cxml(silent.url, BODY, deadline=0.5)
    assert caught.value.text.endswith(
        "did not answer in full within 0.5 s (the deadline of one delivery attempt); the connection was cut"
    )


def test_a_complete_answer_within_the_deadline_is_read_whatever_its_pace() -> None:
    with PartnerServer(drip=0.001) as slow_but_steady:
        result = post_cxml(slow_but_steady.url, BODY, deadline=20)
    assert (result.http_status, result.status.code, result.status.text) == (200, 200, "OK")
    [(sent, total)] = slow_but_steady.answers_sent
    assert sent == total
