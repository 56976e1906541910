"""OAGIS BODs in cXML's terms (an order for the one intake, an acknowledgement for the one confirmation
service) and posting a BOD to a real HTTP server with HTTP Basic."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from tests.partner_server import PartnerServer

from punchout import cxml, oagis
from punchout.cxml.transport import PermanentDeliveryError, TransientDeliveryError
from punchout.oagis.transport import basic_credentials, post_bod, read_basic_credentials

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def order(verb: oagis.Verb = oagis.Verb.PROCESS, *, line_number: str = "1") -> oagis.PurchaseOrderBOD:
    return oagis.PurchaseOrderBOD(
        verb=verb,
        application_area=oagis.ApplicationArea(sender_logical_id="ACME", creation=NOW, bod_id="bod-1"),
        purchase_orders=[
            oagis.PurchaseOrder(
                oagis.PurchaseOrderHeader(
                    id="PO-1",
                    revision_id="2",
                    order_date=date(2026, 12, 6),
                    notes=["Deliver to gate 4"],
                    ship_to=oagis.Party(
                        id="HQ",
                        name="Acme",
                        address=oagis.Address(
                            lines=["12 rue des Entrepôts"],
                            city="Lyon",
                            postal_code="69007",
                            country_code="FR",
                        ),
                    ),
                    total_amount=oagis.Amount(Decimal("31.20"), "EUR"),
                ),
                [
                    oagis.PurchaseOrderLine(
                        line_number=line_number,
                        item=oagis.Item(id=" cart=1;line=1 ", supplier_item_id="B000PAPER1"),
                        descriptions=["", "Copy paper"],
                        quantity=oagis.Quantity(Decimal("6"), "PK"),
                        unit_price=oagis.Amount(Decimal("5.20"), "EUR"),
                        requested_delivery=NOW,
                    )
                ],
            )
        ],
    )


def test_a_process_purchase_order_reads_as_the_order_request_it_means() -> None:
    document = oagis.order_request_of(order(), domain="NetworkId", identity="ACME", secret="s3cret")
    assert (document.payload_id, document.timestamp) == ("bod-1", NOW)
    assert document.header.sender_secret == "s3cret"
    assert [(c.domain, c.identity) for c in document.header.from_] == [("NetworkId", "ACME")]
    request = document.message
    assert isinstance(request, cxml.OrderRequest)
    header = request.header
    assert (header.order_id, header.type, header.order_version) == ("PO-1", cxml.OrderRequestType.NEW, 2)
    assert header.order_date == datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert (header.total.amount, header.total.currency) == (Decimal("31.20"), "EUR")
    assert [c.text for c in header.comments] == ["Deliver to gate 4"]
    postal = header.ship_to.postal_address
    assert (header.ship_to.name, header.ship_to.address_id) == ("Acme", "HQ")
    assert (postal.street, postal.city, postal.postal_code, postal.iso_country_code) == (
        ["12 rue des Entrepôts"],
        "Lyon",
        "69007",
        "FR",
    )
    [item] = request.items
    assert (item.line_number, item.quantity, item.requested_delivery_date) == (1, Decimal("6"), NOW)
    assert (item.item_id.supplier_part_id, item.item_id.supplier_part_auxiliary_id) == (
        "B000PAPER1",
        " cart=1;line=1 ",
    )
    detail = item.item_detail
    assert (detail.unit_price.amount, detail.unit_price.currency, detail.unit_of_measure) == (
        Decimal("5.20"),
        "EUR",
        "PK",
    )
    assert [d.text for d in detail.descriptions] == ["Copy paper"]


def test_change_and_cancel_read_as_update_and_delete() -> None:
    kinds = [
        oagis.order_request_of(order(verb), domain="d", identity="i", secret="s").message.header.type
        for verb in (oagis.Verb.CHANGE, oagis.Verb.CANCEL)
    ]
    assert kinds == [cxml.OrderRequestType.UPDATE, cxml.OrderRequestType.DELETE]


def test_what_is_no_order_is_refused_with_its_path() -> None:
    with pytest.raises(oagis.InvalidBOD) as refused:
        oagis.order_request_of(order(oagis.Verb.ACKNOWLEDGE), domain="d", identity="i", secret="s")
    assert refused.value.path == "/AcknowledgePurchaseOrder"
    with pytest.raises(oagis.InvalidBOD) as refused:
        oagis.order_request_of(order(line_number="A-1"), domain="d", identity="i", secret="s")
    assert refused.value.message == (
        "/ProcessPurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderLine/LineNumberID must be the order "
        "line's number (1, 2, …), not 'A-1'"
    )


def ack(
    lines: list[tuple[str, str, str | None, str | None]], header_status: str = "Accepted"
) -> oagis.PurchaseOrderBOD:
    """``lines``: (number, status, quantity, reason)."""
    return oagis.PurchaseOrderBOD(
        verb=oagis.Verb.ACKNOWLEDGE,
        application_area=oagis.ApplicationArea(creation=NOW, bod_id="ack-1"),
        original_application_area=oagis.ApplicationArea(creation=NOW, bod_id="bod-1"),
        purchase_orders=[
            oagis.PurchaseOrder(
                oagis.PurchaseOrderHeader(id="PO-1", status=header_status, status_reason="As agreed"),
                [
                    oagis.PurchaseOrderLine(
                        line_number=number,
                        quantity=oagis.Quantity(Decimal(quantity), "EA") if quantity else None,
                        unit_price=oagis.Amount(Decimal("4.90"), "EUR") if status == "Modified" else None,
                        promised_delivery=NOW if status == "Modified" else None,
                        status=status,
                        status_reason=reason,
                    )
                    for number, status, quantity, reason in lines
                ],
            )
        ],
    )


def test_an_acknowledgement_reads_as_a_confirmation_line_by_line() -> None:
    request = oagis.confirmation_of(
        ack(
            [
                ("1", "Accepted", None, None),
                ("2", "Modified", "4", "Backordered"),
                ("3", "Rejected", None, "Gone"),
            ]
        ),
        ordered={1: Decimal(3), 2: Decimal(6), 3: Decimal(1)},
    )
    assert (request.header.type, request.header.confirm_id, request.header.notice_date) == (
        cxml.ConfirmationType.DETAIL,
        "ack-1",
        NOW,
    )
    assert [c.text for c in request.header.comments] == ["As agreed"]
    assert (request.order_reference.order_id, request.order_reference.payload_id) == ("PO-1", "bod-1")
    assert [
        (
            item.line_number,
            item.quantity,
            [
                (
                    s.type.value,
                    s.quantity,
                    s.unit_price.amount if s.unit_price else None,
                    s.delivery_date,
                    [c.text for c in s.comments],
                )
                for s in item.statuses
            ],
        )
        for item in request.items
    ] == [
        (1, Decimal(3), [("accept", Decimal(3), None, None, [])]),
        (
            2,
            Decimal(6),
            [
                ("detail", Decimal(4), Decimal("4.90"), NOW, ["Backordered"]),
                ("reject", Decimal(2), None, None, ["Backordered"]),
            ],
        ),
        (3, Decimal(1), [("reject", Decimal(1), None, None, ["Gone"])]),
    ]


def test_the_header_says_reject_when_every_line_is_rejected_and_accept_without_lines() -> None:
    rejected = oagis.confirmation_of(ack([("1", "Rejected", "2", "No")]))
    assert rejected.header.type == cxml.ConfirmationType.REJECT
    assert oagis.confirmation_of(ack([])).header.type == cxml.ConfirmationType.ACCEPT
    assert (
        oagis.confirmation_of(ack([], header_status="Rejected")).header.type == cxml.ConfirmationType.REJECT
    )


def test_basic_credentials_round_trip_and_garbage_reads_as_none() -> None:
    header = basic_credentials("ACME", "s3cret:with:colons-é")
    assert read_basic_credentials(header) == ("ACME", "s3cret:with:colons-é")
    for garbage in ("", "Bearer abc", "Basic", "Basic !!!", "Basic " + "bm9jb2xvbg=="):
        assert read_basic_credentials(garbage) is None


def acknowledged() -> bytes:
    return oagis.build(ack([("1", "Accepted", "3", None), ("2", "Rejected", "1", "Gone")]))


def test_post_bod_sends_basic_credentials_and_reads_the_acknowledgement() -> None:
    body = oagis.build(order())
    with PartnerServer() as partner:
        partner.script((200, acknowledged()))
        answer = post_bod(partner.url, body, credentials=("ACME", "s3cret"), deadline=10)
    [received] = partner.received
    assert (received.body, received.headers["Authorization"]) == (body, basic_credentials("ACME", "s3cret"))
    assert received.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert (answer.http_status, answer.summary) == (
        200,
        "Acknowledged (Accepted): 1 accepted, 1 rejected line(s). As agreed",
    )
    assert isinstance(answer.document, oagis.PurchaseOrderBOD)


def confirm(code: str, text: str) -> bytes:
    return oagis.build(
        oagis.refusal(
            oagis.InvalidBOD(text),
            code=code,
            received=None,
            sender_logical_id="supplier",
            bod_id="c-1",
            creation=NOW,
        )
    )


@pytest.mark.parametrize(
    ("status", "body", "error", "code", "text"),
    [
        (
            401,
            confirm("AUTH_BAD_SECRET", "Wrong secret."),
            PermanentDeliveryError,
            401,
            "AUTH_BAD_SECRET: Wrong secret.",
        ),
        (200, confirm("ORDER_EXISTS", "Known."), PermanentDeliveryError, 400, "ORDER_EXISTS: Known."),
        (503, confirm("BUSY", "Later."), TransientDeliveryError, 503, "BUSY: Later."),
        (
            200,
            b"<html>OK</html>",
            PermanentDeliveryError,
            200,
            "HTTP 200, and the reply is not an AcknowledgePurchaseOrder or ConfirmBOD (html is not a BOD this "
            "system reads (it reads ProcessPurchaseOrder, ChangePurchaseOrder, CancelPurchaseOrder, "
            "AcknowledgePurchaseOrder, ConfirmBOD))",
        ),
        (502, b"Bad gateway", TransientDeliveryError, 502, None),
    ],
)
def test_post_bod_classifies_refusals_as_the_cxml_transport_does(status, body, error, code, text) -> None:
    with PartnerServer() as partner:
        partner.script((status, body))
        with pytest.raises(error) as raised:
            post_bod(partner.url, oagis.build(order()), credentials=None, deadline=10)
    assert raised.value.status_code == code
    if text is not None:
        assert raised.value.text == text
    assert "Authorization" not in partner.received[0].headers
