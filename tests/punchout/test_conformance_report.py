"""The conformance framework: checks as results, exchanges recorded over real HTTP, three report formats."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lxml import etree

from punchout.conformance import Check, CheckFailed, CheckWarning, Outcome, Report, Runner
from punchout.conformance.expect import cxml_answer
from punchout.conformance.identity import Party

OK_RESPONSE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">\n'
    b'<cXML payloadID="1@test" timestamp="2026-12-07T10:00:00+00:00">'
    b'<Response><Status code="200" text="OK"/></Response></cXML>'
)


class Partner(BaseHTTPRequestHandler):
    """Answers by path: /ok (cXML 200), /html (an error page), /refused (cXML 401 in HTTP 200), /json."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        answers = {
            "/ok": (200, "text/xml; charset=UTF-8", OK_RESPONSE),
            "/json": (200, "application/json", OK_RESPONSE),
            "/html": (500, "text/html", b"<!DOCTYPE html><html><body>Internal Server Error</body></html>"),
            "/refused": (
                200,
                "text/xml",
                OK_RESPONSE.replace(b'code="200" text="OK"', b'code="401" text="Unauthorized"'),
            ),
        }
        status, content_type, body = answers[self.path]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def partner() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run_one(url: str, *, codes: range = range(200, 300)) -> Check:
    runner = Runner(url)
    with runner.check("profile", "ProfileRequest is answered"):
        cxml_answer(runner, runner.send(url, b"<cXML/>"), codes=codes, what="The ProfileResponse")
    return runner.finish().checks[0]


def test_a_cxml_answer_passes_and_its_exchange_is_recorded(partner: str) -> None:
    check = run_one(partner + "/ok")
    assert check.outcome is Outcome.PASS
    assert check.message == ""
    [exchange] = check.exchanges
    assert (exchange.method, exchange.url, exchange.status, exchange.request_body) == (
        "POST",
        partner + "/ok",
        200,
        "<cXML/>",
    )
    assert exchange.response_headers["content-type"] == "text/xml; charset=UTF-8"
    assert exchange.response_body == OK_RESPONSE.decode()


def test_an_html_error_page_fails_with_what_came_back(partner: str) -> None:
    check = run_one(partner + "/html")
    assert check.outcome is Outcome.FAIL
    assert check.message.startswith("The ProfileResponse was HTTP 500 (HTML), not a cXML document: ")
    assert check.fix.startswith("Answer with a cXML Response (Content-Type text/xml)")


def test_a_wrong_content_type_is_a_warning(partner: str) -> None:
    check = run_one(partner + "/json")
    assert check.outcome is Outcome.WARN
    assert check.message == "The ProfileResponse is cXML but its Content-Type is 'application/json'."
    assert check.fix == "Send cXML with Content-Type text/xml; charset=UTF-8."


def test_a_status_outside_the_expected_codes_fails(partner: str) -> None:
    check = run_one(partner + "/refused")
    assert check.outcome is Outcome.FAIL
    assert check.message == "The ProfileResponse has cXML Status 401 Unauthorized (expected 200 to 299)."
    assert check.params == {"status_code": 401}
    assert run_one(partner + "/refused", codes=range(400, 500)).outcome is Outcome.PASS


def test_an_unreachable_partner_fails_the_check_and_the_run_goes_on() -> None:
    runner = Runner("http://127.0.0.1:9")
    with runner.check("a", "first"):
        runner.send("http://127.0.0.1:9/", b"x", deadline=2)
    with runner.check("b", "second"):
        raise CheckWarning("seen something odd", "do it better")
    with runner.check("c", "third", required=False):
        raise CheckFailed("advice not followed")
    runner.skip("d", "fourth", "the supplier declares no OCI call-up")
    report = runner.finish()
    a, b, c, d = report.checks
    assert a.outcome is Outcome.FAIL and a.message.startswith("Could not reach http://127.0.0.1:9/: ")
    assert a.exchanges[0].error != ""
    assert (b.outcome, b.message, b.fix) == (Outcome.WARN, "seen something odd", "do it better")
    assert (c.outcome, c.required) == (Outcome.FAIL, False)
    assert (d.outcome, d.message) == (Outcome.SKIP, "the supplier declares no OCI call-up")
    assert report.passed is False and report.exit_code == 1


def test_advice_and_warnings_do_not_fail_a_run() -> None:
    report = Report("supplier", "http://x", datetime(2026, 12, 7, tzinfo=UTC))
    report.checks = [
        Check("a", "A"),
        Check("b", "B", outcome=Outcome.WARN),
        Check("c", "C", required=False, outcome=Outcome.FAIL),
    ]
    assert report.passed is True and report.exit_code == 0
    report.checks[0].outcome = Outcome.FAIL
    assert report.passed is False and report.exit_code == 1


def test_the_three_writers_and_reading_back_json() -> None:
    report = Report("buyer", "http://buyer.test/cxml", datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    report.checks = [
        Check("confirm.accept", "ConfirmationRequest (accept)", seconds=0.25),
        Check(
            "secret.wrong",
            "A wrong secret is refused",
            outcome=Outcome.FAIL,
            message="Accepted with cXML Status 200.",
            fix="Check the SharedSecret.",
            seconds=0.5,
        ),
    ]
    text = report.to_text()
    assert "[PASS] confirm.accept: ConfirmationRequest (accept) — 0.25 s" in text
    assert (
        "[FAIL] secret.wrong: A wrong secret is refused — 0.50 s\n       Accepted with cXML Status 200.\n       What to change: Check the SharedSecret."
        in text
    )
    assert text.endswith(
        "1 passed, 1 failed, 0 warnings, 0 skipped.\nResult: FAILED (a required check did not pass).\n"
    )
    data = json.loads(report.to_json())
    assert data["passed"] is False and data["counts"] == {"pass": 1, "fail": 1, "warning": 0, "skipped": 0}
    assert Report.from_dict(data).to_dict() == report.to_dict()
    suite = etree.fromstring(report.to_junit().encode())
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failure = suite.find("testcase[@name='secret.wrong']/failure")
    assert failure is not None and failure.get("message") == "Accepted with cXML Status 200."


def test_a_party_is_domain_colon_id() -> None:
    assert Party.parse("NetworkId:AN01:X") == Party("NetworkId", "AN01:X")
    with pytest.raises(ValueError, match="is not DOMAIN:ID"):
        Party.parse("AN01")
