"""StatusUpdateRequest beyond the invoice reconciled: a document status, a partial payment, the
payment's due date; built DTD-valid and read back to the same model."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from punchout.cxml import (
    CXML,
    BuildError,
    Comment,
    Credential,
    DocumentStatus,
    InvoiceStatus,
    InvoiceStatusType,
    Status,
    StatusUpdateRequest,
    build,
    make_header,
    parse,
)
from punchout.cxml.dtd import validate
from punchout.money import Money


def envelope(message: StatusUpdateRequest) -> CXML:
    return CXML(
        message=message,
        payload_id="status-1@buyer.example.com",
        timestamp=datetime(2026, 3, 15, 9, 30, tzinfo=UTC),
        header=make_header(
            from_=[Credential("NetworkID", "AN01")],
            to=[Credential("DUNS", "987654321")],
            sender=[Credential("NetworkID", "AN01", "secret")],
            user_agent="test",
        ),
        version="1.2.071",
    )


PAID = StatusUpdateRequest(
    Status(200, "OK", "Paid in part"),
    "inv-1@supplier.example.com",
    InvoiceStatus(
        InvoiceStatusType.PAID,
        "INV-1",
        datetime(2026, 3, 1, tzinfo=UTC),
        [Comment("Second half next month", "en")],
        partial_amount=Money(Decimal("60.50"), "EUR"),
        payment_net_due_date=datetime(2026, 4, 30, tzinfo=UTC),
    ),
)
ORDER = StatusUpdateRequest(
    Status(200, "OK"),
    "order-1@buyer.example.com",
    document_status=DocumentStatus(
        "received",
        "PO-1",
        "OrderRequest",
        datetime(2026, 3, 1, tzinfo=UTC),
        [Comment("Goods received in full", "en")],
    ),
)


@pytest.mark.parametrize("message", [PAID, ORDER], ids=["invoice-paid", "document"])
def test_status_update_builds_and_reads_back(message: StatusUpdateRequest) -> None:
    data = build(envelope(message))
    assert parse(data).document.message == message
    assert parse(data).warnings == []


def test_partial_amount_and_document_info_on_the_wire() -> None:
    paid = build(envelope(PAID))
    assert b'<InvoiceStatus type="paid" paymentNetDueDate="2026-04-30T00:00:00+00:00">' in paid
    assert b'<PartialAmount>\n          <Money currency="EUR">60.50</Money>' in paid
    order = build(envelope(ORDER))
    assert b'<DocumentStatus type="received">' in order
    assert (
        b'<DocumentInfo documentID="PO-1" documentType="OrderRequest" documentDate="2026-03-01T00:00:00+00:00"/>'
    ) in order


@pytest.mark.interop
@pytest.mark.parametrize("message", [PAID, ORDER], ids=["invoice-paid", "document"])
def test_status_update_is_dtd_valid(message: StatusUpdateRequest, interop: Path) -> None:
    assert validate(build(envelope(message)), interop / "cxml-dtd", version="1.2.071") == []


def test_two_status_elements_are_refused() -> None:
    both = StatusUpdateRequest(
        Status(200, "OK"),
        invoice_status=InvoiceStatus(InvoiceStatusType.PAID),
        document_status=DocumentStatus("received"),
    )
    with pytest.raises(BuildError, match="one status"):
        build(envelope(both))
