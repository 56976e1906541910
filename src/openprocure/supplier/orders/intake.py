"""Order intake: THIS IS WHERE THE RULES ARE.

Every rule an OrderRequest goes through lives in this module, in the order it is applied. The
services (``orders.services``) call it and do the writes; nothing here writes.

1. **Who** — the From credential names a business's integration and the Sender's SharedSecret
   matches its hash (the same check, with the same functions, as the PunchOutSetupRequest), else
   ``AUTH_UNKNOWN_BUYER`` / ``AUTH_BAD_SECRET``. Test and Active integrations go through exactly
   the same rules; a Test order is only flagged.
2. **The envelope** (whole order, answered with a 4xx and nothing created) — an orderID
   (``ORDER_ID_MISSING``), at least one line (``NO_LINES``), a ShipTo with a postal address
   (``SHIP_TO_MISSING``), a positive whole quantity (``QUANTITY_MISSING``) and a product name
   (``PRODUCT_NAME_MISSING``) on every line, and terms we offer (``UNSUPPORTED_TERMS``: a regular
   order, no payment card — we charge the business's default payment method).
3. **Payment** — an Active business needs a default payment method (``NO_PAYMENT_METHOD``).
4. **Each line** is matched to the punched-out cart line by SupplierPartAuxiliaryID and checked
   against SupplierPartID; a cart line of another business refuses the whole order
   (``CART_LINE_OTHER_BUSINESS``). Then, in order, the first rule that fails gives the line its
   outcome: ``ITEM_UNKNOWN``, ``ITEM_IDENTITY_ALTERED``, ``CART_LINE_ALREADY_ORDERED``,
   ``NOT_FULFILLED_BY_US``, ``DELIVERY_TOO_LATE``, ``CURRENCY_MISMATCH``,
   ``PRICE_NOT_AS_CARTED`` (the cart is evidence: the line's unit price must be the price the cart
   line was returned at), ``PRICE_ABOVE_TOLERANCE`` (the line is re-priced from our catalog: our
   price may have risen since the cart by at most the business's tolerance), then availability by
   the business's quantity action (ship what is available and backorder the rest →
   ``BACKORDERED``; reject the line → ``QUANTITY_NOT_AVAILABLE``; reject the order →
   ``QUANTITY_REJECTS_ORDER``).
5. **Shipping** — one charge per marketplace seller with a line to ship; the sellers whose charge
   would take the order above the business's maximum get ``SHIPPING_ABOVE_MAX`` on their lines.
6. **Something must ship** — when every line is rejected the whole order is refused
   (``ALL_LINES_REJECTED``) with every line's reason.

The code catalogue (``orders.codes``) holds each code's meaning, message and next step.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Field, Model, Q
from django.utils.translation import gettext as _
from lxml import etree

from openprocure.core import rows
from openprocure.core.fields import PAYLOAD_ID_LENGTH
from openprocure.core.tunables import tunable
from openprocure.supplier.business.choices import QuantityAction
from openprocure.supplier.business.models import Integration, PaymentMethod, ShippingAddress
from openprocure.supplier.business.services import payment_method_valid
from openprocure.supplier.catalog.models import PriceTier, Product, Seller
from openprocure.supplier.catalog.pricing import in_minor_units
from openprocure.supplier.orders import codes
from openprocure.supplier.orders.choices import LineOutcome, OrderStatus
from openprocure.supplier.orders.models import Order, OrderLine
from openprocure.supplier.punchout import pricing
from openprocure.supplier.punchout.models import CartLine, PunchOutSession
from openprocure.supplier.punchout.services import authenticate_sender, shown_credentials
from punchout import cxml
from punchout.cxml.errors import CXMLError
from punchout.cxml.parser import parse_tree
from punchout.money import InvalidNumber, parse_decimal, quantize_unit_price

HEADER_PATH = "/cXML/Request/OrderRequest/OrderRequestHeader"


def _max_length(model: type[Model], name: str) -> int:
    column = model._meta.get_field(name)
    assert isinstance(column, Field) and column.max_length is not None, f"{name} is not a text column"
    return column.max_length


#: The longest orderID an order keeps (its ``buyer_order_id``).
BUYER_ORDER_ID_LENGTH = _max_length(Order, "buyer_order_id")
STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
}


class Rejection(CXMLError):
    """A whole-order refusal with its catalogue code; the message says what, where and what next."""

    def __init__(self, code: str, *, path: str | None = None, **params: Any) -> None:
        entry = codes.get(code)
        self.code = code
        params.setdefault("path", path or "")
        self.params = params
        status = entry.status or 400
        super().__init__(
            f"{code}: {entry.render(**params)}", path=path, status_code=status, text=STATUS_TEXT[status]
        )


def item_path(index: int) -> str:
    """The element path of the ``index``-th ItemOut (1-based, as XPath counts)."""
    return f"/cXML/Request/OrderRequest/ItemOut[{index}]"


# -- 1. who ----------------------------------------------------------------------------------------
def authenticate(document: cxml.CXML) -> tuple[Integration, str]:
    """The integration the order comes from and the secret it authenticated with, or a 401 Rejection.

    Uses the PunchOut setup's own look-up and constant-time check: an unknown identity costs the
    same time as a wrong secret.
    """
    header = document.require_header()
    integration, secret, secret_ok = authenticate_sender(header)
    if integration is None:
        shown = shown_credentials(header.from_)
        raise Rejection("AUTH_UNKNOWN_BUYER", path="/cXML/Header/From/Credential", credential=shown)
    if not secret_ok or secret is None:
        raise Rejection("AUTH_BAD_SECRET", path="/cXML/Header/Sender/Credential/SharedSecret")
    return integration, secret


# -- 2. the envelope -------------------------------------------------------------------------------
def whole_quantity(value: Decimal) -> int | None:
    """The quantity as a positive whole number within our ceiling, or None."""
    if value != value.to_integral_value() or value <= 0 or value > tunable("PUNCHOUT_MAX_LINE_QUANTITY"):
        return None
    return int(value)


def overlong(payload_id: str, order_id: str) -> Rejection | None:
    """The refusal of a payloadID or an orderID longer than its column (None when both fit): kept
    whole or not at all, as a payloadID cut short could be taken for another document's."""
    for what, path, value, limit in (
        ("payloadID", "/cXML/@payloadID", payload_id, PAYLOAD_ID_LENGTH),
        ("orderID", f"{HEADER_PATH}/@orderID", order_id, BUYER_ORDER_ID_LENGTH),
    ):
        if len(value) > limit:
            return Rejection("VALUE_TOO_LONG", path=path, what=what, length=len(value), limit=limit)
    return None


def check_envelope(request: cxml.OrderRequest, *, currency: str) -> None:
    """Whole-order rules that need no database (order id, lines, ShipTo, quantities, names, terms)."""
    header = request.header
    if not (header.order_id or "").strip():
        raise Rejection("ORDER_ID_MISSING", path=f"{HEADER_PATH}/@orderID")
    if header.type == cxml.OrderRequestType.DELETE:
        return
    if not request.items:
        raise Rejection("NO_LINES", path="/cXML/Request/OrderRequest/ItemOut")
    postal = header.ship_to.postal_address if header.ship_to else None
    if postal is None or not (postal.street and (postal.city or "").strip()):
        raise Rejection("SHIP_TO_MISSING", path=f"{HEADER_PATH}/ShipTo")
    if header.order_type != cxml.OrderType.REGULAR:
        raise Rejection(
            "UNSUPPORTED_TERMS",
            path=f"{HEADER_PATH}/@orderType",
            what=f'orderType="{header.order_type}"',
            currency=currency,
        )
    if header.payment is not None:
        raise Rejection(
            "UNSUPPORTED_TERMS", path=f"{HEADER_PATH}/Payment", what="a payment card", currency=currency
        )
    for index, item in enumerate(request.items, start=1):
        number = item.line_number or index
        if whole_quantity(item.quantity) is None:
            raise Rejection(
                "QUANTITY_MISSING",
                path=f"{item_path(index)}/@quantity",
                line=number,
                quantity=item.quantity,
            )
        description = item.item_detail.description if item.item_detail else None
        if description is None or not description.text.strip():
            raise Rejection(
                "PRODUCT_NAME_MISSING", path=f"{item_path(index)}/ItemDetail/Description", line=number
            )


def coded_parse_error(error: CXMLError, raw: bytes) -> Rejection | None:
    """The parser's refusal of an OrderRequest as our coded refusal, where one fits.

    The lenient parser cannot build an ItemOut without a usable ``@quantity`` (absent, empty or not
    a number) and refuses the whole document before intake sees it; that is our
    ``QUANTITY_MISSING``, with the line and the attribute's path. Other parse errors keep the
    parser's answer (None).
    """
    path = error.path or ""
    if not path.startswith("/cXML/Request/OrderRequest/ItemOut"):
        return None
    try:
        found = parse_tree(raw, max_bytes=settings.CXML_MAX_BYTES).xpath(path)
    except (CXMLError, ValueError):
        return None
    item = found[0] if isinstance(found, list) and found else None
    if not isinstance(item, etree._Element) or item.tag != "ItemOut":
        return None
    quantity = item.get("quantity")
    if quantity is not None and quantity.strip():
        with suppress(InvalidNumber):
            parse_decimal(quantity)
            return None  # the quantity is fine: the parser refused something else
    index = 1 + sum(1 for sibling in item.itersiblings(preceding=True) if sibling.tag == "ItemOut")
    line = (item.get("lineNumber") or "").strip()
    return Rejection(
        "QUANTITY_MISSING",
        path=f"{item_path(index)}/@quantity",
        line=line if line.isdigit() else index,
        quantity=_("missing") if quantity is None else f'"{quantity}"',
    )


# -- 3. payment ------------------------------------------------------------------------------------
def payment_method_for(integration: Integration) -> int | None:
    """The id of the business's default payment method; an Active business without a valid one (none,
    or a card that has expired) is refused."""
    sql = f"SELECT id, kind, card_expiry FROM {table(PaymentMethod)} WHERE business_id = %s AND is_default = %s ORDER BY id LIMIT 1"  # noqa: S608 - quoted names only
    with connection.cursor() as cursor:
        cursor.execute(sql, [integration.business_id, True])
        row = cursor.fetchone()
    method_id = None
    if row is not None and payment_method_valid(PaymentMethod(kind=row[1], card_expiry=row[2])):
        method_id = int(row[0])
    if method_id is None and not integration.is_test:
        raise Rejection("NO_PAYMENT_METHOD", business=integration.business.name)
    return method_id


# -- 4-6. the lines --------------------------------------------------------------------------------
# The reads below run on every order: they are plain SQL (quoted table names and placeholders
# only, the same on SQLite and PostgreSQL) because compiling the equivalent ORM queries costs
# several times more than running them.
def table(model: type[Model]) -> str:
    """The quoted table name of a model, for plain SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def partial(model: type[Model], values: dict[str, Any]) -> Any:
    """An instance loaded with some fields only (``values`` by attribute name; the rest deferred)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def cart_lines_for(aux_ids: list[str]) -> dict[str, CartLine]:
    """The cart lines with these SupplierPartAuxiliaryIDs, each with its product (catalog data and
    stock), the product's seller and the PunchOut session: one query."""
    if not aux_ids:
        return {}
    sql = (
        "SELECT p.*, c.id AS cart_line_pk, c.business_id AS cart_business_id, c.session_id AS cart_session_id, "  # noqa: S608 - quoted names only
        "c.auxiliary_id AS cart_auxiliary_id, c.unit_price AS cart_unit_price, c.currency AS cart_currency, "
        "s.name AS seller_name, x.email AS session_email, "
        "x.user_id AS session_user_id "
        f"FROM {table(CartLine)} c JOIN {table(Product)} p ON p.id = c.product_id "
        f"JOIN {table(Seller)} s ON s.id = p.seller_id JOIN {table(PunchOutSession)} x ON x.id = c.session_id "
        f"WHERE c.auxiliary_id IN ({placeholders(aux_ids)})"
    )
    found = {}
    for product in rows.select(Product, sql, aux_ids):
        row: Any = product  # the joined columns are set on the product as extra attributes
        product.seller = partial(Seller, {"id": product.seller_id, "name": row.seller_name})
        line = partial(
            CartLine,
            {
                "id": row.cart_line_pk,
                "business_id": row.cart_business_id,
                "session_id": row.cart_session_id,
                "product_id": product.pk,
                "auxiliary_id": row.cart_auxiliary_id,
                # SQLite may hand back a float for a decimal column: read it exactly through str.
                "unit_price": Decimal(str(row.cart_unit_price)),
                "currency": row.cart_currency,
            },
        )
        line.product = product
        line.session = partial(
            PunchOutSession,
            {"id": row.cart_session_id, "email": row.session_email, "user_id": row.session_user_id},
        )
        found[line.auxiliary_id] = line
    return found


def ordered_cart_lines(cart_line_ids: list[int], *, except_order_id: int | None = None) -> dict[int, str]:
    """Of these cart lines, those a current accepted or backordered line of an order that is not
    cancelled already orders (other than ``except_order_id``), with that order's number."""
    if not cart_line_ids:
        return {}
    sql = (
        f"SELECT l.cart_line_id, o.number FROM {table(OrderLine)} l JOIN {table(Order)} o ON o.id = l.order_id "  # noqa: S608 - quoted names only
        f"WHERE l.cart_line_id IN ({placeholders(cart_line_ids)}) AND l.is_current = %s "
        "AND l.outcome IN (%s, %s) AND o.status <> %s"
    )
    params: list[Any] = [
        *cart_line_ids,
        True,
        LineOutcome.ACCEPTED,
        LineOutcome.BACKORDERED,
        OrderStatus.CANCELLED,
    ]
    if except_order_id is not None:
        sql += " AND l.order_id <> %s"
        params.append(except_order_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(cart_line_id): str(number) for cart_line_id, number in cursor.fetchall()}


def price_tiers_for(product_ids: list[int]) -> dict[int, list[PriceTier]]:
    """The quantity price tiers of these products, by product."""
    tiers: dict[int, list[PriceTier]] = {}
    if product_ids:
        sql = f"SELECT * FROM {table(PriceTier)} WHERE product_id IN ({placeholders(product_ids)})"  # noqa: S608 - quoted names only
        for tier in rows.select(PriceTier, sql, product_ids):
            tiers.setdefault(tier.product_id, []).append(tier)
    return tiers


@dataclass
class LineDecision:
    """What intake decided for one ItemOut."""

    index: int
    line_number: int
    item: cxml.ItemOut
    quantity: int
    cart_line: CartLine | None = None
    product: Product | None = None
    unit_price: Decimal = Decimal("0")
    buyer_unit_price: Decimal | None = None
    currency: str = ""  # the product's; ORDERS_DEFAULT_CURRENCY until a cart line says
    accepted: int = 0
    backordered: int = 0
    rejected: int = 0
    shipping: Decimal = Decimal("0")
    outcome: str = LineOutcome.REJECTED
    code: str = ""
    reason: str = ""

    def reject(self, code: str, **params: Any) -> None:
        self.outcome, self.code = LineOutcome.REJECTED, code
        self.accepted = self.backordered = 0
        self.rejected = self.quantity
        self.reason = codes.get(code).render(**params)

    @property
    def decided(self) -> bool:
        return bool(self.code)

    @property
    def ships(self) -> bool:
        return self.outcome in (LineOutcome.ACCEPTED, LineOutcome.BACKORDERED)

    @property
    def path(self) -> str:
        return item_path(self.index)


@dataclass
class Evaluation:
    """The decision on every line of an order, with who ordered and where it goes."""

    lines: list[LineDecision]
    currency: str
    user_id: int | None
    email: str
    shipping_address: ShippingAddress | None
    notes: list[str] = field(default_factory=list)


def price_for(product: Product, quantity: int, tiers: list[PriceTier]) -> Decimal:
    """Our business unit price for ``quantity`` (the business price or a lower quantity tier)."""
    price = Decimal(product.business_price)
    for tier in tiers:
        if tier.min_quantity <= quantity and Decimal(tier.unit_price) < price:
            price = Decimal(tier.unit_price)
    return in_minor_units(price, product.currency)


def buyer_unit_price(item: cxml.ItemOut) -> tuple[Decimal | None, str | None]:
    """The buyer's price per unit (PriceBasisQuantity applied) and its currency."""
    detail = item.item_detail
    if detail is None or detail.unit_price is None:
        return None, None
    amount = detail.unit_price.amount
    basis = detail.price_basis_quantity
    if basis is not None and basis.quantity:
        amount = amount * basis.conversion_factor / basis.quantity
    return amount, detail.unit_price.currency


def evaluate(
    *, request: cxml.OrderRequest, integration: Integration, replacing: Order | None = None
) -> Evaluation:
    """Decide every line (rules 4 to 6). Raises :class:`Rejection` for a whole-order refusal."""
    items = request.items
    aux_ids = [i.item_id.supplier_part_auxiliary_id for i in items if i.item_id.supplier_part_auxiliary_id]
    cart_lines = cart_lines_for(aux_ids)
    default_currency = tunable("ORDERS_DEFAULT_CURRENCY")
    decisions = [
        LineDecision(
            index=index,
            line_number=item.line_number or index,
            item=item,
            quantity=whole_quantity(item.quantity) or 0,
            currency=default_currency,
        )
        for index, item in enumerate(items, start=1)
    ]
    # Rule 4a: the cart line exists, belongs to this business and names the same product.
    for decision in decisions:
        aux = decision.item.item_id.supplier_part_auxiliary_id or ""
        cart_line = cart_lines.get(aux)
        if cart_line is None:
            decision.reject("ITEM_UNKNOWN", aux=aux or "(none)", path=f"{decision.path}/ItemID")
            continue
        if cart_line.business_id != integration.business_id:
            raise Rejection(
                "CART_LINE_OTHER_BUSINESS",
                path=f"{decision.path}/ItemID/SupplierPartAuxiliaryID",
                line=decision.line_number,
            )
        decision.cart_line, decision.product = cart_line, cart_line.product
        decision.currency = cart_line.product.currency
        sent = decision.item.item_id.supplier_part_id
        if sent != cart_line.product.asin:
            decision.reject(
                "ITEM_IDENTITY_ALTERED",
                sent=sent,
                expected=cart_line.product.asin,
                path=f"{decision.path}/ItemID/SupplierPartID",
            )
    matched = [d for d in decisions if d.cart_line is not None and not d.decided]
    # Rule 4b: a cart line is ordered once (an update of the same order may reuse its own lines).
    ordered = ordered_cart_lines(
        [d.cart_line.pk for d in matched if d.cart_line],
        except_order_id=replacing.pk if replacing is not None else None,
    )
    seen_cart_lines: set[int] = set()
    tiers = price_tiers_for(sorted({d.product.pk for d in matched if d.product}))
    tolerance = Decimal(integration.unit_price_tolerance_percent)
    allocated: dict[int, int] = {}
    for decision in matched:
        assert decision.cart_line is not None and decision.product is not None
        product = decision.product
        if decision.cart_line.pk in ordered or decision.cart_line.pk in seen_cart_lines:
            decision.reject("CART_LINE_ALREADY_ORDERED", number=ordered.get(decision.cart_line.pk, "-"))
            continue
        seen_cart_lines.add(decision.cart_line.pk)
        if integration.fulfilled_by_us_only and not product.fulfilled_by_us:
            decision.reject("NOT_FULFILLED_BY_US", asin=product.asin, seller=product.seller.name)
            continue
        maximum_days = integration.max_delivery_days
        if maximum_days is not None and product.delivery_days > maximum_days:
            decision.reject("DELIVERY_TOO_LATE", days=product.delivery_days, maximum=maximum_days)
            continue
        sent_price, sent_currency = buyer_unit_price(decision.item)
        decision.buyer_unit_price = sent_price
        price_path = f"{decision.path}/ItemDetail/UnitPrice/Money"
        if sent_currency is not None and sent_currency.upper() != product.currency:
            decision.reject(
                "CURRENCY_MISMATCH", sent=sent_currency, expected=product.currency, path=price_path
            )
            continue
        carted = Decimal(decision.cart_line.unit_price)
        if sent_price is not None and quantize_unit_price(
            sent_price, product.currency
        ) != quantize_unit_price(carted, product.currency):
            decision.reject(
                "PRICE_NOT_AS_CARTED",
                sent=f"{sent_price} {product.currency}",
                # normalize(): the same figure whether the database gave 5.2 or 5.2000.
                carted=f"{quantize_unit_price(carted.normalize(), product.currency)} {product.currency}",
                path=price_path,
            )
            continue
        ours = price_for(product, decision.quantity, tiers.get(product.pk, []))
        decision.unit_price = ours
        ceiling = None if sent_price is None else sent_price * (1 + tolerance / 100)
        if ceiling is None or ours > ceiling:
            decision.reject(
                "PRICE_ABOVE_TOLERANCE",
                ours=f"{ours} {product.currency}",
                sent=f"{sent_price} {product.currency}" if sent_price is not None else "no UnitPrice",
                tolerance=format(tolerance.normalize(), "f"),
                path=price_path,
            )
            continue
        available = max(0, product.stock - allocated.get(product.pk, 0))
        if available >= decision.quantity:
            decision.outcome, decision.code = LineOutcome.ACCEPTED, "ACCEPTED"
            decision.accepted = decision.quantity
            decision.reason = codes.get("ACCEPTED").render(
                quantity=decision.quantity, price=f"{ours} {product.currency}"
            )
        elif integration.quantity_action == QuantityAction.REJECT_ORDER:
            raise Rejection(
                "QUANTITY_REJECTS_ORDER",
                path=f"{decision.path}/@quantity",
                line=decision.line_number,
                available=available,
                quantity=decision.quantity,
            )
        elif integration.quantity_action == QuantityAction.REJECT_LINE:
            decision.reject("QUANTITY_NOT_AVAILABLE", available=available, quantity=decision.quantity)
            continue
        else:
            decision.outcome, decision.code = LineOutcome.BACKORDERED, "BACKORDERED"
            decision.accepted, decision.backordered = available, decision.quantity - available
            decision.reason = codes.get("BACKORDERED").render(
                available=available, quantity=decision.quantity, backordered=decision.backordered
            )
        allocated[product.pk] = allocated.get(product.pk, 0) + decision.accepted
    # Rule 5: shipping, once per marketplace seller with a line to ship, within the maximum.
    maximum = integration.max_shipping_price
    total_shipping = Decimal("0")
    by_seller: dict[int, list[LineDecision]] = {}
    for decision in decisions:
        if decision.ships and decision.product is not None and not decision.product.fulfilled_by_us:
            by_seller.setdefault(decision.product.seller_id, []).append(decision)
    for seller_lines in by_seller.values():
        charge = pricing.shipping_per_seller(seller_lines[0].currency)
        if maximum is not None and total_shipping + charge > Decimal(maximum):
            seller = seller_lines[0].product.seller.name if seller_lines[0].product else ""
            for decision in seller_lines:
                decision.reject(
                    "SHIPPING_ABOVE_MAX",
                    seller=seller,
                    shipping=f"{charge} {decision.currency}",
                    maximum=f"{Decimal(maximum)} {decision.currency}",
                )
            continue
        total_shipping += charge
        seller_lines[0].shipping = charge
    # Rule 6: something must ship.
    if not any(d.ships for d in decisions):
        reasons = "; ".join(f"line {d.line_number}: {d.code} — {d.reason}" for d in decisions)
        raise Rejection("ALL_LINES_REJECTED", path="/cXML/Request/OrderRequest/ItemOut", reasons=reasons)
    currency = next((d.currency for d in decisions if d.ships), default_currency)
    session = next((d.cart_line.session for d in decisions if d.cart_line is not None), None)
    email = (session.email if session else "") or request_email(request)
    return Evaluation(
        lines=decisions,
        currency=currency,
        user_id=session.user_id if session else None,
        email=email,
        shipping_address=match_address(integration, request.header.ship_to),
    )


def request_email(request: cxml.OrderRequest) -> str:
    """The e-mail address the buyer's system names for the person who ordered (``UserEmail``)."""
    return (cxml.get_extrinsic(request.header.extrinsics, "UserEmail", "Email") or "").strip().lower()


_DATABASE_ID = re.compile(r"[0-9]{1,18}")


def match_address(integration: Integration, ship_to: cxml.Address | None) -> ShippingAddress | None:
    """The business's shipping address the ShipTo names (by addressID, or postal code and street)."""
    if ship_to is None:
        return None
    addresses = ShippingAddress.objects.filter(business_id=integration.business_id)
    address_id = (ship_to.address_id or "").strip()
    if address_id:
        # Our address's id only when it can be one (ASCII digits within a database integer): any
        # other addressID ("²", 5,000 digits…) is a name to look for, never a fault.
        as_id = int(address_id) if _DATABASE_ID.fullmatch(address_id) else 0
        found = addresses.filter(Q(name__iexact=address_id[:200]) | Q(pk=as_id))
        if found:
            return found[0]
    postal = ship_to.postal_address
    if postal is None or not postal.street:
        return None
    street = postal.street[0].strip().casefold()
    sql = f"SELECT * FROM {table(ShippingAddress)} WHERE business_id = %s AND postal_code = %s ORDER BY name, id"  # noqa: S608 - quoted names only
    params = [integration.business_id, (postal.postal_code or "").strip()]
    for address in rows.select(ShippingAddress, sql, params):
        if address.street.strip().casefold() == street:
            return address
    return None
