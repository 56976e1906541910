"""“Check your procurement system”: a business in Test (Globex) runs the buyer-role checks against
its procurement system's inbound cXML URL, played here by a real HTTP server, with its latest test
order; the task runs inline and the page shows the report. Who may run it, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from lxml import etree

from openprocure.core.status import set_status, set_status_where
from openprocure.supplier.orders import conformance, services
from openprocure.supplier.orders.choices import CONFORMANCE_TRANSITIONS, ConformanceStatus, EventKind
from openprocure.supplier.orders.models import ConformanceRun, OrderEvent, OrderSettings
from punchout import cxml
from punchout.conformance import Check, Report
from tests.partner_server import PartnerServer, cxml_response
from tests.supplier.worlds import PASSWORD, globex_test_order, make_member, make_operator

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSING = [
    ("confirm.accept", "pass"),
    ("confirm.detail", "pass"),
    ("shipnotice", "pass"),
    ("invoice", "pass"),
    ("invoice.credit", "pass"),
    ("statusupdate", "pass"),
    ("secret.wrong", "pass"),
    ("payload.duplicate", "pass"),
    ("confirm.reject", "skipped"),
]


def page(integration) -> str:
    return reverse("business-conformance-run", kwargs={"integration_id": integration.pk})


def test_the_administrator_checks_the_procurement_system_and_reads_the_report(
    client, globex, products, settings
):
    settings.TASKS = IMMEDIATE
    with PartnerServer() as buyer:
        ok = (200, cxml_response(200, "OK", "Recorded"))
        buyer.script(*[ok] * 6, (200, cxml_response(401, "Unauthorized", "Wrong secret")), ok)
        order = globex_test_order(client, globex, buyer.url)
        client.login(username="admin@globex.test", password=PASSWORD)
        manage = client.get("/business/").content.decode()
        assert f'href="{page(globex)}" id="check-procurement-system"' in manage
        shown = client.get(page(globex)).content.decode()
        assert f"<code>{buyer.url}</code>" in shown
        assert f"PO-T-9 (our order {order.number}, 2 lines)" in shown
        # The box must be ticked: nothing runs without it.
        refused = client.post(page(globex), {})
        assert "Tick the box to say you know what the checks send." in refused.content.decode()
        assert ConformanceRun.objects.count() == 0
        answer = client.post(page(globex), {"understood": "on"}, follow=True)
        received = [cxml.parse(r.body).document for r in buyer.received]
    html = answer.content.decode()
    run = ConformanceRun.objects.get()
    assert (run.status, run.order, run.url, run.error) == (ConformanceStatus.DONE, order, buyer.url, "")
    assert [(c["code"], c["outcome"]) for c in run.report["checks"]] == PASSING
    assert run.report["passed"] is True
    assert "The checks have started: this page shows their progress." in html
    assert "<strong>Passed: every required check passed.</strong>" in html
    assert '<span class="badge good" id="run-status">Finished</span>' in html
    # What the procurement system received: our identity, its secret, its order and lines.
    assert [d.kind for d in received] == [
        "ConfirmationRequest",
        "ConfirmationRequest",
        "ShipNoticeRequest",
        "InvoiceDetailRequest",
        "InvoiceDetailRequest",
        "StatusUpdateRequest",
        "StatusUpdateRequest",
        "InvoiceDetailRequest",
    ]
    first = received[0]
    header = first.require_header()
    assert (header.sender_secret, header.to[0].identity) == ("globex-shared-secret", "GLOBEX")
    assert isinstance(first.message, cxml.ConfirmationRequest)
    assert (first.message.order_reference.order_id, first.message.order_reference.payload_id) == (
        "PO-T-9",
        order.payload_id,
    )
    notice = received[2].message
    assert isinstance(notice, cxml.ShipNoticeRequest)
    assert [(i.line_number, i.quantity) for i in notice.portions[0].items] == [(1, 3), (2, 1)]
    # The invoice states the order's unit prices (stored with four decimals) in euros' minor units.
    invoiced = etree.fromstring(buyer.received[3].body)
    assert invoiced.xpath("//InvoiceDetailItem/UnitPrice/Money/text()") == ["5.20", "10.00"]
    # The report kept on the run never shows the secret; the event names who asked.
    assert "globex-shared-secret" not in str(run.report)
    event = OrderEvent.objects.get(order=order, kind=EventKind.CONFORMANCE_CHECKED)
    assert (event.detail, event.actor_id) == ({"run": run.pk, "url": buyer.url}, run.requested_by_id)


def test_a_failing_check_says_what_to_change(client, globex, products, settings):
    settings.TASKS = IMMEDIATE
    with PartnerServer(default=(500, b"<!DOCTYPE html><html><body>Oops</body></html>")) as buyer:
        globex_test_order(client, globex, buyer.url)
        client.login(username="admin@globex.test", password=PASSWORD)
        html = client.post(page(globex), {"understood": "on"}, follow=True).content.decode()
    run = ConformanceRun.objects.get()
    assert run.report["passed"] is False
    accept = run.report["checks"][0]
    assert accept["message"].startswith("The answer was HTTP 500 (HTML), not a cXML document: ")
    assert "<strong>Failed: a required check did not pass.</strong>" in html
    assert (
        '<strong>What to change:</strong> <span lang="en">Answer with a cXML Response (Content-Type text/xml)'
        in html
    )


def test_who_may_run_the_checks(client, globex, acme, products, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with PartnerServer() as buyer:
        globex_test_order(client, globex, buyer.url)
    make_member(globex.business, "clerk@globex.test")
    make_member(globex.business, "tech@globex.test", is_technical_administrator=True)
    for email, status in [("clerk@globex.test", 403), ("admin@acme.test", 403)]:
        client.login(username=email, password=PASSWORD)
        assert client.post(page(globex), {"understood": "on"}).status_code == status
        assert (
            "Only operators and the business&#x27;s administrators"
            in client.get(page(globex)).content.decode()
        )
    assert ConformanceRun.objects.count() == 0
    client.login(username="tech@globex.test", password=PASSWORD)
    assert client.post(page(globex), {"understood": "on"}).status_code == 302
    # One run at a time: a second is refused while the first waits for the worker.
    again = client.post(page(globex), {"understood": "on"})
    assert ConformanceRun.objects.get().status == ConformanceStatus.QUEUED
    assert (
        "A check of your procurement system is already running: wait for its report."
        in again.content.decode()
    )
    assert "A check is running; this page refreshes until its report is ready." in again.content.decode()
    client.login(username=make_operator().email, password=PASSWORD)
    assert client.get(page(globex)).status_code == 200


def test_the_checks_are_refused_for_an_active_integration_or_without_a_test_order(
    client, acme, globex, products
):
    client.login(username="admin@acme.test", password=PASSWORD)
    html = client.post(page(acme), {"understood": "on"}).content.decode()
    assert "The checks run only while PunchOut is in Test" in html
    assert 'id="check-procurement-system"' not in client.get("/business/").content.decode()
    client.login(username="admin@globex.test", password=PASSWORD)
    OrderSettings.objects.create(integration=globex, buyer_cxml_url="https://globex.example/cxml")
    html = client.post(page(globex), {"understood": "on"}).content.decode()
    assert "We do not hold the shared secret to send yet" in html
    assert ConformanceRun.objects.count() == 0


def a_run_whose_endpoint_went_away(client, globex, buyer_url: str) -> ConformanceRun:
    """The administrator asks for a run (its task waits: the tasks' backend runs none), then the
    inbound cXML URL is removed before a worker takes it."""
    globex_test_order(client, globex, buyer_url)
    client.login(username="admin@globex.test", password=PASSWORD)
    assert client.post(page(globex), {"understood": "on"}).status_code == 302
    OrderSettings.objects.filter(integration=globex).update(buyer_cxml_url="")
    return ConformanceRun.objects.get()


def test_a_run_whose_endpoint_went_away_before_the_worker_took_it_says_why(
    client, globex, products, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with PartnerServer() as buyer:
        run = services.run_conformance(run_id=a_run_whose_endpoint_went_away(client, globex, buyer.url).pk)
        assert buyer.received == []
    assert (run.status, run.report) == (ConformanceStatus.FAILED, {})
    assert run.error.startswith("No inbound cXML URL of your procurement system is set")
    html = client.get(page(globex)).content.decode()
    assert '<span class="badge bad" id="run-status">Could not run</span>' in html
    assert f'<p class="error" role="alert" id="run-error">{run.error}</p>' in html
    # A run that is not waiting is left alone (another worker took it).
    assert services.run_conformance(run_id=run.pk).status == ConformanceStatus.FAILED


def test_a_run_another_worker_took_while_its_endpoint_was_read_is_not_failed(
    client, globex, products, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with PartnerServer() as buyer:
        run = a_run_whose_endpoint_went_away(client, globex, buyer.url)
    started = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    read_target = services.conformance_target

    def taken_meanwhile(integration):
        # A second worker given the same task takes the run while this one reads the endpoint.
        assert set_status_where(
            ConformanceRun.objects.filter(pk=run.pk, status=ConformanceStatus.QUEUED),
            ConformanceStatus.RUNNING,
            table=CONFORMANCE_TRANSITIONS,
            started_at=started,
        )
        return read_target(integration)

    # run_conformance reads the target through the module that defines both.
    monkeypatch.setattr(conformance, "conformance_target", taken_meanwhile)
    late = services.run_conformance(run_id=run.pk)
    assert (late.status, late.error, late.started_at, late.finished_at) == (
        ConformanceStatus.RUNNING,
        "",
        started,
        None,
    )
    run.refresh_from_db()
    assert (run.status, run.error, run.finished_at) == (ConformanceStatus.RUNNING, "", None)


def test_a_running_check_shows_its_progress_and_refreshes(client, globex, products, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with PartnerServer() as buyer:
        globex_test_order(client, globex, buyer.url)
    client.login(username="admin@globex.test", password=PASSWORD)
    client.post(page(globex), {"understood": "on"})
    run = ConformanceRun.objects.get()
    set_status(run, ConformanceStatus.RUNNING, table=CONFORMANCE_TRANSITIONS)
    partial = Report("buyer", buyer.url, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    partial.checks = [Check("confirm.accept", "ConfirmationRequest type accept is accepted", seconds=0.25)]
    ConformanceRun.objects.filter(pk=run.pk).update(
        current="ShipNoticeRequest for the order's lines is accepted", report=partial.to_dict()
    )
    html = client.get(page(globex)).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert '<span class="badge warn" id="run-status">Running</span>' in html
    assert (
        '<p id="progress">1 check done. Now: ShipNoticeRequest for the order&#x27;s lines is accepted</p>'
        in html
    )
    assert (
        'id="report-result"' not in html
        and "<form" not in html.split('id="conformance"')[1].split("</section>")[0]
    )
