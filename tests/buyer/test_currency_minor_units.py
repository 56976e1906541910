"""A requisition, its purchase order and the order sent to the supplier keep their amounts in the
currency's own minor units (ISO 4217): a Kuwaiti dinar has three decimals, a yen none, a euro two.
Stored, sent as cXML, shown on the pages, printed and answered by the API alike."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pypdf
import pytest
from django.test import Client
from lxml import etree

from openprocure.buyer.approvals.models import ApprovalAssignment
from openprocure.buyer.approvals.services import create_api_token
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.requisitions.services import CartLine, create_requisition_from_cart
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import OutboxMessage, User
from punchout import oagis
from punchout.money import quantize_money
from tests.buyer.approval_world import AUX_ID, World, build_world, rule, signed_in, submit
from tests.buyer.fulfilment_world import deliver
from tests.buyer.punchout_world import SupplierServer, cart, launch
from tests.partner_server import PartnerServer

pytestmark = pytest.mark.django_db

# currency, unit price, quantity, line amount (3 × price rounded to the currency), as shown in English
CASES = [
    ("KWD", "0.4175", "3", "1.253", "1.253\xa0KWD"),
    ("JPY", "417.5", "3", "1253", "1,253\xa0JPY"),
    ("EUR", "0.4175", "3", "1.25", "1.25\xa0EUR"),
]
# the unit price as sent: the currency's minor units, more only for the decimals that count (a price
# is no amount: 0.4175 keeps its four decimals, the yen price its one)
SENT_PRICE = {"KWD": "0.4175", "JPY": "417.5", "EUR": "0.4175"}

# currency, unit price, the unit price every order document states (``stated_unit_price``): stored
# with four decimals (12.5000), stated in the currency's minor units and the decimals that count
STATED = [
    ("EUR", "12.5", "12.50"),
    ("JPY", "1250", "1250"),
    ("KWD", "0.125", "0.125"),
    ("BHD", "0.125", "0.125"),
    ("KWD", "12.5", "12.500"),
    ("EUR", "0.0125", "0.0125"),
]
OAGIS_PRICE = (
    "//*[local-name()='PurchaseOrderLine']/*[local-name()='UnitPrice']/*[local-name()='ChargeAmount']"
)


def cart_requisition(world: World, currency: str, price: str, quantity: str) -> Requisition:
    return create_requisition_from_cart(
        requester=world.rita,
        supplier=world.supplier,
        connection=world.connection,
        lines=[
            CartLine(
                supplier_part_id="SKU-1001",
                supplier_part_auxiliary_id=AUX_ID,
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                currency=currency,
                description="Ergonomic chair",
                unit_of_measure="EA",
                unspsc="44121615",
            )
        ],
        title="Chairs",
    )


def api(person: User) -> Client:
    _row, token = create_api_token(user=person, name="test")
    return Client(headers={"Authorization": f"Bearer {token}"})


def order_of(world: World, currency: str, price: str, quantity: str) -> PurchaseOrder:
    req = cart_requisition(world, currency, price, quantity)
    submit(world, req)  # no rule: approved at submit, ordered at once
    return PurchaseOrder.objects.get(requisition=req)


@pytest.mark.parametrize(("currency", "price", "quantity", "amount", "shown"), CASES)
def test_the_order_is_stored_and_sent_in_the_currencys_minor_units(
    currency: str, price: str, quantity: str, amount: str, shown: str
) -> None:
    world = build_world()
    po = order_of(world, currency, price, quantity)

    po = PurchaseOrder.objects.get(pk=po.pk)  # as stored
    line = po.lines.get()
    req = Requisition.objects.get(pk=po.requisition_id)
    assert (po.currency, po.total_amount, line.amount, req.total_amount, req.lines.get().amount) == (
        currency,
        Decimal(amount),
        Decimal(amount),
        Decimal(amount),
        Decimal(amount),
    )
    assert line.distributions[0]["amount"] == amount

    sent = etree.fromstring(OutboxMessage.objects.get(reference=po.number).body.encode())
    assert sent.xpath("//OrderRequestHeader/Total/Money/text()") == [amount]
    assert sent.xpath("//OrderRequestHeader/Total/Money/@currency") == [currency]
    assert sent.xpath("//ItemOut/ItemDetail/UnitPrice/Money/text()") == [SENT_PRICE[currency]]
    assert sent.xpath("//ItemOut/Distribution/Charge/Money/text()") == [amount]


@pytest.mark.parametrize(("currency", "price", "stated"), STATED)
def test_the_order_and_its_change_state_the_unit_price_in_the_currencys_form(
    currency: str, price: str, stated: str
) -> None:
    world = build_world()
    po = order_of(world, currency, price, "3")
    line = PurchaseOrder.objects.get(pk=po.pk).lines.get()
    assert (line.unit_price, str(line.unit_price)) == (Decimal(price), f"{Decimal(price):.4f}")
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
        signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_1": "2"})
        po = deliver(PurchaseOrder.objects.get(pk=po.pk), partner.url)
    order, change = (etree.fromstring(received.body) for received in partner.received)
    assert [
        (
            sent.find(".//OrderRequestHeader").get("type"),
            sent.xpath("//ItemOut/@quantity"),
            sent.xpath("//ItemOut/ItemDetail/UnitPrice/Money/text()"),
            sent.xpath("//ItemOut/ItemDetail/UnitPrice/Money/@currency"),
        )
        for sent in (order, change)
    ] == [("new", ["3"], [stated], [currency]), ("update", ["2"], [stated], [currency])]
    assert (po.status, po.version) == ("accepted", 2)


def acknowledgement(po: PurchaseOrder, quantity: str, bod_id: str) -> bytes:
    """The supplier's AcknowledgePurchaseOrder accepting the only line of ``po`` at ``quantity``."""
    return oagis.build(
        oagis.PurchaseOrderBOD(
            verb=oagis.Verb.ACKNOWLEDGE,
            application_area=oagis.ApplicationArea(
                sender_logical_id="123456789", creation=datetime(2026, 12, 7, 9, 0, tzinfo=UTC), bod_id=bod_id
            ),
            purchase_orders=[
                oagis.PurchaseOrder(
                    oagis.PurchaseOrderHeader(id=po.number, status="Accepted"),
                    [
                        oagis.PurchaseOrderLine(
                            line_number="1",
                            quantity=oagis.Quantity(Decimal(quantity), "EA"),
                            status="Accepted",
                        )
                    ],
                )
            ],
        )
    )


@pytest.mark.parametrize(("currency", "price", "stated"), STATED)
def test_the_process_and_change_bods_state_the_unit_price_in_the_currencys_form(
    currency: str, price: str, stated: str
) -> None:
    world = build_world()
    world.connection.order_channel = "oagis"
    world.connection.save()
    po = order_of(world, currency, price, "3")
    with PartnerServer() as supplier:
        supplier.script((200, acknowledgement(po, "3", "ack-1@supplier.test")))
        po = deliver(po, supplier.url)
        signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_1": "2"})
        supplier.script((200, acknowledgement(po, "2", "ack-2@supplier.test")))
        po = deliver(PurchaseOrder.objects.get(pk=po.pk), supplier.url)
    process, change = (etree.fromstring(received.body) for received in supplier.received)
    assert [
        (
            etree.QName(sent).localname,
            sent.xpath(f"{OAGIS_PRICE}/text()"),
            sent.xpath(f"{OAGIS_PRICE}/@currencyCode"),
        )
        for sent in (process, change)
    ] == [
        ("ProcessPurchaseOrder", [stated], [currency]),
        ("ChangePurchaseOrder", [stated], [currency]),
    ]
    assert (po.status, po.version) == ("confirmed", 2)


@pytest.mark.parametrize(("currency", "price", "quantity", "amount", "shown"), CASES)
def test_pages_pdf_and_api_show_the_currencys_minor_units(
    currency: str, price: str, quantity: str, amount: str, shown: str
) -> None:
    world = build_world()
    po = order_of(world, currency, price, quantity)
    rita = signed_in(world.rita)

    page = rita.get(f"/purchasing/{po.number}/").content.decode()
    assert shown in page
    listed = rita.get("/purchasing/").content.decode()
    assert shown in listed
    requisition_page = rita.get(f"/requisitions/{po.requisition_id}/").content.decode()
    assert shown in requisition_page

    pdf = rita.get(f"/purchasing/{po.number}/pdf/").content
    lines = [
        text for page in pypdf.PdfReader(io.BytesIO(pdf)).pages for text in page.extract_text().splitlines()
    ]
    assert [text for text in lines if text.startswith("Total")] == [f"Total {shown}"]

    client = api(world.rita)
    listed_api = client.get("/api/purchase-orders/").json()
    assert [(o["number"], o["total_amount"], o["currency"]) for o in listed_api] == [
        (po.number, amount, currency)
    ]
    detail = client.get(f"/api/purchase-orders/{po.number}").json()
    assert (detail["total_amount"], [line["amount"] for line in detail["lines"]]) == (amount, [amount])
    requisition = client.get(f"/api/requisitions/{po.requisition_id}").json()
    assert requisition["total_amount"] == amount


def test_an_approver_sees_the_amount_in_dinars_with_three_decimals() -> None:
    world = build_world()
    rule("all", {"users": [world.alan]})
    req = cart_requisition(world, "KWD", "0.4175", "3")
    submit(world, req)
    assignment = ApprovalAssignment.objects.get(approver=world.alan)
    assert Requisition.objects.get(pk=req.pk).total_amount == Decimal("1.253")
    inbox = api(world.alan).get("/api/approvals/").json()
    assert [(a["requisition"], a["amount"], a["currency"]) for a in inbox] == [(req.number, "1.253", "KWD")]
    page = signed_in(world.alan).get(f"/approvals/{assignment.pk}/").content.decode()
    assert "1.253\xa0KWD" in page


def test_an_amount_of_the_wrong_precision_is_rounded_to_its_currency_once() -> None:
    # 3 × 0.41675 KWD = 1.25025: the unit price keeps four decimals (0.4168), the line 3 (1.250)
    world = build_world()
    po = order_of(world, "KWD", "0.41675", "3")
    po = PurchaseOrder.objects.get(pk=po.pk)
    assert (po.lines.get().unit_price, po.total_amount) == (Decimal("0.4168"), Decimal("1.250"))
    sent = etree.fromstring(OutboxMessage.objects.get(reference=po.number).body.encode())
    assert sent.xpath("//OrderRequestHeader/Total/Money/text()") == ["1.250"]


@pytest.mark.parametrize(
    ("currency", "price", "total"),
    [("KWD", "0.4175", "1.253"), ("JPY", "417.5", "1253"), ("EUR", "0.4175", "1.25")],
)
def test_a_returned_cart_keeps_its_total_to_the_currencys_minor_unit(
    acme: PunchOutConnection,
    requester: Client,
    supplier: SupplierServer,
    currency: str,
    price: str,
    total: str,
) -> None:
    # the storefront states its cart total in the currency's minor units; the order must say the same
    session = launch(requester, acme, supplier)
    body = cart(session.cookie, [("P-1", None, "3", price, "Staple")], total).replace(
        'currency="EUR"', f'currency="{currency}"'
    )
    requester.post(f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": body})
    requisition = Requisition.objects.get()
    assert (requisition.warnings, requisition.currency) == ([], currency)
    assert Requisition.objects.get(pk=requisition.pk).total_amount == Decimal(total)
    assert str(quantize_money(Requisition.objects.get(pk=requisition.pk).total_amount, currency)) == total
