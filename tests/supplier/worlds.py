"""Shared by the storefront tests: businesses and their people, PunchOut setup requests, carts
punched out through HTTP and the OrderRequests a buyer system sends for them."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from decimal import Decimal

from openprocure.core.models import User
from openprocure.supplier.business import services
from openprocure.supplier.business.choices import StaffRole
from openprocure.supplier.business.models import (
    Business,
    Integration,
    ShippingAddress,
)
from openprocure.supplier.orders.models import Order, OrderSettings
from punchout import cxml
from punchout.cxml.transport import decode_form
from tests.factories import UserFactory
from tests.supplier.factories import BusinessFactory, MembershipFactory, StaffProfileFactory

PASSWORD = "correct-horse-battery"


def make_business(
    name: str = "Acme Industries", admin_email: str = "admin@acme.test"
) -> tuple[Business, User]:
    """A verified business and its administrator (with a usable password)."""
    business = BusinessFactory(name=name, email=admin_email)
    admin = UserFactory(email=admin_email, password=PASSWORD, first_name="Ada", last_name="Admin")
    MembershipFactory(user=admin, business=business, is_administrator=True, is_punchout_user=True)
    return business, admin


def make_member(business: Business, email: str, **roles: bool) -> User:
    user = UserFactory(email=email, password=PASSWORD)
    MembershipFactory(user=user, business=business, **({"is_punchout_user": True} | roles))
    return user


def make_integration(
    business: Business,
    admin: User,
    *,
    identity: str = "ACME",
    secret: str = "acme-shared-secret",
    urls: tuple[str, ...] = ("https://buyer.example/punchout/",),
    encoding: str = "cxml-urlencoded",
    oci_password: str = "oci-password-1",
) -> Integration:
    created = services.add_punchout(
        business=business,
        by=admin,
        buyer_identity=identity,
        buyer_domain="NetworkId",
        allowed_return_urls=list(urls),
        cart_encoding=encoding,
        shared_secret=secret,
        oci_password=oci_password,
    )
    return created.integration


def make_operator(email: str = "operator@marketplace.test") -> User:
    profile = StaffProfileFactory(user__email=email, user__password=PASSWORD, role=StaffRole.OPERATOR)
    return profile.user


RETURN_URL = "https://buyer.example/punchout/return/17"


def setup_request(
    *,
    identity: str = "ACME",
    domain: str = "NetworkId",
    secret: str | None = "acme-shared-secret",
    email: str | None = "buyer@acme.test",
    url: str | None = RETURN_URL,
    operation: cxml.PunchOutOperation = cxml.PunchOutOperation.CREATE,
    items: list[cxml.ItemOut] | None = None,
    extrinsics: list[cxml.Extrinsic] | None = None,
    contacts: list[cxml.Contact] | None = None,
    cookie: str = "cookie-42",
    lang: str | None = None,
) -> bytes:
    extra = list(extrinsics or [])
    if email:
        extra.insert(0, cxml.Extrinsic("UserEmail", email))
    document = cxml.CXML(
        message=cxml.PunchOutSetupRequest(
            buyer_cookie=cookie,
            operation=operation,
            browser_form_post_url=url,
            extrinsics=extra,
            contacts=contacts or [],
            items=items or [],
        ),
        payload_id=cxml.new_payload_id("buyer.example"),
        timestamp=datetime.now(UTC).replace(microsecond=0),
        header=cxml.make_header(
            from_=[cxml.Credential(domain, identity)],
            to=[cxml.Credential("NetworkId", "MARKETPLACE")],
            sender=[cxml.Credential(domain, identity, secret)],
            user_agent="Buyer test 1.0",
        ),
        lang=lang,
    )
    return cxml.build(document)


def post_setup(client, body: bytes) -> cxml.CXML:
    response = client.post("/cxml/", body, content_type="text/xml")
    assert response.status_code == 200
    return cxml.parse(response.content).document


def start_path(document: cxml.CXML) -> str:
    url = document.message.start_page_url
    assert url.startswith("http://127.0.0.1:8100/po/start/")
    return url.removeprefix("http://127.0.0.1:8100")


def open_session(client, **kwargs) -> str:
    """Set up and start a session; the /po/<key>/ prefix."""
    document = post_setup(client, setup_request(**kwargs))
    assert document.status.code == 200, document.status
    response = client.get(start_path(document))
    assert response.status_code == 302
    return re.match(r"^(/po/[^/]+/)", response.url)[1]


def return_form(response) -> tuple[str, dict[str, str]]:
    page = response.content.decode()
    action = html.unescape(re.search(r'<form id="punchout-return" method="post" action="([^"]*)"', page)[1])
    fields = {
        html.unescape(n): html.unescape(v)
        for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', page)
    }
    return action, fields


def returned_message(response) -> cxml.CXML:
    _action, fields = return_form(response)
    return cxml.parse(decode_form(fields)).document


BUYER_URL = "http://127.0.0.1:9/cxml/"


def punch_out(client, items: list[tuple[str, int]], **setup) -> list[cxml.ItemIn]:
    """Open a PunchOut session, add the items, submit: the cart lines as the buyer receives them."""
    prefix = open_session(client, **setup)
    for asin, quantity in items:
        response = client.post(prefix + "cart/add/", {"asin": asin, "quantity": quantity})
        assert response.status_code == 302
    response = client.post(prefix + "cart/submit/")
    return list(returned_message(response).message.items)


def make_dock(business: Business, preferred_delivery_day: int | None) -> ShippingAddress:
    """The business's Lyon dock: the address :func:`ship_to` names (the test orders match it)."""
    return ShippingAddress.objects.create(
        business=business,
        name="Dock",
        street="12 rue des Entrepôts",
        postal_code="69007",
        city="Lyon",
        country="FR",
        preferred_delivery_day=preferred_delivery_day,
    )


def ship_to() -> cxml.Address:
    return cxml.Address(
        name="Acme Receiving",
        postal_address=cxml.PostalAddress(
            street=["12 rue des Entrepôts"],
            city="Lyon",
            postal_code="69007",
            country="France",
            iso_country_code="FR",
        ),
    )


def order_request(
    lines: list[cxml.ItemIn],
    *,
    order_id: str = "PO-2026-000001",
    version: int | None = 1,
    kind: str = "new",
    identity: str = "ACME",
    secret: str | None = "acme-shared-secret",
    payload_id: str | None = None,
    address: cxml.Address | None = None,
    no_ship_to: bool = False,
    email: str = "buyer@acme.test",
    order_type: cxml.OrderType = cxml.OrderType.REGULAR,
    payment: cxml.PCard | None = None,
    extrinsics: tuple[cxml.Extrinsic, ...] = (),
) -> tuple[str, bytes]:
    """(payloadID, bytes) of an OrderRequest whose ItemOut lines copy the cart's ItemIn lines
    (header Extrinsics: ``UserEmail``, then ``extrinsics``)."""
    items = [
        cxml.ItemOut(
            quantity=line.quantity,
            item_id=cxml.ItemID(line.item_id.supplier_part_id, line.item_id.supplier_part_auxiliary_id),
            item_detail=cxml.ItemDetail(
                unit_price=line.item_detail.unit_price,
                descriptions=list(line.item_detail.descriptions),
                unit_of_measure=line.item_detail.unit_of_measure,
                classifications=list(line.item_detail.classifications),
            )
            if line.item_detail is not None
            else None,
            line_number=line.line_number,
        )
        for line in lines
    ]
    payload_id = payload_id or cxml.new_payload_id("buyer.example")
    document = cxml.CXML(
        message=cxml.OrderRequest(
            header=cxml.OrderRequestHeader(
                order_id=order_id,
                order_date=datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
                total=cxml.Money(
                    sum(
                        (i.quantity * i.item_detail.unit_price.amount for i in items if i.item_detail),
                        Decimal("0"),
                    ),
                    "EUR",
                ),
                type=cxml.OrderRequestType(kind),
                order_type=order_type,
                order_version=version,
                ship_to=address or ship_to(),
                bill_to=ship_to(),
                payment=payment,
                extrinsics=[cxml.Extrinsic("UserEmail", email), *extrinsics],
            ),
            items=items,
        ),
        payload_id=payload_id,
        timestamp=datetime.now(UTC).replace(microsecond=0),
        header=cxml.make_header(
            from_=[cxml.Credential("NetworkId", identity)],
            to=[cxml.Credential("NetworkId", "MARKETPLACE")],
            sender=[cxml.Credential("NetworkId", identity, secret)],
            user_agent="Buyer test 1.0",
        ),
    )
    body = cxml.build(document)
    if no_ship_to:  # the strict builder refuses to leave it out: a careless buyer system does
        body = re.sub(rb"<ShipTo>.*?</ShipTo>", b"", body, count=1, flags=re.DOTALL)
    return payload_id, body


def send(client, body: bytes) -> cxml.Status:
    response = client.post("/cxml/", body, content_type="text/xml")
    assert response.status_code == 200
    document = cxml.parse(response.content).document
    assert document.kind == "Response"
    return document.status


def with_line(lines: list[cxml.ItemIn], index: int, **changes) -> list[cxml.ItemIn]:
    """A copy of the cart lines with one line's quantity, ItemID or price changed (as a tampering buyer)."""
    import copy

    copied = copy.deepcopy(lines)
    line = copied[index]
    if "quantity" in changes:
        line.quantity = Decimal(changes["quantity"])
    if "supplier_part_id" in changes:
        line.item_id.supplier_part_id = changes["supplier_part_id"]
    if "aux" in changes:
        line.item_id.supplier_part_auxiliary_id = changes["aux"]
    if "price" in changes:
        line.item_detail.unit_price = cxml.Money(Decimal(changes["price"]), changes.get("currency", "EUR"))
    if "line_number" in changes:
        line.line_number = changes["line_number"]
    if "description" in changes:
        line.item_detail.descriptions = [cxml.Description("   ", lang="en")]
    return copied


GLOBEX = {"identity": "GLOBEX", "secret": "globex-shared-secret", "email": "buyer@globex.test"}


def globex_test_order(client, globex: Integration, url: str) -> Order:
    """Globex (in Test) has its documents sent to ``url`` and its procurement system sends a test
    order PO-T-9 of two lines (3 PK paper, 1 BX pens); its secret is kept for our documents."""
    OrderSettings.objects.create(integration=globex, buyer_cxml_url=url)
    cart = punch_out(
        client, [("B000PAPER1", 3), ("B000PENS01", 1)], url="https://globex.example/return", **GLOBEX
    )
    _payload, body = order_request(cart, order_id="PO-T-9", **GLOBEX)
    assert send(client, body).code == 200
    client.logout()
    return Order.objects.get(buyer_order_id="PO-T-9")


def place(client, items, **kwargs) -> Order:
    cart = punch_out(client, items)
    _payload, body = order_request(cart, **kwargs)
    assert send(client, body).code == 200
    return Order.objects.get(buyer_order_id=kwargs.get("order_id", "PO-2026-000001"))


HOOK = "https://srm.example/sap/bc/gui/sap/its/bbpsc02?sap-client=100"


def callup(integration: Integration, **extra: str) -> dict[str, str]:
    return {
        "USERNAME": integration.oci_username,
        "PASSWORD": "oci-pass-123",
        "HOOK_URL": HOOK,
        "~caller": "CTLG",
    } | extra


def status_update(
    reference: str | None,
    *,
    invoice_status: cxml.InvoiceStatus | None = None,
    document_status: cxml.DocumentStatus | None = None,
    secret: str = "acme-shared-secret",
    payload_id: str | None = None,
    note: str = "",
    extrinsics: list[cxml.Extrinsic] | None = None,
) -> bytes:
    """A buyer's StatusUpdateRequest as ACME's system sends it (its shared secret unless told)."""
    return cxml.build(
        cxml.CXML(
            message=cxml.StatusUpdateRequest(
                cxml.Status(200, "OK", note),
                reference,
                invoice_status,
                extrinsics=extrinsics or [],
                document_status=document_status,
            ),
            payload_id=payload_id or cxml.new_payload_id("buyer.example"),
            timestamp=datetime.now(UTC).replace(microsecond=0),
            header=cxml.make_header(
                from_=[cxml.Credential("NetworkId", "ACME")],
                to=[cxml.Credential("NetworkId", "MARKETPLACE")],
                sender=[cxml.Credential("NetworkId", "ACME", secret)],
                user_agent="Buyer test 1.0",
            ),
        )
    )


def disputed_rows(client) -> list[list[str]]:
    """The rows of the operators' "Invoices the buyer disputes" list, cell texts."""
    page = client.get("/fulfilment/").content.decode()
    table = page.split('id="disputed-invoices"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", table.split("<tbody>", 1)[1], re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.split(r"</td><td[^>]*>", row)] for row in rows
    ]
