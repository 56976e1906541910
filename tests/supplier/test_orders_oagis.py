"""``POST /oagis/`` on the storefront: Process, Change and Cancel PurchaseOrder BODs through the same
order intake as cXML OrderRequests, answered with AcknowledgePurchaseOrder or a coded ConfirmBOD.

Carts are punched out through the setup + cart flow; the BODs carry the cart's references
(``Item/ID`` = SupplierPartAuxiliaryID), as the buyer suite builds them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from lxml import etree

from openprocure.core.models import Document
from openprocure.supplier.catalog.models import Product
from openprocure.supplier.orders.choices import LineOutcome, OrderStatus
from openprocure.supplier.orders.models import Order
from punchout import cxml, oagis
from punchout.oagis.transport import basic_credentials
from tests.punchout.oagis_world import schema_errors
from tests.supplier.worlds import punch_out

pytestmark = pytest.mark.django_db

NAMES = {
    oagis.Verb.PROCESS: "ProcessPurchaseOrder",
    oagis.Verb.CHANGE: "ChangePurchaseOrder",
    oagis.Verb.CANCEL: "CancelPurchaseOrder",
}


def bod(
    cart: list[cxml.ItemIn],
    *,
    verb: oagis.Verb = oagis.Verb.PROCESS,
    bod_id: str = "bod-1@buyer.example",
    order_id: str = "PO-2026-000001",
    revision: str = "1",
    quantities: dict[int, int] | None = None,
) -> bytes:
    """A purchase order BOD of the cart's lines (``quantities`` overrides per line number)."""
    lines = []
    for number, item in enumerate(cart, 1):
        quantity = Decimal((quantities or {}).get(number, item.quantity))
        if not quantity:
            continue
        price = item.item_detail.unit_price
        lines.append(
            oagis.PurchaseOrderLine(
                line_number=str(number),
                item=oagis.Item(
                    id=item.item_id.supplier_part_auxiliary_id,
                    supplier_item_id=item.item_id.supplier_part_id,
                ),
                descriptions=[item.item_detail.descriptions[0].text],
                quantity=oagis.Quantity(quantity, item.item_detail.unit_of_measure),
                unit_price=oagis.Amount(price.amount, price.currency),
            )
        )
    total = sum((line.quantity.value * line.unit_price.value for line in lines), Decimal(0))
    document = oagis.PurchaseOrderBOD(
        verb=verb,
        application_area=oagis.ApplicationArea(
            sender_logical_id="ACME", creation=datetime(2026, 12, 7, 9, 0, tzinfo=UTC), bod_id=bod_id
        ),
        purchase_orders=[
            oagis.PurchaseOrder(
                oagis.PurchaseOrderHeader(
                    id=order_id,
                    revision_id=revision,
                    order_date=datetime(2026, 12, 7, 8, 0, tzinfo=UTC),
                    ship_to=oagis.Party(
                        name="Acme Receiving",
                        address=oagis.Address(
                            lines=["12 rue des Entrepôts"],
                            city="Lyon",
                            postal_code="69007",
                            country_code="FR",
                        ),
                    ),
                    total_amount=oagis.Amount(total, "EUR"),
                ),
                lines,
            )
        ],
    )
    return oagis.build(document)


def post(client, body: bytes, *, user: str = "ACME", secret: str | None = "acme-shared-secret"):
    headers = {} if secret is None else {"HTTP_AUTHORIZATION": basic_credentials(user, secret)}
    return client.post("/oagis/", body, content_type="application/xml", **headers)


def refusal_of(response) -> tuple[str, str, str]:
    """(ReasonCode, Description, SourceLocationExpression) of a ConfirmBOD's only error."""
    confirm = oagis.parse_confirm(response.content)
    [error] = confirm.results[0].errors
    return error.reason_code or "", error.description or "", error.location or ""


def test_a_process_purchase_order_is_taken_in_and_acknowledged_line_by_line(client, shop, interop):
    cart = punch_out(client, [("B000PAPER1", 3), ("B000PENS01", 2)])
    # Our price fell after the cart was returned: line 1 is acknowledged Modified at our price.
    Product.objects.filter(asin="B000PAPER1").update(business_price=Decimal("5.00"))
    body = bod(cart)
    response = post(client, body)
    assert (response.status_code, response["Content-Type"]) == (200, "application/xml; charset=utf-8")
    assert schema_errors(interop, response.content) == []
    order = Order.objects.get()
    assert (order.buyer_order_id, order.payload_id, order.status) == (
        "PO-2026-000001",
        "bod-1@buyer.example",
        OrderStatus.ACCEPTED,
    )
    ack = oagis.parse_purchase_order(response.content)
    assert ack.verb is oagis.Verb.ACKNOWLEDGE
    assert ack.original_application_area.bod_id == "bod-1@buyer.example"
    header = ack.purchase_order.header
    assert (header.id, header.revision_id, header.status, header.notes) == (
        "PO-2026-000001",
        "1",
        "Accepted",
        [order.number],
    )
    assert header.status_reason == (
        f"Order received as {order.number}: 2 line(s) accepted, 0 backordered, 0 rejected. "
        "A ConfirmationRequest follows with each line's outcome."
    )
    assert [
        (line.line_number, line.status, line.quantity.value, line.unit_price.value, line.status_reason)
        for line in ack.purchase_order.lines
    ] == [
        (
            "1",
            "Modified",
            Decimal("3"),
            Decimal("5.0000"),
            "ACCEPTED: Accepted: 3 at 5.00 EUR each. Nothing to do.",
        ),
        ("2", "Accepted", Decimal("2"), Decimal("10.0000"), None),
    ]
    # The prices, stored as 5.0000 and 10.0000, are stated in euros' minor units.
    price = "//*[local-name()='PurchaseOrderLine']/*[local-name()='UnitPrice']/*[local-name()='ChargeAmount']"
    assert etree.fromstring(response.content).xpath(f"{price}/text()") == ["5.00", "10.00"]
    # Both documents are in the journal, as OAGIS, the answer replying to the BOD.
    received = Document.objects.get(kind="ProcessPurchaseOrder")
    answer = Document.objects.get(kind="AcknowledgePurchaseOrder")
    assert (received.protocol, received.payload_id, received.reference, received.status_code) == (
        "oagis",
        "bod-1@buyer.example",
        order.number,
        200,
    )
    assert received.raw == body.decode()
    assert (answer.protocol, answer.in_reply_to_id, answer.raw) == (
        "oagis",
        received.pk,
        response.content.decode(),
    )


def test_the_same_bod_again_gets_the_same_acknowledgement_and_creates_nothing(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3)])
    first = post(client, bod(cart))
    again = post(client, bod(cart))
    assert (first.status_code, again.status_code) == (200, 200)
    assert Order.objects.count() == 1
    said = [oagis.parse_purchase_order(r.content).purchase_order.header.status_reason for r in (first, again)]
    assert said[0] == said[1]


def test_change_then_cancel_go_through_the_intake_of_updates_and_deletes(client, shop, interop):
    cart = punch_out(client, [("B000PAPER1", 3), ("B000PENS01", 2)])
    assert post(client, bod(cart)).status_code == 200
    change = post(
        client,
        bod(
            cart, verb=oagis.Verb.CHANGE, bod_id="bod-2@buyer.example", revision="2", quantities={1: 2, 2: 0}
        ),
    )
    assert change.status_code == 200, change.content
    assert schema_errors(interop, change.content) == []
    order = Order.objects.get()
    current = list(order.lines.filter(is_current=True).order_by("line_number"))
    assert [(line.line_number, line.quantity, line.outcome) for line in current] == [
        (1, 2, LineOutcome.ACCEPTED),
        (2, 2, LineOutcome.CANCELLED),
    ]
    assert order.order_version == 2
    ack = oagis.parse_purchase_order(change.content).purchase_order
    assert [(line.line_number, line.status, line.status_reason) for line in ack.lines] == [
        ("1", "Accepted", None),
        ("2", "Rejected", "LINE_CANCELLED: Cancelled by the buyer's update request. Nothing to do."),
    ]
    cancel = post(client, bod(cart, verb=oagis.Verb.CANCEL, bod_id="bod-3@buyer.example", revision="3"))
    assert cancel.status_code == 200, cancel.content
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    cancelled = oagis.parse_purchase_order(cancel.content).purchase_order
    assert (cancelled.header.status, cancelled.lines) == ("Accepted", [])


def test_an_order_the_intake_refuses_is_answered_with_its_code_and_a_bod_path(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3)])
    assert post(client, bod(cart)).status_code == 200
    # The same order number under a new BODID: the intake's ORDER_EXISTS.
    response = post(client, bod(cart, bod_id="bod-9@buyer.example", order_id="PO-2026-000001", revision="7"))
    assert response.status_code == 409
    code, text, _path = refusal_of(response)
    assert code == "ORDER_EXISTS"
    assert text.startswith("ORDER_EXISTS: ")
    assert "/cXML/" not in text
    assert Order.objects.count() == 1


def test_a_bodid_longer_than_kept_is_refused_in_bod_terms(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3)])
    response = post(client, bod(cart, bod_id="b" * 251))
    assert response.status_code == 400
    assert refusal_of(response)[:2] == (
        "VALUE_TOO_LONG",
        "VALUE_TOO_LONG: The BODID at /ProcessPurchaseOrder/ApplicationArea/BODID has 251 characters; "
        "at most 250 are accepted. Send a shorter one.",
    )
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("user", "secret", "code", "text"),
    [
        (
            "ACME",
            "wrong-secret-of-16+",
            "AUTH_BAD_SECRET",
            "The password (HTTP Basic) does not match the shared secret issued for this account. Check the "
            "shared secret with the supplier's integration page.",
        ),
        (
            "NOBODY",
            "acme-shared-secret",
            "AUTH_UNKNOWN_BUYER",
            "No business account has the identity NOBODY (the HTTP Basic user name). Check the identity "
            "with the supplier's integration page.",
        ),
        (
            "ACME",
            None,
            "AUTH_MISSING",
            "No credentials: send the BOD with HTTP Basic authentication, your identity as the user name and "
            "the shared secret agreed with us as the password.",
        ),
    ],
)
def test_a_bod_without_the_right_credentials_is_refused_401(client, shop, user, secret, code, text):
    cart = punch_out(client, [("B000PAPER1", 3)])
    response = post(client, bod(cart), user=user, secret=secret)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="OAGIS", charset="UTF-8"'
    assert refusal_of(response)[:2] == (code, text)
    confirm = oagis.parse_confirm(response.content)
    assert confirm.results[0].bod_id == "bod-1@buyer.example"
    assert Order.objects.count() == 0


def test_malformed_unknown_and_oversized_bodies_are_refused_with_codes(client, shop, settings):
    malformed = post(client, b"<ProcessPurchaseOrder><oops></ProcessPurchaseOrder>")
    assert malformed.status_code == 400
    assert refusal_of(malformed)[0] == "not-well-formed"
    unknown = post(client, b'<SyncItemMaster xmlns="http://www.openapplications.org/oagis/10"/>')
    assert unknown.status_code == 501
    code, text, path = refusal_of(unknown)
    assert (code, path) == ("unsupported-bod", "/SyncItemMaster")
    assert text.startswith("SyncItemMaster is not a BOD this system reads")
    cart = punch_out(client, [("B000PAPER1", 3)])
    settings.CXML_MAX_BYTES = 200
    large = post(client, bod(cart))
    assert large.status_code == 413
    assert refusal_of(large)[0] == "too-large"
    # Every refusal is journaled with the body as received.
    assert Document.objects.filter(protocol="oagis", direction="in").count() == 3
    assert Order.objects.count() == 0


def test_an_acknowledgement_sent_to_the_storefront_is_not_an_order(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3)])
    response = post(client, bod(cart, verb=oagis.Verb.ACKNOWLEDGE))
    assert response.status_code == 501
    assert refusal_of(response) == (
        "UNSUPPORTED_BOD",
        "AcknowledgePurchaseOrder is not accepted here: send ProcessPurchaseOrder, ChangePurchaseOrder or "
        "CancelPurchaseOrder.",
        "/AcknowledgePurchaseOrder",
    )


@override_settings(RATELIMIT_ANONYMOUS="2/h", RATELIMIT_PARTNER="100/h")
def test_an_address_over_its_allowance_gets_a_confirm_bod_429_with_retry_after(client, shop):
    failed = [post(client, b"<ProcessPurchaseOrder><oops></ProcessPurchaseOrder>") for _ in range(3)]
    assert [r.status_code for r in failed] == [400, 400, 429]
    refused = failed[2]
    assert refused["Content-Type"] == "application/xml; charset=utf-8"
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert refusal_of(refused) == (
        "RATE_LIMITED",
        "Too many failed or unauthenticated requests came from your address. Send the same document "
        f"again in {refused['Retry-After']} seconds (nothing was read or stored).",
        "",
    )
    assert oagis.parse_confirm(refused.content).results[0].bod_id is None
    # The refused BOD was not read, so not journaled: only the two answered ones.
    assert Document.objects.filter(protocol="oagis", direction="in").count() == 2


@override_settings(RATELIMIT_ANONYMOUS="100/h", RATELIMIT_PARTNER="1/h")
def test_a_partner_over_its_allowance_gets_a_confirm_bod_429_and_no_order(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3)])
    assert post(client, bod(cart)).status_code == 200
    refused = post(client, bod(cart, bod_id="bod-2@buyer.example", order_id="PO-2026-000002"))
    assert refused.status_code == 429
    assert refusal_of(refused)[:2] == (
        "RATE_LIMITED",
        "This partner account has sent more requests than its allowance. Send the same document again "
        f"in {refused['Retry-After']} seconds (nothing was read or stored).",
    )
    assert Order.objects.count() == 1
    assert Document.objects.filter(protocol="oagis", direction="in").count() == 1
