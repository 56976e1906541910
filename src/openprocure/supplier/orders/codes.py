"""The order code catalogue: every outcome of an OrderRequest, in ONE table.

Each code says what happened (meaning), what the partner or person reads (message, with the
details of this order filled in) and what to do next. A whole-order code (``scope="order"``)
carries the cXML Status sent back synchronously; a line code (``scope="line"``) is the outcome of
one line, sent in the ConfirmationRequest and the confirmation e-mail. The same table is rendered
as the help page ``/help/order-codes/``, so people and partners read exactly what the code does.

Malformed cXML and attributes the parser cannot read (a missing ``@quantity``…) are refused by the
shared endpoint before any order rule runs: its 400 Status names the element path (``CXML_INVALID``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ORDER = "order"
LINE = "line"


@dataclass(frozen=True)
class OrderCode:
    """One entry of the catalogue."""

    code: str
    scope: str  # ORDER: the whole order; LINE: one line
    status: int | None  # cXML Status of a whole-order answer; None for line codes
    meaning: Promise
    message: Promise  # %-format with the details of the case
    next_step: Promise

    def render(self, **params: Any) -> str:
        """The message with this case's details filled in, followed by the next step."""
        text = str(self.message) % params if params else str(self.message)
        next_step = (
            str(self.next_step) % params if params and "%(" in str(self.next_step) else str(self.next_step)
        )
        return f"{text} {next_step}"


CODES: list[OrderCode] = [
    # -- whole order, answered synchronously with a 4xx cXML Status; nothing is created ---------
    OrderCode(
        "CXML_INVALID",
        ORDER,
        400,
        _("The document is not well-formed cXML or a required attribute cannot be read."),
        _("The endpoint could not read the document: see the element path in the Status."),
        _("Fix the document and send it again with a new payloadID."),
    ),
    OrderCode(
        "AUTH_UNKNOWN_BUYER",
        ORDER,
        401,
        _("No business account has the From credential of the order."),
        _("No PunchOut account is registered for the From credential (%(credential)s) at /cXML/Header/From."),
        _("Check the identity and domain with the supplier's integration page."),
    ),
    OrderCode(
        "AUTH_BAD_SECRET",
        ORDER,
        401,
        _("The SharedSecret does not match the one issued to the business."),
        _(
            "The SharedSecret at /cXML/Header/Sender/Credential/SharedSecret does not match the one issued for this account."
        ),
        _("Copy the shared secret again from the supplier's integration page."),
    ),
    OrderCode(
        "ORDER_ID_MISSING",
        ORDER,
        400,
        _("The order has no orderID (the buyer's PO number)."),
        _("The order has no orderID at /cXML/Request/OrderRequest/OrderRequestHeader/@orderID."),
        _("Send the purchase order number as orderID."),
    ),
    OrderCode(
        "VALUE_TOO_LONG",
        ORDER,
        400,
        _("The payloadID or the orderID is longer than we keep."),
        _("The %(what)s at %(path)s has %(length)s characters; at most %(limit)s are accepted."),
        _("Send a shorter one."),
    ),
    OrderCode(
        "NO_LINES",
        ORDER,
        400,
        _("The order has no ItemOut line."),
        _("The order has no line at /cXML/Request/OrderRequest/ItemOut."),
        _("Send at least one ItemOut from the PunchOut cart."),
    ),
    OrderCode(
        "SHIP_TO_MISSING",
        ORDER,
        400,
        _("The order does not say where to deliver."),
        _("The order has no delivery address at /cXML/Request/OrderRequest/OrderRequestHeader/ShipTo."),
        _(
            "Add ShipTo/Address with a PostalAddress (street, city, postal code, country) and send the order again."
        ),
    ),
    OrderCode(
        "QUANTITY_MISSING",
        ORDER,
        400,
        _("A line has no usable quantity (missing, zero, negative or fractional)."),
        _("Line %(line)s has no usable quantity (%(quantity)s) at %(path)s."),
        _("Send a positive whole quantity for every line."),
    ),
    OrderCode(
        "PRODUCT_NAME_MISSING",
        ORDER,
        400,
        _("A line has no product name (ItemDetail/Description)."),
        _("Line %(line)s has no product name at %(path)s."),
        _("Send the line's ItemDetail with the Description received in the PunchOut cart."),
    ),
    OrderCode(
        "UNSUPPORTED_TERMS",
        ORDER,
        400,
        _("The order asks for terms we do not offer (order type, payment card, currency)."),
        _("We cannot accept %(what)s at %(path)s."),
        _(
            "Send a regular order in %(currency)s without Payment: we charge the business's default payment method."
        ),
    ),
    OrderCode(
        "CART_LINE_OTHER_BUSINESS",
        ORDER,
        403,
        _("A line names a cart line that was punched out by another business."),
        _(
            "Line %(line)s names a cart line (SupplierPartAuxiliaryID at %(path)s) that belongs to another business account."
        ),
        _(
            "Order only from carts punched out with your own account; contact the supplier if this is unexpected."
        ),
    ),
    OrderCode(
        "NO_PAYMENT_METHOD",
        ORDER,
        402,
        _("The business is Active but has no valid default payment method to charge."),
        _(
            "%(business)s has no valid default payment method (none, or its card has expired), so the order cannot be charged."
        ),
        _(
            "The business administrator must add a payment method (a card or invoice terms) on the Manage your business page; then send the order again."
        ),
    ),
    OrderCode(
        "QUANTITY_REJECTS_ORDER",
        ORDER,
        409,
        _("A quantity is not available and the business's setting rejects the whole order."),
        _(
            "Line %(line)s: only %(available)s of %(quantity)s are available, and this account rejects an order when a quantity is short (%(path)s)."
        ),
        _("Lower the quantity or ask the supplier to change the quantity setting, then send a new order."),
    ),
    OrderCode(
        "ALL_LINES_REJECTED",
        ORDER,
        409,
        _("Every line of the order was rejected, so nothing would ship."),
        _("No line can be accepted: %(reasons)s"),
        _("Punch out again to rebuild the cart, then send a new order."),
    ),
    OrderCode(
        "ORDER_EXISTS",
        ORDER,
        409,
        _("A new order reuses the orderID of an order we already hold (another version)."),
        _("Order %(order_id)s already exists here as our order %(number)s (version %(version)s)."),
        _('To change it send type="update" (when allowed), or cancel it with type="delete".'),
    ),
    OrderCode(
        "ORDER_UNKNOWN",
        ORDER,
        404,
        _("An update or cancellation names an order we do not hold."),
        _(
            "No order %(order_id)s is known for this account (/cXML/Request/OrderRequest/OrderRequestHeader/@orderID)."
        ),
        _('Check the orderID; a new order is sent with type="new".'),
    ),
    OrderCode(
        "UPDATES_NOT_ALLOWED",
        ORDER,
        409,
        _("The business does not allow order updates."),
        _("Order %(order_id)s cannot be updated: this account does not accept order changes."),
        _("Cancel and place a new order."),
    ),
    OrderCode(
        "ALREADY_SHIPPED",
        ORDER,
        409,
        _("An update or cancellation arrived after part of the order shipped."),
        _("Order %(order_id)s (our %(number)s) has already shipped, in whole or in part: %(lines)s."),
        _("Refuse the delivery when it arrives, or ask for a return on the order's page in Your account."),
    ),
    OrderCode(
        "ORDER_CLOSED",
        ORDER,
        409,
        _("An update or cancellation names an order that is already cancelled."),
        _("Order %(order_id)s (our %(number)s) is already cancelled."),
        _("Place a new order if the goods are still needed."),
    ),
    OrderCode(
        "VERSION_STALE",
        ORDER,
        409,
        _("An update carries an orderVersion not newer than the one we hold."),
        _("Order %(order_id)s is at version %(current)s here; this update says version %(version)s."),
        _("Send the update with a higher orderVersion."),
    ),
    # -- one line, reported in the ConfirmationRequest and the e-mail --------------------------------
    OrderCode(
        "ACCEPTED",
        LINE,
        None,
        _("The line will ship as ordered."),
        _("Accepted: %(quantity)s at %(price)s each."),
        _("Nothing to do."),
    ),
    OrderCode(
        "BACKORDERED",
        LINE,
        None,
        _("Part or all of the quantity is not in stock; it ships when it arrives."),
        _("%(available)s of %(quantity)s ship now; %(backordered)s are backordered."),
        _("Nothing to do: the rest ships when it is back in stock (or cancel the order)."),
    ),
    OrderCode(
        "ITEM_UNKNOWN",
        LINE,
        None,
        _("The line does not name a line of a punched-out cart."),
        _("SupplierPartAuxiliaryID %(aux)s at %(path)s is not a cart line of ours."),
        _("Order only lines returned by a PunchOut cart, with their SupplierPartAuxiliaryID unchanged."),
    ),
    OrderCode(
        "ITEM_IDENTITY_ALTERED",
        LINE,
        None,
        _("The line's SupplierPartID is not the product of its cart line."),
        _("SupplierPartID %(sent)s at %(path)s differs from the cart line's product %(expected)s."),
        _("Send SupplierPartID and SupplierPartAuxiliaryID exactly as returned in the cart."),
    ),
    OrderCode(
        "CART_LINE_ALREADY_ORDERED",
        LINE,
        None,
        _("The cart line is already part of another order."),
        _("This cart line was already ordered in order %(number)s."),
        _("Punch out again for a new cart if you need the item again."),
    ),
    OrderCode(
        "PRICE_NOT_AS_CARTED",
        LINE,
        None,
        _("The line's unit price is not the price its cart line was returned at."),
        _("The order says %(sent)s per unit; the cart returned this line at %(carted)s (%(path)s)."),
        _("Order cart lines at the price the cart returned, or punch out again if the line must change."),
    ),
    OrderCode(
        "PRICE_ABOVE_TOLERANCE",
        LINE,
        None,
        _("Our current price is above the carted price by more than the business's tolerance."),
        _("Our price is %(ours)s; the order says %(sent)s, beyond the %(tolerance)s%% tolerance (%(path)s)."),
        _("Punch out again to get the current price, then order the line again."),
    ),
    OrderCode(
        "CURRENCY_MISMATCH",
        LINE,
        None,
        _("The line's currency is not the product's currency."),
        _("The line is priced in %(sent)s; this product is sold in %(expected)s (%(path)s)."),
        _("Order the line in the currency of the PunchOut cart."),
    ),
    OrderCode(
        "QUANTITY_NOT_AVAILABLE",
        LINE,
        None,
        _("The quantity is not available and the business's setting rejects the line."),
        _("Only %(available)s of %(quantity)s are available."),
        _("Order the available quantity in a new order, or ask the supplier to ship what is available."),
    ),
    OrderCode(
        "SHIPPING_ABOVE_MAX",
        LINE,
        None,
        _("The line's shipping charge would take the order above the business's maximum shipping price."),
        _("Shipping from %(seller)s (%(shipping)s) would exceed the maximum of %(maximum)s."),
        _("Choose an item fulfilled by us, or ask the supplier to raise the maximum shipping price."),
    ),
    OrderCode(
        "DELIVERY_TOO_LATE",
        LINE,
        None,
        _("The product's delivery time is longer than the business's maximum."),
        _("Delivery takes %(days)s days; this account accepts at most %(maximum)s."),
        _("Choose a product that arrives sooner, or ask the supplier to change the maximum delivery time."),
    ),
    OrderCode(
        "NOT_FULFILLED_BY_US",
        LINE,
        None,
        _(
            "The product is shipped by a marketplace seller, and the business buys only items fulfilled by us."
        ),
        _("%(asin)s is fulfilled by %(seller)s."),
        _("Choose an item fulfilled by us."),
    ),
    OrderCode(
        "LINE_CANCELLED",
        LINE,
        None,
        _("The line was cancelled by a cancellation or an update of the order."),
        _("Cancelled by the buyer's %(kind)s request."),
        _("Nothing to do."),
    ),
    OrderCode(
        "LINE_CANCELLED_BY_US",
        LINE,
        None,
        _("The line was cancelled by the supplier before it shipped."),
        _("Cancelled by the supplier before shipment: nothing will ship or be charged."),
        _("Order the goods again if they are still needed."),
    ),
]

BY_CODE: dict[str, OrderCode] = {entry.code: entry for entry in CODES}


def get(code: str) -> OrderCode:
    """The catalogue entry of ``code`` (a KeyError is a programming error: every code is listed)."""
    return BY_CODE[code]
