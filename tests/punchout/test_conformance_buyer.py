"""The buyer-role conformance checks against buyers started here over real HTTP: a buyer that does
everything right passes every check; each broken buyer is caught by the check meant for it, with its
message. (The project's own buyer suite is checked in tests/e2e/test_conformance_buyer.py.)"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree

from openprocure.conformance_tools import main
from punchout import cxml
from punchout.conformance import Outcome, Report
from punchout.conformance.buyer import BuyerTarget, OrderLine, parse_lines, run_buyer_checks
from punchout.conformance.identity import Party
from punchout.cxml.builder import build
from punchout.cxml.helpers import response_document
from punchout.money import Money

SECRET = "s3cret-buyer"
LINES = "1:3:EA:10.00 EUR:PEN-1,2:1:BX:4.50 EUR"
CODES = [
    "confirm.accept",
    "confirm.detail",
    "shipnotice",
    "invoice",
    "invoice.credit",
    "statusupdate",
    "secret.wrong",
    "payload.duplicate",
    "confirm.reject",
]


class Buyer(BaseHTTPRequestHandler):
    """A buyer's inbound endpoint. ``/good`` does everything right; the other paths break one rule:
    ``/html`` (an error page), ``/error-inside`` (HTTP 200, cXML 500), ``/json`` (content type),
    ``/no-secret`` (any secret accepted), ``/duplicate`` (a repeat answered 409), ``/slow`` (2 s)."""

    seen: dict[str, bytes] = {}
    documents: list[cxml.CXML] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        document = cxml.parse(body).document
        Buyer.documents.append(document)
        mode = self.path.strip("/")
        if mode == "slow":
            time.sleep(2)
        if mode == "html":
            return self.answer(500, "text/html", b"<!DOCTYPE html><html><body>Server Error</body></html>")
        payload_id = document.payload_id or ""
        key = f"{mode}:{payload_id}"
        if key in Buyer.seen:
            if mode == "duplicate":
                return self.cxml(409, "Conflict", "Duplicate invoice CONF")
            return self.answer(200, "text/xml; charset=UTF-8", Buyer.seen[key])
        if mode != "no-secret" and document.require_header().sender_secret != SECRET:
            return self.cxml(401, "Unauthorized", "Wrong SharedSecret")
        if mode == "error-inside":
            return self.cxml(500, "Internal Server Error", "NullPointerException")
        body = build(response_document(200, "OK", f"{document.kind} recorded"))
        Buyer.seen[key] = body
        self.answer(200, "application/json" if mode == "json" else "text/xml; charset=UTF-8", body)

    def cxml(self, code: int, text: str, message: str) -> None:
        self.answer(200, "text/xml; charset=UTF-8", build(response_document(code, text, message)))

    def answer(self, status: int, content_type: str, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the checks stopped waiting (the slow buyer): nobody reads this answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def buyer() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Buyer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def target(url: str, *, lines: str = LINES, reject_order_id: str = "") -> BuyerTarget:
    return BuyerTarget(
        url,
        Party("NetworkId", "SUPPLIER"),
        Party("NetworkId", "BUYER"),
        SECRET,
        order_id="PO-1001",
        order_payload_id="po-1001@buyer.test",
        lines=parse_lines(lines),
        reject_order_id=reject_order_id,
    )


def checks(report: Report) -> dict[str, tuple[Outcome, str]]:
    return {check.code: (check.outcome, check.message) for check in report.checks}


def test_a_buyer_that_does_everything_right_passes_every_check(buyer: str) -> None:
    Buyer.documents.clear()
    report = run_buyer_checks(target(buyer + "/good", reject_order_id="PO-1002"))
    assert [c.code for c in report.checks] == CODES
    assert {c.code: c.outcome for c in report.checks} == dict.fromkeys(CODES, Outcome.PASS)
    assert report.passed is True
    run = report.checks[0].params["payload_id"]
    assert report.checks[0].message.startswith(
        "The confirmation of order PO-1001 was answered cXML 200 OK (ConfirmationRequest recorded) in "
    )
    assert run.endswith("@conformance.openprocure.local")
    # What was sent: the lines as given, in the order a buyer accepts them.
    kinds = [d.kind for d in Buyer.documents]
    assert kinds == [
        "ConfirmationRequest",
        "ConfirmationRequest",
        "ShipNoticeRequest",
        "InvoiceDetailRequest",
        "InvoiceDetailRequest",
        "StatusUpdateRequest",
        "StatusUpdateRequest",
        "InvoiceDetailRequest",
        "ConfirmationRequest",
    ]
    accept, detail, notice, invoice, credit, update, wrong, _again, reject = (
        d.message for d in Buyer.documents
    )
    assert isinstance(accept, cxml.ConfirmationRequest) and str(accept.header.type) == "accept"
    assert accept.order_reference.order_id == "PO-1001"
    assert accept.order_reference.payload_id == "po-1001@buyer.test"
    assert isinstance(detail, cxml.ConfirmationRequest) and str(detail.header.type) == "detail"
    assert [
        (i.line_number, i.quantity, [(str(s.type), s.quantity) for s in i.statuses]) for i in detail.items
    ] == [
        (1, Decimal(3), [("accept", Decimal(2)), ("backordered", Decimal(1))]),
        (2, Decimal(1), [("accept", Decimal(1))]),
    ]
    assert isinstance(notice, cxml.ShipNoticeRequest)
    assert [(i.line_number, i.quantity, i.unit_of_measure) for i in notice.portions[0].items] == [
        (1, Decimal(3), "EA"),
        (2, Decimal(1), "BX"),
    ]
    assert isinstance(invoice, cxml.InvoiceDetailRequest) and str(invoice.header.purpose) == "standard"
    assert invoice.summary.due_amount == Money(Decimal("34.50"), "EUR")
    assert [(i.reference.line_number, i.quantity) for i in invoice.orders[0].items] == [
        (1, Decimal(3)),
        (2, Decimal(1)),
    ]
    assert isinstance(credit, cxml.InvoiceDetailRequest)
    assert str(credit.header.purpose) == "lineLevelCreditMemo"
    assert credit.summary.due_amount == Money(Decimal("-10.00"), "EUR")
    assert credit.header.comments is not None
    assert credit.header.comments.text == f"Credit for invoice {invoice.header.invoice_id}"
    assert isinstance(update, cxml.StatusUpdateRequest) and update.document_reference == "po-1001@buyer.test"
    assert isinstance(wrong, cxml.StatusUpdateRequest)
    assert Buyer.documents[6].require_header().sender_secret != SECRET
    assert Buyer.documents[7].payload_id == Buyer.documents[3].payload_id
    assert isinstance(reject, cxml.ConfirmationRequest) and str(reject.header.type) == "reject"
    assert reject.order_reference.order_id == "PO-1002"
    [secret_check] = [c for c in report.checks if c.code == "secret.wrong"]
    assert secret_check.message == "Refused with cXML 401 Unauthorized (Wrong SharedSecret)."
    # The agreed secret never shows in the report; the wrong one does.
    assert SECRET not in report.to_json()
    assert "<SharedSecret>********</SharedSecret>" in report.checks[0].exchanges[0].request_body


def test_an_html_answer_fails_every_check_with_what_came_back(buyer: str) -> None:
    report = run_buyer_checks(target(buyer + "/html"))
    found = checks(report)
    assert found["confirm.accept"][0] is Outcome.FAIL
    assert found["confirm.accept"][1].startswith("The answer was HTTP 500 (HTML), not a cXML document: ")
    assert found["secret.wrong"][1].startswith("The answer to a wrong secret was HTTP 500 (HTML)")
    assert found["payload.duplicate"] == (
        Outcome.SKIP,
        "Skipped: the buyer accepted neither the invoice nor the accept confirmation, so there is nothing "
        "to send again.",
    )
    assert report.passed is False


def test_an_error_inside_a_200_answer_fails(buyer: str) -> None:
    found = checks(run_buyer_checks(target(buyer + "/error-inside")))
    assert found["invoice"] == (
        Outcome.FAIL,
        "The answer has cXML Status 500 Internal Server Error: NullPointerException (expected 200 to 299).",
    )
    # The secret is checked before the error: a wrong secret is still refused.
    assert found["secret.wrong"] == (Outcome.PASS, "Refused with cXML 401 Unauthorized (Wrong SharedSecret).")


def test_a_wrong_content_type_is_a_warning_on_each_answer(buyer: str) -> None:
    report = run_buyer_checks(target(buyer + "/json"))
    [accept] = [c for c in report.checks if c.code == "confirm.accept"]
    assert accept.outcome is Outcome.WARN
    assert accept.message.startswith(
        "The answer is cXML but its Content-Type is 'application/json'. The confirmation of order PO-1001 "
        "was answered cXML 200 OK (ConfirmationRequest recorded) in "
    )
    assert accept.fix == "Send cXML with Content-Type text/xml; charset=UTF-8."
    # Warnings alone do not fail the run (the exit code is 0): the documents were accepted.
    assert {c.outcome for c in report.checks if c.required} == {Outcome.PASS, Outcome.WARN}
    assert report.passed is True


def test_a_buyer_that_does_not_check_the_secret_is_caught(buyer: str) -> None:
    report = run_buyer_checks(target(buyer + "/no-secret"))
    [check] = [c for c in report.checks if c.code == "secret.wrong"]
    assert (check.outcome, check.message) == (
        Outcome.FAIL,
        "A StatusUpdateRequest whose SharedSecret is wrong was accepted (cXML 200 OK (StatusUpdateRequest "
        "recorded)): anyone who knows the supplier's identity could send confirmations and invoices.",
    )
    assert check.fix.startswith("Compare Header/Sender/Credential/SharedSecret with the secret agreed")
    assert [c.code for c in report.checks if c.outcome is not Outcome.PASS] == [
        "secret.wrong",
        "confirm.reject",
    ]


def test_a_duplicate_payload_id_answered_differently_is_caught(buyer: str) -> None:
    report = run_buyer_checks(target(buyer + "/duplicate"))
    [check] = [c for c in report.checks if c.code == "payload.duplicate"]
    invoice_payload = next(c for c in report.checks if c.code == "invoice").params["payload_id"]
    assert (check.outcome, check.message) == (
        Outcome.FAIL,
        f"The invoice sent again with the same payloadID {invoice_payload} was answered cXML 409 Conflict "
        "(Duplicate invoice CONF); the first time it was answered cXML 200 OK (InvoiceDetailRequest recorded).",
    )
    assert [c.code for c in report.checks if c.outcome is Outcome.FAIL] == ["payload.duplicate"]


def test_a_slow_answer_fails_at_the_deadline(buyer: str) -> None:
    started = time.monotonic()
    report = run_buyer_checks(target(buyer + "/slow", lines=""), deadline=0.5)
    assert time.monotonic() - started < 10
    found = checks(report)
    assert found["confirm.accept"] == (Outcome.FAIL, f"{buyer}/slow did not answer in full within 0.5 s.")
    assert found["statusupdate"][0] is Outcome.FAIL
    # Without the order's lines the line-level checks are skipped, and said why.
    assert found["shipnotice"] == (
        Outcome.SKIP,
        "Skipped: the order's lines were not given (--lines NUMBER:QUANTITY:UNIT:PRICE CURRENCY,…); "
        "line-level documents name the buyer's line numbers.",
    )
    assert found["confirm.reject"] == (
        Outcome.SKIP,
        "Skipped: give a second test order to reject (--reject-order-id); rejecting the checked order would "
        "cancel it before its ship notice and invoice.",
    )


def test_a_line_is_number_quantity_unit_price_and_part() -> None:
    assert OrderLine.parse("2:1.5:KGM:3.25 usd:AB-1") == OrderLine(
        2, Decimal("1.5"), "KGM", Money(Decimal("3.25"), "USD"), "AB-1"
    )
    for wrong, said in [
        ("1:2:EA", "is not NUMBER:QUANTITY:UNIT:PRICE CURRENCY"),
        ("x:2:EA:1.00 EUR", "the line number is a whole number"),
        ("1:0:EA:1.00 EUR", "must be positive"),
        ("1:2:EA:1.00", "give the unit (EA) and the price with its currency"),
    ]:
        with pytest.raises(ValueError, match=said.replace("(", r"\(").replace(")", r"\)")):
            OrderLine.parse(wrong)
    with pytest.raises(ValueError, match="each line number is given once"):
        parse_lines("1:1:EA:1.00 EUR,1:2:EA:1.00 EUR")
    with pytest.raises(ValueError, match="an order has one currency"):
        parse_lines("1:1:EA:1.00 EUR,2:2:EA:1.00 USD")


def test_the_command_runs_the_buyer_checks_and_writes_json_and_junit(buyer: str, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    junit = tmp_path / "junit.xml"
    args = ["buyer", buyer + "/no-secret", "--from", "NetworkId:SUPPLIER", "--to", "NetworkId:BUYER"]
    args += ["--secret", SECRET, "--order-id", "PO-7", "--lines", LINES, "--json", "--junit", str(junit)]
    assert main(args, out, err) == 1
    data = json.loads(out.getvalue())
    assert (data["role"], data["target"], data["passed"]) == ("buyer", buyer + "/no-secret", False)
    assert data["counts"] == {"pass": 7, "fail": 1, "warning": 0, "skipped": 1}
    assert (
        "… secret.wrong: A document with a wrong SharedSecret is refused with a cXML 4xx\n" in err.getvalue()
    )
    assert err.getvalue().endswith("FAILED: 9 checks, 1 failed.\n")
    suite = etree.fromstring(junit.read_bytes())
    assert [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None] == [
        "secret.wrong"
    ]
    # Without --order-payload-id the order ID stands in for the OrderRequest's payloadID.
    resent = Buyer.documents[-1].message
    assert isinstance(resent, cxml.InvoiceDetailRequest)
    assert resent.orders[0].order_reference.payload_id == "PO-7"


def test_the_command_refuses_lines_it_cannot_read() -> None:
    err = io.StringIO()
    args = ["buyer", "http://x", "--from", "A:B", "--to", "C:D", "--secret", "s", "--order-id", "PO"]
    with contextlib.redirect_stderr(err):
        assert main([*args, "--lines", "1:2"], io.StringIO(), err) == 2
    assert "'1:2' is not NUMBER:QUANTITY:UNIT:PRICE CURRENCY" in err.getvalue()
