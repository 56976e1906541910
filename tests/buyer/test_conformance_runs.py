"""Run conformance checks of a supplier connection: a run is kept queued, a worker plays the checks
(here inline) against a real HTTP server, the report is kept (secrets masked) and shown, downloaded as
JSON and JUnit; test orders only for a connection in test mode; only administrators start runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult
from lxml import etree

from openprocure.buyer.suppliers.choices import ConformanceRunStatus, DeploymentMode
from openprocure.buyer.suppliers.conformance import conformance_target, execute_conformance_run, masked_report
from openprocure.buyer.suppliers.demo import DEMO_SHARED_SECRET
from openprocure.buyer.suppliers.models import ConformanceRun, PunchOutConnection
from openprocure.core.models import User
from punchout.conformance.report import Check, Exchange, Report
from tests.buyer.punchout_world import SupplierServer

pytestmark = pytest.mark.django_db

PROFILE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<cXML payloadID="p1@market.test" timestamp="2026-11-26T10:00:00+00:00"><Response>'
    b'<Status code="200" text="OK"/><ProfileResponse effectiveDate="2026-01-01T00:00:00+00:00">'
    b'<Transaction requestName="PunchOutSetupRequest"><URL>http://market.test/cxml/</URL></Transaction>'
    b'<Transaction requestName="OrderRequest"><URL>http://market.test/cxml/</URL></Transaction>'
    b"</ProfileResponse></Response></cXML>"
)


@pytest.fixture
def admin(acme: PunchOutConnection) -> Client:
    client = Client()
    client.force_login(User.objects.get(email="admin@acme.test"))
    return client


def _point(connection: PunchOutConnection, url: str, mode: str = DeploymentMode.TEST) -> None:
    PunchOutConnection.objects.filter(pk=connection.pk).update(setup_url=url, deployment_mode=mode)


def _start(client: Client, connection: PunchOutConnection, callbacks: Any, **data: str) -> ConformanceRun:
    with callbacks(execute=True):
        response = client.post(f"/suppliers/connections/{connection.pk}/conformance/", data)
    assert response.status_code == 302, response.content.decode()
    run = ConformanceRun.objects.get()
    assert response["Location"] == f"/suppliers/conformance/{run.pk}/"
    return run


def test_a_run_is_queued_then_played_and_its_report_kept_shown_and_downloaded(
    acme: PunchOutConnection, admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with SupplierServer(lambda body: (200, PROFILE)) as server:
        _point(acme, server.url)
        run = _start(admin, acme, django_capture_on_commit_callbacks)
        assert (run.status, run.send_orders, run.requested_by.email) == ("queued", False, "admin@acme.test")
        assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
            ("openprocure.buyer.suppliers.conformance.run_conformance", {"args": [run.pk], "kwargs": {}})
        ]
        page = admin.get(f"/suppliers/conformance/{run.pk}/").content.decode()
        assert '<meta http-equiv="refresh" content="3">' in page
        assert "0 checks done so far." in page

        execute_conformance_run(run.pk)

    run.refresh_from_db()
    assert run.status == ConformanceRunStatus.DONE
    assert run.started_at is not None and run.finished_at is not None
    assert run.started_at <= run.finished_at
    assert run.error == ""
    assert run.report is not None
    profile = run.report["checks"][0]
    assert (profile["code"], profile["outcome"], profile["message"]) == (
        "profile",
        "pass",
        "Transactions: OrderRequest, PunchOutSetupRequest.",
    )
    assert run.progress[0] == {
        "code": "profile",
        "title": "ProfileRequest is answered with the transactions supported",
        "outcome": "pass",
        "done": True,
    }
    assert len(run.progress) == len(run.report["checks"])
    assert run.passed is run.report["passed"]
    # the secret went to the supplier, but the kept report shows it masked
    assert DEMO_SHARED_SECRET.encode() in server.received[0]
    assert DEMO_SHARED_SECRET not in json.dumps(run.report)
    assert "<SharedSecret>********</SharedSecret>" in profile["exchanges"][0]["request_body"]

    page = admin.get(f"/suppliers/conformance/{run.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page
    assert '<span class="badge good" data-outcome="pass">Passed</span>' in page
    assert '<p lang="en" class="check-message">Transactions: OrderRequest, PunchOutSetupRequest.</p>' in page
    assert '<details class="exchange">' in page

    download = admin.get(f"/suppliers/conformance/{run.pk}/report.json")
    assert download["Content-Disposition"] == f'attachment; filename="conformance-{acme.pk}-{run.pk}.json"'
    assert json.loads(download.content) == run.report
    junit = etree.fromstring(admin.get(f"/suppliers/conformance/{run.pk}/junit.xml").content)
    assert junit.get("name") == "punchout-conformance-supplier"
    assert junit.xpath("testcase[1]/@name") == ["profile"]

    listing = admin.get(f"/suppliers/connections/{acme.pk}/conformance/").content.decode()
    assert f'href="/suppliers/conformance/{run.pk}/"' in listing
    assert "Finished" in listing


def test_a_supplier_answering_html_fails_the_profile_check_with_what_to_change(
    acme: PunchOutConnection, admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with SupplierServer(lambda body: (200, b"<html><body>Welcome</body></html>")) as server:
        _point(acme, server.url)
        run = _start(admin, acme, django_capture_on_commit_callbacks)
        execute_conformance_run(run.pk)
    run.refresh_from_db()
    profile = run.report["checks"][0] if run.report else {}
    assert (run.status, run.passed, profile["code"], profile["outcome"]) == ("done", False, "profile", "fail")
    assert profile["message"] != "" and profile["fix"] != ""
    page = admin.get(f"/suppliers/conformance/{run.pk}/").content.decode()
    assert '<span class="badge bad" data-outcome="fail">Failed</span>' in page
    assert "Failed: a required check did not pass." in page
    assert f'<span lang="en">{profile["fix"]}</span>' in page


def test_a_run_whose_secret_cannot_be_read_fails_and_is_not_played_twice(
    acme: PunchOutConnection, admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    PunchOutConnection.objects.filter(pk=acme.pk).update(shared_secret_encrypted="not-a-token")
    run = _start(admin, acme, django_capture_on_commit_callbacks)
    execute_conformance_run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.report, run.passed) == ("failed", None, None)
    assert run.error.startswith("The shared secret of Marketplace — PunchOut (cXML) cannot be read")
    finished = run.finished_at
    assert execute_conformance_run(run.pk).status == "failed"  # a second delivery of the task changes nothing
    run.refresh_from_db()
    assert run.finished_at == finished
    assert admin.get(f"/suppliers/conformance/{run.pk}/report.json").status_code == 404


def test_test_orders_are_refused_for_a_production_connection(
    acme: PunchOutConnection, admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    assert acme.deployment_mode == DeploymentMode.PRODUCTION
    page = admin.get(f"/suppliers/connections/{acme.pk}/conformance/").content.decode()
    assert 'name="send_orders"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/suppliers/connections/{acme.pk}/conformance/", {"send_orders": "on"})
    assert response.status_code == 400
    assert (
        "Test orders are sent only to a connection in test deployment mode; this one is in production."
        in response.content.decode()
    )
    assert not ConformanceRun.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_test_orders_are_sent_for_a_connection_in_test_mode(
    acme: PunchOutConnection, admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _point(acme, "http://127.0.0.1:9/cxml/")
    assert (
        'name="send_orders"' in admin.get(f"/suppliers/connections/{acme.pk}/conformance/").content.decode()
    )
    run = _start(admin, acme, django_capture_on_commit_callbacks, send_orders="on")
    assert run.send_orders is True
    target = conformance_target(PunchOutConnection.objects.get(pk=acme.pk), send_orders=True)
    assert (target.url, str(target.from_party), str(target.to_party), str(target.sender)) == (
        "http://127.0.0.1:9/cxml/",
        "NetworkId:ACME",
        "NetworkId:MARKETPLACE",
        "NetworkId:ACME",
    )
    assert (target.secret, target.send_orders, target.oci_url) == (DEMO_SHARED_SECRET, True, "")
    # the same connection moved to production: the target sends no order whatever the run asked
    PunchOutConnection.objects.filter(pk=acme.pk).update(deployment_mode=DeploymentMode.PRODUCTION)
    assert (
        conformance_target(PunchOutConnection.objects.get(pk=acme.pk), send_orders=True).send_orders is False
    )


def test_an_oci_connection_gives_its_call_up_and_password(acme: PunchOutConnection) -> None:
    PunchOutConnection.objects.filter(pk=acme.pk).update(
        protocol="oci", setup_url="http://shop.test/oci", order_url="", oci_username="buyer1"
    )
    target = conformance_target(PunchOutConnection.objects.get(pk=acme.pk), send_orders=False)
    assert (target.url, target.oci_url, target.oci_user, target.oci_password) == (
        "http://shop.test/oci",
        "http://shop.test/oci",
        "buyer1",
        DEMO_SHARED_SECRET,
    )


def test_only_administrators_run_the_checks(
    acme: PunchOutConnection, requester: Client, admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = requester.post(f"/suppliers/connections/{acme.pk}/conformance/", {})
    assert response.status_code == 403
    assert not ConformanceRun.objects.exists()
    run = _start(admin, acme, django_capture_on_commit_callbacks)
    assert requester.get(f"/suppliers/conformance/{run.pk}/").status_code == 403
    assert requester.get(f"/suppliers/conformance/{run.pk}/report.json").status_code == 403


def test_the_kept_report_masks_secret_elements_password_fields_and_the_secret_s_text() -> None:
    exchange = Exchange(
        method="GET",
        url="http://shop.test/oci?USERNAME=buyer1&PASSWORD=oci-secret-9&HOOK_URL=http%3A%2F%2Fb.test%2F",
        request_body="<Sender><Credential><SharedSecret>s3</SharedSecret></Credential></Sender>",
        response_body="Welcome buyer1, your password oci-secret-9 is fine",
    )
    report = Report(
        role="supplier",
        target="http://shop.test/",
        started_at=datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
        checks=[Check(code="oci.callup", title="OCI call-up", exchanges=[exchange])],
    )
    kept = masked_report(report, "oci-secret-9")["checks"][0]["exchanges"][0]
    assert (
        kept["url"]
        == "http://shop.test/oci?USERNAME=buyer1&PASSWORD=********&HOOK_URL=http%3A%2F%2Fb.test%2F"
    )
    assert (
        kept["request_body"]
        == "<Sender><Credential><SharedSecret>********</SharedSecret></Credential></Sender>"
    )
    assert kept["response_body"] == "Welcome buyer1, your password ******** is fine"
    # a secret too short to be told from ordinary words is masked only where secrets are kept
    short = Report(
        role="supplier",
        target="t",
        started_at=datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
        checks=[
            Check(code="c", title="t", exchanges=[Exchange(method="GET", url="u", response_body="abc abcd")])
        ],
    )
    assert masked_report(short, "abc")["checks"][0]["exchanges"][0]["response_body"] == "abc abcd"
