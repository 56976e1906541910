"""``{{ amount|money:currency }}``: an amount with its currency, written for the reader's language;
``{{ price|unit_price:currency }}``: a unit price (up to four decimals); ``{{ rate|rate }}``: a percentage
as written (``20``, ``5.5`` / ``5,5``).

``1,908.60 EUR`` in English, ``1 908,60 EUR`` in French, ``1,250 JPY``, ``1.250 KWD``; no value is ``—``.
Amounts are stored with three decimals (a KWD amount needs them) and shown rounded to the currency's
minor units as ``punchout.money.quantize_money`` rounds. The rules are in ``openprocure.core.formatting``.
"""

from __future__ import annotations

from typing import Any

from django import template

from openprocure.core.formatting import format_money, format_number, format_seconds, format_unit_price

register = template.Library()


@register.filter
def money(value: Any, currency: Any) -> str:
    """``value`` in the minor units of ``currency``, grouped, followed by the currency code."""
    return format_money(value, currency)


@register.filter
def unit_price(value: Any, currency: Any) -> str:
    """A unit price: the currency's decimals, more only when the price has them (up to four)."""
    return format_unit_price(value, currency)


@register.filter
def rate(value: Any) -> str:
    """A percentage as written: ``20``, ``5.5`` (``5,5`` in French); ``—`` for no value."""
    return format_number(value)


@register.filter
def number(value: Any) -> str:
    """A plain number (no currency), grouped, up to four decimals: ``1,250.5``; ``—`` for no value."""
    return format_number(value)


@register.filter
def seconds(value: Any) -> str:
    """A duration: ``0.25 s`` (``0,25 s`` in French), to the hundredth; ``—`` for no value."""
    return format_seconds(value)
