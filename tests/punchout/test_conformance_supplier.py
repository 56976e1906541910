"""The supplier-role conformance checks against partners started here: one that works, and broken ones.

One module-scoped HTTP server plays every partner; the first path segment names the behaviour
(``/good/…``, ``/html/…``, ``/latin1/…``). Each broken behaviour is caught by the check meant for
it, with its exact message; the working partner passes every check through the command itself.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode
from urllib.request import urlopen

import pytest
from lxml import etree

from openprocure.conformance_tools import main
from punchout import netguard
from punchout.conformance import Outcome, Report
from punchout.conformance.catcher import Posted
from punchout.conformance.identity import Party
from punchout.conformance.supplier import SupplierTarget, run_supplier_checks
from punchout.cxml import parse
from punchout.cxml.order import OrderRequest
from punchout.cxml.profile import ProfileRequest
from punchout.cxml.punchout_msgs import PunchOutSetupRequest

SECRET = "partner-secret"
BUYER = "NetworkId:BUYER"
SUPPLIER = "NetworkId:SUPPLIER"
DOCTYPE = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">'


def response(body: str, code: int = 200, text: str = "OK", message: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n'
        '<cXML payloadID="reply@supplier.test" timestamp="2026-12-07T10:00:00+00:00">'
        f'<Response><Status code="{code}" text="{text}">{escape(message)}</Status>{body}</Response></cXML>'
    ).encode()


def cart_message(cookie: str, total: str = "25.00") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n'
        '<cXML payloadID="cart@supplier.test" timestamp="2026-12-07T10:00:00+00:00">'
        '<Header><From><Credential domain="NetworkId"><Identity>SUPPLIER</Identity></Credential></From>'
        '<To><Credential domain="NetworkId"><Identity>BUYER</Identity></Credential></To>'
        '<Sender><Credential domain="NetworkId"><Identity>SUPPLIER</Identity></Credential>'
        "<UserAgent>Test supplier</UserAgent></Sender></Header>"
        f"<Message><PunchOutOrderMessage><BuyerCookie>{escape(cookie)}</BuyerCookie>"
        f'<PunchOutOrderMessageHeader operationAllowed="edit"><Total><Money currency="EUR">{total}</Money>'
        "</Total></PunchOutOrderMessageHeader>"
        '<ItemIn quantity="2"><ItemID><SupplierPartID>P-100</SupplierPartID>'
        "<SupplierPartAuxiliaryID>line-1</SupplierPartAuxiliaryID></ItemID>"
        '<ItemDetail><UnitPrice><Money currency="EUR">12.50</Money></UnitPrice>'
        '<Description xml:lang="fr">Filtre à café</Description><UnitOfMeasure>EA</UnitOfMeasure>'
        '<Classification domain="UNSPSC">52141526</Classification></ItemDetail></ItemIn>'
        "</PunchOutOrderMessage></Message></cXML>"
    )


class Supplier(BaseHTTPRequestHandler):
    """A PunchOut supplier whose first path segment names how it behaves (see the module docstring)."""

    server: SupplierServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(
        self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _read(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        kind, page, token = [*path.strip("/").split("/"), "", "", ""][:3]
        if page == "oci" and kind == "postonly":
            self._send(405, "text/plain", b"POST only", {"Allow": "POST"})
        elif page == "oci":
            self._oci(kind, dict(parse_qsl(query)))
        elif page == "start":
            form = f'<form method="post" action="/{kind}/add/{token}"><button>Add to cart</button></form>'
            self._send(
                200, "text/html; charset=utf-8", f"<!DOCTYPE html><html><body>{form}</body></html>".encode()
            )
        elif page == "cart":
            form = f'<form method="post" action="/{kind}/checkout/{token}"><button>Check out</button></form>'
            self._send(
                200, "text/html; charset=utf-8", f"<!DOCTYPE html><html><body>{form}</body></html>".encode()
            )
        else:
            self._send(404, "text/plain", b"not found")

    def do_POST(self) -> None:
        kind, page, token = [*self.path.strip("/").split("/"), "", "", ""][:3]
        body = self._read()
        if page == "cxml":
            self._cxml(kind, body)
        elif page == "oci":
            self._oci(kind, dict(parse_qsl(body.decode("latin-1"))))
        elif page == "add":
            self._send(303, "text/plain", b"", {"Location": f"/{kind}/cart/{token}"})
        elif page == "checkout":
            self._return_cart(kind, token)
        else:
            self._send(404, "text/plain", b"not found")

    def _oci(self, kind: str, params: dict[str, str]) -> None:
        if (params.get("USERNAME"), params.get("PASSWORD")) != ("buyer", "oci-secret"):
            self._send(401, "text/html", b"<!DOCTYPE html><html><body>Wrong login</body></html>")
            return
        function = params.get("FUNCTION", "")
        if function and kind == "nofunctions":
            self._send(404, "text/html", b"<!DOCTYPE html><html><body>Unknown function</body></html>")
            return
        if function:
            self._send(200, "text/html; charset=iso-8859-1", self._oci_form(kind, params["HOOK_URL"]))
            return
        token = f"t{next(self.server.counter)}"
        self.server.sessions[token] = ("", params["HOOK_URL"], "oci")
        self._send(303, "text/plain", b"", {"Location": f"/{kind}/start/{token}"})

    def _oci_form(self, kind: str, hook_url: str) -> bytes:
        fields = {
            "NEW_ITEM-DESCRIPTION[1]": "Filtre à café",
            "NEW_ITEM-QUANTITY[1]": "2",
            "NEW_ITEM-UNIT[1]": "EA",
            "NEW_ITEM-PRICE[1]": "12.50",
            "NEW_ITEM-CURRENCY[1]": {"nofunctions": "", "euro": "EURO"}.get(kind, "EUR"),
            "NEW_ITEM-VENDORMAT[1]": "P-100",
        }
        inputs = "".join(f'<input type="hidden" name="{k}" value="{escape(v)}">' for k, v in fields.items())
        page = (
            '<!DOCTYPE html><html><head><meta charset="iso-8859-1"></head><body>'
            f'<form method="post" action="{escape(hook_url)}">{inputs}<button>Transfer</button></form></body></html>'
        )
        return page.encode("iso-8859-1")

    def _return_cart(self, kind: str, token: str) -> None:
        cookie, return_url, protocol = self.server.sessions[token]
        if protocol == "oci":
            self._send(200, "text/html; charset=iso-8859-1", self._oci_form(kind, return_url))
            return
        charset = "iso-8859-1" if kind == "latin1" else "utf-8"
        total = "30.00" if kind == "total" else "25.00"
        name, value = "cxml-urlencoded", cart_message(cookie, total)
        if kind == "base64":
            name, value = "cxml-base64", base64.b64encode(value.encode()).decode()
        elif kind == "nofield":
            name = "cxml"
        page = (
            f'<!DOCTYPE html><html><head><meta charset="{charset}"></head><body>'
            f'<form id="back" method="post" action="{escape(return_url)}">'
            f'<input type="hidden" name="{name}" value="{escape(value)}">'
            "<button>Continue</button></form><script>document.getElementById('back').submit()</script>"
            "</body></html>"
        )
        self._send(200, f"text/html; charset={charset}", page.encode(charset))

    def _cxml(self, kind: str, body: bytes) -> None:
        document = parse(body).document
        message = document.message
        header = document.require_header()
        base = f"http://127.0.0.1:{self.server.server_address[1]}/{kind}"
        if kind == "html":
            self._send(200, "text/html", b"<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>")
            return
        if isinstance(message, ProfileRequest):
            transactions = "".join(
                f'<Transaction requestName="{name}"><URL>{base}/cxml</URL></Transaction>'
                for name in ("OrderRequest", "ProfileRequest", "PunchOutSetupRequest")
            )
            self._send(
                200,
                "text/xml; charset=utf-8",
                response(
                    f'<ProfileResponse effectiveDate="2026-12-07T10:00:00+00:00">{transactions}</ProfileResponse>'
                ),
            )
            return
        if isinstance(message, PunchOutSetupRequest):
            if kind == "slow":
                time.sleep(2)
            if kind == "error200":
                self._send(
                    200, "text/xml", response("", 500, "Internal Server Error", "Setup failed: no catalog")
                )
                return
            known = any(c.identity == "BUYER" for c in header.from_)
            if kind != "nosecret" and (header.sender_secret != SECRET or not known):
                self._send(200, "text/xml", response("", 401, "Unauthorized", "Wrong credentials"))
                return
            token = f"t{next(self.server.counter)}"
            self.server.sessions[token] = (message.buyer_cookie, message.browser_form_post_url or "", "cxml")
            start = f"{base}/{'missing' if kind == 'nostart' else 'start'}/{token}"
            answer = response(
                f"<PunchOutSetupResponse><StartPage><URL>{start}</URL></StartPage></PunchOutSetupResponse>"
            )
            self._send(200, "text/plain" if kind == "ctype" else "text/xml; charset=utf-8", answer)
            return
        if isinstance(message, OrderRequest):
            payload = document.payload_id or ""
            if kind != "dupe" and payload in self.server.orders:
                self._send(200, "text/xml", self.server.orders[payload])
                return
            answer = response("", 200, "OK", f"Order SO-{next(self.server.counter)} received")
            self.server.orders[payload] = answer
            self._send(200, "text/xml", answer)
            return
        self._send(200, "text/xml", response("", 406, "Not Acceptable", f"{document.kind} is not supported"))


class SupplierServer(ThreadingHTTPServer):
    daemon_threads = True
    sessions: dict[str, tuple[str, str, str]]  # token -> BuyerCookie, return address, protocol
    orders: dict[str, bytes]
    counter: itertools.count[int]

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: the slow partner's client hangs up at its deadline, which is the point."""


@pytest.fixture(scope="module")
def supplier_server() -> Iterator[SupplierServer]:
    server = SupplierServer(("127.0.0.1", 0), Supplier)
    server.sessions, server.orders, server.counter = {}, {}, itertools.count(1)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def supplier(supplier_server: SupplierServer) -> str:
    return f"http://127.0.0.1:{supplier_server.server_address[1]}"


def run(
    url: str,
    *,
    send_orders: bool = False,
    deadline: float = 10.0,
    oci_url: str = "",
    cart_wait: float = 0.0,
    announce: Callable[[str], None] | None = None,
) -> Report:
    target = SupplierTarget(
        url=url,
        from_party=Party.parse(BUYER),
        to_party=Party.parse(SUPPLIER),
        secret=SECRET,
        send_orders=send_orders,
        oci_url=oci_url,
        oci_user="buyer",
        oci_password="oci-secret",
        cart_wait=cart_wait,
    )
    return run_supplier_checks(target, deadline=deadline, announce=announce)


def outcomes(report: Report) -> dict[str, str]:
    return {check.code: str(check.outcome) for check in report.checks}


def check_of(report: Report, code: str) -> tuple[Outcome, str, str]:
    check = next(c for c in report.checks if c.code == code)
    return check.outcome, check.message, check.fix


ALL_PASS = {
    "profile": "pass",
    "setup.create": "pass",
    "cart.return": "pass",
    "cart.encoding": "pass",
    "cart.document": "pass",
    "cart.message": "pass",
    "cart.totals": "pass",
    "setup.edit": "pass",
    "setup.inspect": "pass",
    "secret.wrong": "pass",
    "identity.unknown": "pass",
    "order.new": "pass",
    "order.repeat": "pass",
    "order.update": "pass",
    "order.delete": "pass",
    "oci.callup": "skipped",
    "oci.cart": "skipped",
    "oci.validate": "skipped",
    "oci.background_search": "skipped",
}


def test_a_working_supplier_passes_every_check_through_the_command(supplier: str, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    junit = tmp_path / "conformance.xml"
    argv = ["supplier", f"{supplier}/good/cxml", "--from", BUYER, "--to", SUPPLIER, "--secret", SECRET]
    code = main([*argv, "--send-orders", "--json", "--junit", str(junit)], out=out, err=err)
    assert code == 0, out.getvalue()
    report = json.loads(out.getvalue())
    assert {c["code"]: c["outcome"] for c in report["checks"]} == ALL_PASS
    by_code = {c["code"]: c for c in report["checks"]}
    assert by_code["cart.return"]["params"]["field"] == "cxml-urlencoded"
    assert by_code["cart.return"]["params"]["steps"] == [
        f"added to the cart with the form to {supplier}/good/add/t1",
        f"returned the cart with the form to {supplier}/good/checkout/t1",
        f"the page {supplier}/good/checkout/t1 posts the cart to the return address",
    ]
    assert by_code["cart.totals"]["message"] == "Total 25.00 EUR = the sum of the lines."
    assert by_code["setup.edit"]["message"].startswith(
        "The lines are those of the cart returned earlier (P-100). The setup was answered in "
    )
    assert by_code["secret.wrong"]["message"] == "Refused with cXML Status 401 Unauthorized."
    assert by_code["order.repeat"]["message"].startswith(
        "Both answers were 'HTTP 200, cXML 200 OK: Order SO-"
    )
    assert by_code["oci.callup"]["message"] == "No OCI call-up URL was given (--oci)."
    suite = etree.fromstring(junit.read_bytes())
    assert suite.get("tests") == "19"
    assert suite.get("failures") == "0"
    assert suite.get("skipped") == "4"
    assert [case.get("name") for case in suite] == list(ALL_PASS)
    assert err.getvalue().endswith("PASSED: 19 checks, 0 failed.\n")
    # The shared secret is sent, but never written into the report.
    assert SECRET not in out.getvalue()
    assert "<SharedSecret>********</SharedSecret>" in by_code["profile"]["exchanges"][0]["request_body"]


def test_orders_are_skipped_with_the_reason_unless_asked(supplier: str) -> None:
    report = run(f"{supplier}/good/cxml")
    assert check_of(report, "order.new") == (
        Outcome.SKIP,
        "Orders are sent only when asked (--send-orders).",
        "",
    )
    assert report.passed


def test_html_instead_of_cxml_fails_the_profile_and_setup(supplier: str) -> None:
    report = run(f"{supplier}/html/cxml")
    outcome, message, fix = check_of(report, "setup.create")
    assert outcome is Outcome.FAIL
    assert message == (
        "The answer to PunchOutSetupRequest (create) was HTTP 200 (HTML), not a cXML document: "
        + message.split("not a cXML document: ", 1)[1]
    )
    assert fix.startswith("Answer with a cXML Response (Content-Type text/xml), also for errors")
    assert check_of(report, "profile")[1].startswith("The answer to ProfileRequest was HTTP 200 (HTML)")
    assert check_of(report, "secret.wrong")[0] is Outcome.FAIL
    assert outcomes(report)["cart.encoding"] == "skipped"
    assert not report.passed


def test_http_200_with_a_cxml_error_inside_fails_the_setup(supplier: str) -> None:
    report = run(f"{supplier}/error200/cxml")
    assert check_of(report, "setup.create")[:2] == (
        Outcome.FAIL,
        "The answer to PunchOutSetupRequest (create) has cXML Status 500 Internal Server Error: "
        "Setup failed: no catalog (expected 200 to 299).",
    )
    # A 5xx is not a refusal: the wrong secret was not checked, it was not handled at all.
    assert check_of(report, "secret.wrong")[:2] == (
        Outcome.FAIL,
        "The answer to a setup with a wrong SharedSecret has cXML Status 500 Internal Server Error: "
        "Setup failed: no catalog (expected 400 to 499).",
    )


def test_a_wrong_content_type_is_a_warning_on_the_setup(supplier: str) -> None:
    report = run(f"{supplier}/ctype/cxml")
    outcome, message, fix = check_of(report, "setup.create")
    assert outcome is Outcome.WARN
    assert message.startswith(
        "The answer to PunchOutSetupRequest (create) is cXML but its Content-Type is 'text/plain'. "
        "The setup was answered in "
    )
    assert fix == "Send cXML with Content-Type text/xml; charset=UTF-8."
    # A warning is not a failure: the run still passes (exit code 0) and the report says what to change.
    assert report.passed and report.exit_code == 0


def test_a_secret_not_checked_is_caught(supplier: str) -> None:
    report = run(f"{supplier}/nosecret/cxml")
    outcome, message, fix = check_of(report, "secret.wrong")
    assert (outcome, message) == (
        Outcome.FAIL,
        "The answer to a setup with a wrong SharedSecret has cXML Status 200 OK (expected 400 to 499). "
        "It was accepted.",
    )
    assert fix.startswith("Check the SharedSecret of every request and refuse a wrong one")
    assert check_of(report, "identity.unknown")[0] is Outcome.FAIL
    assert check_of(report, "setup.create")[0] is Outcome.PASS


def test_a_repeated_payload_id_creating_a_second_order_is_caught(supplier: str) -> None:
    report = run(f"{supplier}/dupe/cxml", send_orders=True)
    outcome, message, _fix = check_of(report, "order.repeat")
    sent = parse(next(c for c in report.checks if c.code == "order.new").exchanges[0].request_body.encode())
    found = re.fullmatch(
        r"The same OrderRequest \(payloadID (?P<payload>\S+)\) sent again was answered differently: "
        r"first 'HTTP 200, cXML 200 OK: Order SO-(?P<first>\d+) received', then "
        r"'HTTP 200, cXML 200 OK: Order SO-(?P<second>\d+) received'\. The repeat may have created a second order\.",
        message,
    )
    assert outcome is Outcome.FAIL
    assert found is not None, message
    assert found["payload"] == sent.document.payload_id
    assert int(found["second"]) == int(found["first"]) + 1
    assert check_of(report, "order.new")[0] is Outcome.PASS


def test_a_slow_setup_fails_at_the_deadline(supplier: str) -> None:
    started = time.monotonic()
    report = run(f"{supplier}/slow/cxml", deadline=1.0)
    outcome, message, fix = check_of(report, "setup.create")
    assert (outcome, message) == (Outcome.FAIL, f"{supplier}/slow/cxml did not answer in full within 1 s.")
    assert fix.startswith("Answer within the time procurement systems wait (Coupa waits 60 s")
    assert check_of(report, "profile")[0] is Outcome.PASS
    assert time.monotonic() - started < 15


def test_a_slower_setup_than_the_warning_limit_is_a_warning_with_its_duration(supplier: str) -> None:
    target = SupplierTarget(
        url=f"{supplier}/good/cxml",
        from_party=Party.parse(BUYER),
        to_party=Party.parse(SUPPLIER),
        secret=SECRET,
        setup_warn_seconds=0.0,
    )
    report = run_supplier_checks(target)
    outcome, message, fix = check_of(report, "setup.create")
    seconds = next(c for c in report.checks if c.code == "setup.create").params["setup_seconds"]
    assert outcome is Outcome.WARN
    assert re.fullmatch(
        r"The setup was answered in (\d+\.\d\d) s\. The setup took \1 s \(more than 0 s\): the shopper waits "
        r"in front of an empty frame meanwhile\. The StartPage answered HTTP 200 HTML in \d+\.\d\d s\.",
        message,
    ), message
    assert seconds > 0
    assert fix == "Answer the setup request at once and prepare the session when the StartPage is opened."


def test_a_start_page_that_does_not_open_fails_the_setup(supplier: str) -> None:
    report = run(f"{supplier}/nostart/cxml")
    outcome, message, fix = check_of(report, "setup.create")
    assert outcome is Outcome.FAIL
    assert re.fullmatch(
        r"The setup was answered in \d+\.\d\d s\. The StartPage (\S+) answered HTTP 404 \(at \1\)\.", message
    ), message
    assert fix.startswith("The StartPage URL must open the catalog in the shopper's browser")
    assert check_of(report, "cart.return")[:2] == (
        Outcome.FAIL,
        "No StartPage to shop from (see setup.create).",
    )


def test_a_cart_posted_in_latin1_while_declaring_utf8_is_caught(supplier: str) -> None:
    report = run(f"{supplier}/latin1/cxml")
    outcome, message, fix = check_of(report, "cart.encoding")
    assert outcome is Outcome.FAIL
    assert re.fullmatch(
        r'The cart in cxml-urlencoded declares encoding "UTF-8" but its bytes are not UTF-8: byte 0xE0 at '
        r"offset \d+ \(in '.*Filtre \xe0 caf.*'\); the text was sent in ISO-8859-1 \(Latin-1\)\.",
        message,
    ), message
    assert fix == (
        "The browser posts the form in the charset of the page that holds it: serve that page in UTF-8 "
        '(Content-Type text/html; charset=UTF-8 and <meta charset="UTF-8">), or declare the encoding the '
        "page really uses."
    )
    assert check_of(report, "cart.return")[0] is Outcome.PASS
    # The rest of the cart is read as leniently as a procurement system would read it.
    assert outcomes(report)["cart.document"] == "pass"
    assert outcomes(report)["cart.totals"] == "pass"
    assert not report.passed


def test_a_cart_in_cxml_base64_is_read(supplier: str) -> None:
    report = run(f"{supplier}/base64/cxml")
    assert check_of(report, "cart.return")[1].endswith(
        # The BuyerCookie sent is "conformance-" and 16 hexadecimal digits.
        f"The cart came back in the form field cxml-base64 ({len(cart_message('c' * 28).encode())} bytes)."
    )
    assert report.passed


def test_a_cart_in_another_form_field_fails_the_return(supplier: str) -> None:
    report = run(f"{supplier}/nofield/cxml")
    outcome, message, fix = check_of(report, "cart.return")
    assert outcome is Outcome.FAIL
    assert message.endswith(
        "The form posted to the BrowserFormPost URL has no cxml-urlencoded or cxml-base64 field "
        "(fields received: cxml; Content-Type application/x-www-form-urlencoded)."
    )
    assert fix == "Post the PunchOutOrderMessage in a hidden field named cxml-urlencoded (or cxml-base64)."


def test_a_total_that_is_not_the_sum_of_the_lines_is_caught(supplier: str) -> None:
    report = run(f"{supplier}/total/cxml")
    assert check_of(report, "cart.totals")[:2] == (
        Outcome.FAIL,
        "The Total is 30.00 EUR but the lines add up to 25.00 EUR.",
    )


def test_a_working_oci_catalog_passes_the_oci_checks(supplier: str) -> None:
    report = run(f"{supplier}/good/cxml", oci_url=f"{supplier}/good/oci")
    assert {c.code: str(c.outcome) for c in report.checks if c.code.startswith("oci.")} == dict.fromkeys(
        ["oci.callup", "oci.cart", "oci.validate", "oci.background_search"], "pass"
    )
    assert check_of(report, "oci.cart")[1].startswith(
        "1 OCI line(s): 2 EA 'Filtre à café' at 12.50 EUR. Steps: "
    )
    assert check_of(report, "oci.validate")[1].endswith("VALIDATE of P-100: 1 line(s).")
    assert check_of(report, "oci.background_search")[1].endswith("BACKGROUND_SEARCH of 'Filtre': 1 line(s).")
    assert report.passed


def test_an_oci_cart_without_currency_fails_and_missing_functions_are_advice(supplier: str) -> None:
    report = run(f"{supplier}/nofunctions/cxml", oci_url=f"{supplier}/nofunctions/oci")
    assert check_of(report, "oci.callup")[0] is Outcome.PASS
    assert check_of(report, "oci.cart")[:2] == (Outcome.FAIL, "OCI line 1 has no NEW_ITEM-CURRENCY.")
    # Without a readable OCI line there is nothing to validate: the advice says so and counts for nothing.
    assert check_of(report, "oci.validate")[:2] == (
        Outcome.WARN,
        "No OCI cart line to validate (see oci.cart).",
    )
    validate = next(c for c in report.checks if c.code == "oci.validate")
    assert validate.required is False


def test_an_oci_catalog_taking_the_callup_only_as_a_post_is_called_up_again_by_post(supplier: str) -> None:
    report = run(f"{supplier}/postonly/cxml", oci_url=f"{supplier}/postonly/oci")
    outcome, message, _fix = check_of(report, "oci.callup")
    assert outcome is Outcome.PASS
    assert re.fullmatch(
        r"The call-up as a GET was refused \(HTTP 405\); it was sent again as a form POST\. "
        r"The call-up answered HTTP 200 HTML in \d+\.\d\d s\.",
        message,
    ), message
    assert check_of(report, "oci.cart")[0] is Outcome.PASS
    assert check_of(report, "oci.validate")[0] is Outcome.PASS
    assert report.passed


def test_an_oci_currency_that_is_not_iso_4217_fails_the_cart(supplier: str) -> None:
    report = run(f"{supplier}/euro/cxml", oci_url=f"{supplier}/euro/oci")
    assert check_of(report, "oci.cart")[:2] == (
        Outcome.FAIL,
        "OCI line 1 has NEW_ITEM-CURRENCY 'EURO', not an ISO 4217 currency code.",
    )


def test_wrong_oci_login_fails_the_callup(supplier: str) -> None:
    target = SupplierTarget(
        url=f"{supplier}/good/cxml",
        from_party=Party.parse(BUYER),
        to_party=Party.parse(SUPPLIER),
        secret=SECRET,
        oci_url=f"{supplier}/good/oci",
        oci_user="buyer",
        oci_password="not-the-password",
    )
    report = run_supplier_checks(target)
    outcome, message, _fix = check_of(report, "oci.callup")
    assert outcome is Outcome.FAIL
    assert message == (
        f"The OCI call-up answered HTTP 401 text/html (at {supplier}/good/oci?USERNAME=buyer&PASSWORD=********"
        "&HOOK_URL=" + message.split("&HOOK_URL=", 1)[1]
    )
    assert message.endswith("&email=conformance.check%40example.com).")
    assert outcomes(report)["oci.cart"] == "skipped"
    assert "not-the-password" not in report.to_json()


def test_a_person_returns_the_cart_with_cart_wait(supplier: str, supplier_server: SupplierServer) -> None:
    """``--cart-wait``: the StartPage is announced; the cart the person's browser posts is checked."""
    said: list[str] = []

    def person(line: str) -> None:
        said.append(line)
        found = re.search(r"Open (\S+) in a browser", line)
        assert found is not None
        cookie, return_url, _protocol = supplier_server.sessions[found[1].rsplit("/", 1)[1]]
        form = urlencode({"cxml-urlencoded": cart_message(cookie)}).encode()
        threading.Thread(target=lambda: urlopen(return_url, form, timeout=5).read(), daemon=True).start()

    report = run(f"{supplier}/good/cxml", cart_wait=5, announce=person)
    assert len(said) == 1
    assert re.fullmatch(
        rf"Open {re.escape(supplier)}/good/start/t\d+ in a browser, add an item and return the cart within 5 s\.",
        said[0],
    )
    assert [str(c.outcome) for c in report.checks[2:7]] == ["pass"] * 5
    assert check_of(report, "cart.totals")[1] == "Total 25.00 EUR = the sum of the lines."


def test_no_cart_within_cart_wait_fails_the_return(supplier: str) -> None:
    said: list[str] = []
    report = run(f"{supplier}/good/cxml", cart_wait=0.3, announce=said.append)
    outcome, message, _fix = check_of(report, "cart.return")
    assert outcome is Outcome.FAIL
    assert re.fullmatch(
        rf"No cart reached the BrowserFormPost URL within 0\.3 s \(StartPage {re.escape(supplier)}/good/start/t\d+\)\.",
        message,
    )
    assert outcomes(report)["cart.encoding"] == "skipped"
    assert check_of(report, "setup.edit")[1].startswith(
        "No cart came back earlier in the run, so the line names a made-up part (CONFORMANCE-TEST-PART)."
    )


def test_the_catcher_keeps_the_bytes_the_sender_encoded() -> None:
    """Percent-escapes are undone byte by byte: a Latin-1 é stays the byte 0xE9, a UTF-8 é two bytes."""
    posted = Posted("POST", "/r", "application/x-www-form-urlencoded", b"cxml-urlencoded=caf%E9+%C3%A9")
    assert posted.raw_fields() == [("cxml-urlencoded", b"caf\xe9 \xc3\xa9")]


def test_the_command_may_reach_the_urls_it_is_given_and_nothing_else_private(supplier: str) -> None:
    strict = netguard.NetworkPolicy()
    previous = netguard.configure(strict)
    try:
        out, err = io.StringIO(), io.StringIO()
        argv = ["supplier", f"{supplier}/good/cxml", "--from", BUYER, "--to", SUPPLIER, "--secret", SECRET]
        assert main([*argv, "--json"], out=out, err=err) == 0, out.getvalue()
        # The process's own policy is left as it was.
        assert netguard.current_policy() is strict
        bad = io.StringIO()
        assert main([*argv, "--allow-network", "10.0.0.0/33"], out=io.StringIO(), err=bad) == 2
        assert bad.getvalue() == (
            "openprocure conformance: --allow-network: '10.0.0.0/33' is neither a network (CIDR), an IP "
            "address nor a host name\n"
        )
    finally:
        netguard.configure(previous)
