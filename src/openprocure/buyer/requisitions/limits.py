"""The largest quantity, price and amount a requisition line may carry, and the check every intake uses.

The columns hold 18 digits (quantities and prices with 4 decimals, amounts with 2), and a value too
large for its column makes every page that reads it fail. So each value has a domain maximum well
inside what the columns hold, such that the line amount and a requisition total of many lines still
fit: quantity below one thousand million, unit price below ten thousand million, line amount and
requisition total below one million million. The free-text form, the API, the PunchOut cart intake
(cXML and OCI) and the requisition services all ask :func:`line_problem` before anything is stored.

A cart line whose quantity or price is zero or negative is refused too: a supplier that sends credit
lines (a rebate as a negative-price line) must be allowed to by its connection ("allows credit
lines"); the quantity is never zero or negative.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from punchout.amounts import line_amount

MAX_QUANTITY = Decimal("999999999")
MAX_UNIT_PRICE = Decimal("9999999999")
MAX_AMOUNT = Decimal("999999999999.99")
MIN_PRICE_BASIS = Decimal("0.0001")


def line_problem(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    currency: str,
    price_basis_quantity: Decimal = Decimal(1),
    credit_allowed: bool = False,
    label: str = "",
) -> str:
    """Why a line with these values cannot be stored (empty when it can). ``label`` names the line."""
    prefix = f"{label}: " if label else ""
    try:
        quantity, unit_price = Decimal(quantity), Decimal(unit_price)
        basis = Decimal(price_basis_quantity)
        finite = quantity.is_finite() and unit_price.is_finite() and basis.is_finite()
    except (InvalidOperation, TypeError, ValueError):
        finite = False
    if not finite:
        return prefix + _("the quantity and the price must be numbers.")
    if quantity <= 0:
        return prefix + _("the quantity must be greater than zero (it is %(quantity)s).") % {
            "quantity": quantity
        }
    if quantity > MAX_QUANTITY:
        return prefix + _("the quantity %(quantity)s is more than the largest allowed, %(max)s.") % {
            "quantity": quantity,
            "max": MAX_QUANTITY,
        }
    if unit_price <= 0 and not credit_allowed:
        return prefix + _(
            "the unit price must be greater than zero (it is %(price)s); credit lines are accepted only "
            "from suppliers whose connection allows them."
        ) % {"price": unit_price}
    if abs(unit_price) > MAX_UNIT_PRICE:
        return prefix + _("the unit price %(price)s is more than the largest allowed, %(max)s.") % {
            "price": unit_price,
            "max": MAX_UNIT_PRICE,
        }
    if basis < MIN_PRICE_BASIS or basis > MAX_QUANTITY:
        return prefix + _("the price basis quantity %(basis)s is outside %(min)s to %(max)s.") % {
            "basis": basis,
            "min": MIN_PRICE_BASIS,
            "max": MAX_QUANTITY,
        }
    try:
        amount = line_amount(Decimal(quantity), Decimal(unit_price), currency or "EUR", Decimal(basis))
    except InvalidOperation:
        amount = MAX_AMOUNT * 10
    if abs(amount) > MAX_AMOUNT:
        return prefix + _("the line amount is more than the largest allowed, %(max)s.") % {"max": MAX_AMOUNT}
    return ""


def total_problem(total: Decimal) -> str:
    """Why a requisition with this total cannot be stored (empty when it can)."""
    if abs(total) > MAX_AMOUNT:
        return _("The requisition total would be more than the largest allowed, %(max)s.") % {
            "max": MAX_AMOUNT
        }
    return ""
