"""The e-invoicing platform connector: the folder adapter (atomic writes, failed files with their
reason, nothing handled twice after a crash), the XP Z12-013 adapter against a local server that
follows the standard's OpenAPI description (token, push, pull, errors, token expiry), and pushes
through the one outbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from openprocure.core import outbox, platform
from openprocure.core.choices import OutboxStatus, PlatformFlowOutcome, Protocol
from openprocure.core.models import Document, PlatformFlow
from openprocure.core.platform import hooks
from openprocure.core.platform.base import FlowKind, InboundFlow, PlatformError
from openprocure.core.platform.folder import FolderPlatform
from openprocure.core.platform.xp_z12_013 import XPZ12013Platform, forget_tokens
from punchout import cdar
from tests.platform_server import CLIENT_ID, CLIENT_SECRET, XPZ12013Server

SIREN = "732829320"
SELLER = "732829304"
CII = b'<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>'


def status_xml(code: str = "205", invoice: str = "INV-1") -> bytes:
    return cdar.build(
        cdar.StatusMessage(
            id=f"{invoice}_{code}",
            issued_at=datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
            issuer=cdar.Party(id=SIREN, role="BY"),
            recipients=(cdar.Party(id=SELLER, role="SE"),),
            invoice_id=invoice,
            invoice_date=date(2026, 12, 5),
            status_code=code,
        )
    )


# -- the folder adapter ------------------------------------------------------------------------------
def test_folder_push_writes_whole_files_only(tmp_path: Path) -> None:
    folder = FolderPlatform(outbound=tmp_path / "out", inbound=tmp_path / "in")
    name = folder.push(
        kind=FlowKind.INVOICE, name="../INV 1.xml", content=CII, content_type="application/xml"
    )
    assert name == "INV_1.xml"
    assert (tmp_path / "out" / "INV_1.xml").read_bytes() == CII
    # Nothing is left in the exchange but the finished file; the temporary folder is a dot folder
    # the platform ignores, and empty.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".tmp", "INV_1.xml"]
    assert list((tmp_path / "out" / ".tmp").iterdir()) == []


def test_folder_push_that_cannot_write_is_a_retryable_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file where the folder should be")
    folder = FolderPlatform(outbound=tmp_path / "out", inbound=tmp_path / "in")
    with pytest.raises(PlatformError) as failed:
        folder.push(kind=FlowKind.INVOICE, name="INV-1.xml", content=CII, content_type="application/xml")
    assert failed.value.retryable
    assert failed.value.text.startswith(f"cannot write to {tmp_path / 'out'}: ")


def test_folder_pull_reads_oldest_first_and_files_each_flow(tmp_path: Path) -> None:
    inbound = tmp_path / "in"
    inbound.mkdir()
    (inbound / "b-status.xml").write_bytes(status_xml())
    (inbound / "a-invoice.pdf").write_bytes(b"%PDF-1.7 ...")
    os.utime(inbound / "a-invoice.pdf", (1_000_000, 1_000_000))
    (inbound / ".partial").write_bytes(b"half")
    folder = FolderPlatform(outbound=tmp_path / "out", inbound=inbound)
    flows = folder.pull()
    assert [(f.id, f.kind, f.content_type) for f in flows] == [
        ("a-invoice.pdf", FlowKind.INVOICE, "application/pdf"),
        ("b-status.xml", FlowKind.STATUS, "application/xml"),
    ]
    folder.acknowledge(flows[0], accepted=True)
    folder.acknowledge(flows[1], accepted=False, reason="no invoice INV-1 was issued by us")
    assert (inbound / "done" / "a-invoice.pdf").read_bytes() == b"%PDF-1.7 ..."
    assert (inbound / "failed" / "b-status.xml").exists()
    assert (
        inbound / "failed" / "b-status.xml.reason.txt"
    ).read_text() == "no invoice INV-1 was issued by us\n"
    assert [f.id for f in folder.pull()] == [".partial"][:0]  # the dot file is never read
    # Filed again (a second worker): nothing moves and no second reason is written.
    folder.acknowledge(flows[1], accepted=False, reason="again")
    assert sorted(p.name for p in (inbound / "failed").iterdir()) == [
        "b-status.xml",
        "b-status.xml.reason.txt",
    ]


# -- pulling: hooks, records, restart ---------------------------------------------------------------
@pytest.fixture
def folders(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    out, inbound = tmp_path / "out", tmp_path / "in"
    config = {SIREN: {"adapter": "folder", "outbound": str(out), "inbound": str(inbound)}}
    with override_settings(EINVOICE_PLATFORMS=config):
        yield out, inbound


@pytest.fixture
def received() -> Iterator[list[tuple[str, str, str]]]:
    """What this test's hooks were handed: (kind, entity, invoice or file name)."""
    seen: list[tuple[str, str, str]] = []

    def on_status(*, entity: str, status: cdar.StatusMessage, flow: InboundFlow, journal: Any) -> str:
        seen.append(("status", entity, status.invoice_id))
        return "" if status.invoice_id == "INV-1" else f"no invoice {status.invoice_id} of ours"

    def on_invoice(*, entity: str, flow: InboundFlow, journal: Any) -> str:
        seen.append(("invoice", entity, flow.name))
        if flow.name == "boom.xml":
            raise RuntimeError("database went away")
        return ""

    saved = list(hooks.status_received), list(hooks.invoice_received)
    hooks.status_received[:] = [on_status]
    hooks.invoice_received[:] = [on_invoice]
    yield seen
    hooks.status_received[:], hooks.invoice_received[:] = saved


@pytest.mark.django_db
def test_pull_hands_each_flow_to_its_hook_records_and_files_it(
    folders: tuple[Path, Path], received: list[tuple[str, str, str]]
) -> None:
    _out, inbound = folders
    inbound.mkdir()
    (inbound / "s1.xml").write_bytes(status_xml("205", "INV-1"))
    (inbound / "s2.xml").write_bytes(status_xml("205", "INV-9"))
    (inbound / "i1.xml").write_bytes(CII)
    (inbound / "bad.xml").write_bytes(b"<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm='x'/>")
    for index, name in enumerate(["s1.xml", "s2.xml", "i1.xml", "bad.xml"]):
        os.utime(inbound / name, (1_000_000 + index, 1_000_000 + index))
    handled = platform.pull(SIREN)
    assert handled == [
        ("s1.xml", "accepted", ""),
        ("s2.xml", "refused", "no invoice INV-9 of ours"),
        ("i1.xml", "accepted", ""),
        (
            "bad.xml",
            "refused",
            "not a readable CDAR status: not a CDAR status message: the root element is "
            "CrossDomainAcknowledgementAndResponse",
        ),
    ]
    assert received == [("status", SIREN, "INV-1"), ("status", SIREN, "INV-9"), ("invoice", SIREN, "i1.xml")]
    assert sorted(p.name for p in (inbound / "done").iterdir()) == ["i1.xml", "s1.xml"]
    assert (inbound / "failed" / "s2.xml.reason.txt").read_text() == "no invoice INV-9 of ours\n"
    rows = PlatformFlow.objects.order_by("id")
    assert [(r.flow_id, r.kind, r.outcome) for r in rows] == [
        ("s1.xml", "status", PlatformFlowOutcome.ACCEPTED),
        ("s2.xml", "status", PlatformFlowOutcome.REFUSED),
        ("i1.xml", "invoice", PlatformFlowOutcome.ACCEPTED),
        ("bad.xml", "status", PlatformFlowOutcome.REFUSED),
    ]
    journal = Document.objects.get(payload_id=f"platform-{SIREN}-i1.xml")
    assert (journal.protocol, journal.kind, journal.raw) == (Protocol.PLATFORM, "Invoice", CII.decode())


@pytest.mark.django_db
def test_a_flow_handled_before_a_crash_is_filed_not_handled_again(
    folders: tuple[Path, Path], received: list[tuple[str, str, str]]
) -> None:
    """The worker died after recording the flow and before moving the file: the next pull files it."""
    _out, inbound = folders
    inbound.mkdir()
    (inbound / "s1.xml").write_bytes(status_xml())
    flow = FolderPlatform(outbound=_out, inbound=inbound).pull()[0]
    PlatformFlow.objects.create(
        entity=SIREN, flow_id=flow.id, kind="status", outcome=PlatformFlowOutcome.ACCEPTED
    )
    assert platform.pull(SIREN) == []
    assert received == []
    assert (inbound / "done" / "s1.xml").exists()
    assert not (inbound / "s1.xml").exists()


@pytest.mark.django_db
def test_a_hook_that_fails_rolls_back_and_the_file_is_kept_in_failed(
    folders: tuple[Path, Path], received: list[tuple[str, str, str]]
) -> None:
    _out, inbound = folders
    inbound.mkdir()
    (inbound / "boom.xml").write_bytes(CII)
    assert platform.pull(SIREN) == [("boom.xml", "refused", "could not be handled: database went away")]
    assert (inbound / "failed" / "boom.xml").read_bytes() == CII
    assert (
        inbound / "failed" / "boom.xml.reason.txt"
    ).read_text() == "could not be handled: database went away\n"
    assert PlatformFlow.objects.get().outcome == PlatformFlowOutcome.REFUSED


@pytest.mark.django_db
@pytest.mark.django_db
def test_an_entity_without_platform_is_refused_at_once() -> None:
    with override_settings(EINVOICE_PLATFORMS={}), pytest.raises(platform.PlatformNotConfigured) as refused:
        platform.push_invoice(SIREN, number="INV-1", content=CII, content_type="application/xml")
    assert str(refused.value) == (
        f"No e-invoicing platform is configured for SIREN {SIREN}: add it on the E-invoicing platforms page "
        "or to OPENPROCURE_EINVOICE_PLATFORMS (see docs/operators.md)."
    )


# -- pushing through the outbox ----------------------------------------------------------------------
@pytest.mark.django_db
def test_a_status_goes_through_the_outbox_to_the_folder(folders: tuple[Path, Path]) -> None:
    out, _inbound = folders
    message = platform.send_status(
        SIREN,
        "INV-1",
        "210",
        "CMD_ERR",
        "Commande inconnue",
        invoice_date=date(2026, 12, 5),
        recipient=cdar.Party(id=SELLER, role="SE"),
        invoice_issuer_id=SELLER,
        role="BY",
    )
    assert (message.kind, message.url, message.destination) == ("CDAR", f"platform://{SIREN}/status", SIREN)
    result = outbox.deliver_message(message.pk)
    assert result.delivered
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    written = out / f"{message.payload_id}.xml"
    assert result.detail == f"taken by the platform as {written.name}"
    sent = cdar.parse(written.read_bytes())
    assert (sent.invoice_id, sent.status_code, sent.reason_code, sent.reason) == (
        "INV-1",
        "210",
        "CMD_ERR",
        "Commande inconnue",
    )
    assert (sent.issuer.id, sent.issuer.role, sent.recipients[0].id) == (SIREN, "BY", SELLER)


@pytest.mark.django_db
def test_a_status_the_french_rules_refuse_is_never_stored(folders: tuple[Path, Path]) -> None:
    with pytest.raises(cdar.CDARError) as refused:
        platform.send_status(
            SIREN,
            "INV-1",
            "210",
            invoice_date=date(2026, 12, 5),
            recipient=cdar.Party(id=SELLER, role="SE"),
            invoice_issuer_id=SELLER,
            role="BY",
        )
    assert str(refused.value) == "status 210 needs a reason code (BR-FR-CDV-15)"
    assert not outbox.OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_factur_x_pdf_goes_out_byte_for_byte(folders: tuple[Path, Path]) -> None:
    out, _inbound = folders
    pdf = b"%PDF-1.7\n\x00\xff binary"
    message = platform.push_invoice(SIREN, number="INV-7", content=pdf, content_type="application/pdf")
    assert outbox.deliver_message(message.pk).delivered
    assert (out / f"platform-invoice-{SIREN}-INV-7.pdf").read_bytes() == pdf


@pytest.mark.django_db
def test_a_folder_that_cannot_be_written_is_retried(folders: tuple[Path, Path]) -> None:
    out, _inbound = folders
    out.write_text("not a folder")
    message = platform.push_invoice(SIREN, number="INV-8", content=CII, content_type="application/xml")
    result = outbox.deliver_message(message.pk)
    message.refresh_from_db()
    assert (result.delivered, message.status, message.attempts) == (False, OutboxStatus.RETRYING, 1)
    assert message.last_error.startswith(f"cannot write to {out}: ")


# -- the XP Z12-013 adapter -------------------------------------------------------------------------
@pytest.fixture
def server() -> Iterator[XPZ12013Server]:
    forget_tokens()
    with XPZ12013Server() as running:
        yield running
    forget_tokens()


def adapter(server: XPZ12013Server, **changes: Any) -> XPZ12013Platform:
    options: dict[str, Any] = {
        "base_url": server.base_url,
        "token_url": server.token_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "organization_id": SIREN,
        "deadline": 5.0,
    }
    options.update(changes)
    return XPZ12013Platform(**options)


def xp_config(server: XPZ12013Server) -> dict[str, dict[str, str]]:
    """The ``EINVOICE_PLATFORMS`` setting naming ``server`` as the platform of SIREN."""
    return {
        SIREN: {
            "adapter": "xp_z12_013",
            "base_url": server.base_url,
            "token_url": server.token_url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }
    }


def test_xp_push_sends_flow_info_and_file_with_a_token(server: XPZ12013Server) -> None:
    client = adapter(server)
    flow_id = client.push(
        kind=FlowKind.STATUS, name="INV-1_205.xml", content=status_xml(), content_type="application/xml"
    )
    second = client.push(
        kind=FlowKind.INVOICE, name="INV-1.pdf", content=b"%PDF-1.7", content_type="application/pdf"
    )
    assert (flow_id, second) == ("out-1", "out-2")
    assert [(f.name, f.syntax, f.content) for f in server.outbound()] == [
        ("INV-1_205.xml", "CDAR", status_xml()),
        ("INV-1.pdf", "Factur-X", b"%PDF-1.7"),
    ]
    assert server.outbound()[0].info["processingRule"] == "B2B"
    assert server.tokens_issued == ["token-1"]  # cached for the second call
    call = server.requests[-1]
    assert (call[0], call[1], call[2]["Organization-Id"], call[2]["Authorization"]) == (
        "POST",
        "/flow-service/v1/flows",
        SIREN,
        "Bearer token-1",
    )


def test_xp_token_is_asked_again_after_expiry_and_after_revocation(server: XPZ12013Server) -> None:
    server.token_lifetime = 10  # under the adapter's safety margin: never reused
    client = adapter(server)
    client.push(kind=FlowKind.STATUS, name="a.xml", content=status_xml(), content_type="application/xml")
    client.push(kind=FlowKind.STATUS, name="b.xml", content=status_xml(), content_type="application/xml")
    assert server.tokens_issued == ["token-1", "token-2"]
    server.token_lifetime = 3600
    client.push(kind=FlowKind.STATUS, name="c.xml", content=status_xml(), content_type="application/xml")
    server.expire_tokens()  # revoked before its time: a 401, then once more with a new token
    client.push(kind=FlowKind.STATUS, name="d.xml", content=status_xml(), content_type="application/xml")
    assert server.tokens_issued == ["token-1", "token-2", "token-3", "token-4"]
    assert [f.name for f in server.outbound()] == ["a.xml", "b.xml", "c.xml", "d.xml"]


def test_xp_wrong_client_secret_is_a_permanent_refusal(server: XPZ12013Server) -> None:
    with pytest.raises(PlatformError) as refused:
        adapter(server, client_secret="wrong").push(
            kind=FlowKind.STATUS, name="a.xml", content=status_xml(), content_type="application/xml"
        )
    assert (refused.value.status_code, refused.value.retryable) == (401, False)
    assert refused.value.text.startswith(
        "the platform's token service refused our client credentials: HTTP 401"
    )


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        (503, "SERVICE_UNAVAILABLE", True),
        (500, "INTERNAL", True),
        (429, "TOO_MANY", True),
        (422, "INVALID", False),
    ],
)
def test_xp_errors_say_whether_to_retry(
    server: XPZ12013Server, status: int, code: str, retryable: bool
) -> None:
    server.fail_next = [(status, code)]
    with pytest.raises(PlatformError) as failed:
        adapter(server).push(
            kind=FlowKind.STATUS, name="a.xml", content=status_xml(), content_type="application/xml"
        )
    assert (failed.value.status_code, failed.value.retryable) == (status, retryable)
    assert failed.value.text == f"HTTP {status} {code}: scripted {status}"


def test_xp_unreachable_platform_is_retryable() -> None:
    client = XPZ12013Platform(
        base_url="http://127.0.0.1:9/flow-service", token_url="http://127.0.0.1:9/token", client_id="x",
        client_secret="y", deadline=2.0,
    )  # fmt: skip
    with pytest.raises(PlatformError) as failed:
        client.pull()
    assert failed.value.retryable
    assert failed.value.text.startswith("the platform could not be reached at http://127.0.0.1:9/token: ")


def test_xp_pull_reads_every_page_and_downloads_originals(server: XPZ12013Server) -> None:
    server.add_inbound("f1", "INV-1.xml", CII, "CII", "2026-12-07T09:00:00Z")
    server.add_inbound("f2", "INV-1_205.xml", status_xml(), "CDAR", "2026-12-07T09:01:00Z")
    server.add_inbound("f3", "INV-2.pdf", b"%PDF-1.7", "Factur-X", "2026-12-07T09:02:00Z")
    flows = adapter(server).pull()
    assert [(f.id, f.kind, f.name, f.content_type, f.content) for f in flows] == [
        ("f1", FlowKind.INVOICE, "INV-1.xml", "application/xml", CII),
        ("f2", FlowKind.STATUS, "INV-1_205.xml", "application/xml", status_xml()),
        ("f3", FlowKind.INVOICE, "INV-2.pdf", "application/pdf", b"%PDF-1.7"),
    ]
    assert flows[2].updated_at == datetime(2026, 12, 7, 9, 2, tzinfo=UTC)
    assert [s.get("cursor") for s in server.searches] == [None, "2"]  # two pages of two
    assert server.searches[0]["where"] == {"flowDirection": ["In"]}
    assert adapter(server, updated_after="2026-12-07T09:01:00Z").pull()[0].id == "f3"


@pytest.mark.django_db
def test_xp_push_through_the_outbox_retries_on_5xx_then_delivers(server: XPZ12013Server) -> None:
    config = xp_config(server)
    server.fail_next = [(503, "MAINTENANCE")]
    with override_settings(EINVOICE_PLATFORMS=config):
        message = platform.push_invoice(SIREN, number="INV-3", content=CII, content_type="application/xml")
        first = outbox.deliver_message(message.pk)
        message.refresh_from_db()
        assert (first.delivered, message.status, message.last_status_code) == (
            False,
            OutboxStatus.RETRYING,
            503,
        )
        assert message.last_error == "503 HTTP 503 MAINTENANCE: scripted 503"
        message.next_attempt_at = message.created_at
        message.save(update_fields=["next_attempt_at"])
        second = outbox.deliver_message(message.pk)
    assert (second.delivered, second.detail) == (True, "taken by the platform as out-1")
    assert [(f.name, f.syntax) for f in server.outbound()] == [(f"platform-invoice-{SIREN}-INV-3.xml", "CII")]


@pytest.mark.django_db
def test_xp_pull_asks_only_for_flows_after_the_last_handled(
    server: XPZ12013Server, received: list[tuple[str, str, str]]
) -> None:
    config = xp_config(server)
    server.add_inbound("f1", "INV-1_205.xml", status_xml(), "CDAR", "2026-12-07T09:01:00Z")
    with override_settings(EINVOICE_PLATFORMS=config):
        assert platform.pull(SIREN) == [("f1", "accepted", "")]
        assert platform.pull(SIREN) == []
    assert server.searches[-1]["where"] == {"flowDirection": ["In"], "updatedAfter": "2026-12-07T09:01:00Z"}
    assert received == [("status", SIREN, "INV-1")]


@pytest.mark.django_db
def test_handled_flows_are_listed_read_only_in_the_admin(admin_client: Any, client: Any) -> None:
    PlatformFlow.objects.create(
        entity=SIREN,
        flow_id="s2.xml",
        kind="status",
        outcome=PlatformFlowOutcome.REFUSED,
        reason="no invoice INV-9",
    )
    listed = admin_client.get("/admin/core/platformflow/")
    assert listed.status_code == 200
    assert "no invoice INV-9" in listed.content.decode()
    flow = PlatformFlow.objects.get()
    assert (
        admin_client.post(f"/admin/core/platformflow/{flow.pk}/change/", {"reason": "edited"}).status_code
        == 403
    )
    assert admin_client.get("/admin/core/platformflow/add/").status_code == 403
    assert client.get("/admin/core/platformflow/").status_code == 302  # signed out: to the sign-in page
    flow.refresh_from_db()
    assert flow.reason == "no invoice INV-9"
