"""``{{ amount|money:currency }}``: an amount written with exactly its currency's decimals;
``{{ price|unit_price:currency }}``: a unit price (``0.0125``, ``12.50``); ``{{ rate|rate }}``: a percentage
as written (``20``, ``5.5``).

Amounts are stored with three decimals (a KWD amount needs them); a page shows 12.50 EUR, 1250 JPY
and 1.250 KWD, rounded as ``punchout.money.quantize_money`` rounds.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from punchout import amounts
from punchout.money import quantize_money, quantize_unit_price

register = template.Library()


@register.filter
def money(value: Any, currency: Any) -> str:
    """``value`` in the minor unit of ``currency`` (empty for no value)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    return format(quantize_money(amount, str(currency or "")), "f")


@register.filter
def rate(value: Any) -> str:
    """A percentage as written: ``20``, ``5.5`` (empty for no value)."""
    if value is None or value == "":
        return ""
    try:
        return amounts.rate_text(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


@register.filter
def unit_price(value: Any, currency: Any) -> str:
    """A unit price: the currency's decimals, more only when the price has them (up to four)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    return format(quantize_unit_price(amount.normalize(), str(currency or "")), "f")
