"""Numbers, money and dates written for people, and the same values written for machines.

For people (pages and e-mails), in the active language, with CLDR's rules through Babel:

- an amount has its currency's ISO 4217 minor units (EUR 2, JPY 0, KWD 3), rounded half up as
  ``punchout.money.quantize_money`` rounds, thousands grouped, then a no-break space and the ISO
  currency code: ``1,908.60 EUR`` in English, ``1 908,60 EUR`` in French (narrow no-break space
  between thousands, comma for decimals). The code rather than a symbol because a procurement page
  shows several currencies side by side and ``$`` alone does not say which dollar;
- a unit price keeps up to four decimals, but zeros past the currency's minor units are dropped
  (``0.0125 EUR``, ``12.50 EUR``, never ``12.5000 EUR``);
- no value is shown as an em dash (``—``), never as ``None``.

Dates and times on pages go through Django's ``date`` filter with the formats of
``openprocure.core.formats`` (``FORMAT_MODULE_PATH``).

For machines (CSV exports): :func:`plain_money` writes ``1908.60`` (dot, no grouping) and
:func:`iso_datetime` writes ``2026-12-06T21:51:07+01:00`` (local time, whole seconds). cXML never goes
through this module: amounts on the wire stay in the protocol core's machine format.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, to_locale

from punchout.money import minor_units, quantize_money, stated_unit_price

#: What a page shows where there is no value.
NO_VALUE = "—"
#: A number as machines write it: optional minus, digits, optional dot and decimals.
_MACHINE_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
#: Between an amount and its currency code: the two never break apart on a narrow screen.
_CODE_SEPARATOR = "\u00a0"

__all__ = [
    "NO_VALUE",
    "format_figure",
    "format_money",
    "format_month",
    "format_number",
    "format_seconds",
    "format_unit_price",
    "iso_datetime",
    "plain_money",
    "to_decimal",
]


def to_decimal(value: Any) -> Decimal | None:
    """``value`` as a finite ``Decimal``, or ``None`` when it is empty or not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@lru_cache(maxsize=16)
def _babel_locale(language: str) -> Locale:
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(to_locale(settings.LANGUAGE_CODE))


def _active_locale(language: str | None) -> Locale:
    return _babel_locale(language or get_language() or settings.LANGUAGE_CODE)


def _pattern(min_decimals: int) -> str:
    """A grouped decimal pattern with at least ``min_decimals`` decimals (more when the value has them)."""
    return "#,##0" + ("." + "0" * min_decimals if min_decimals else "")


def _written(number: Decimal, currency: str, language: str | None) -> str:
    digits = minor_units(currency) if currency else 2
    text = format_decimal(
        number, format=_pattern(digits), locale=_active_locale(language), decimal_quantization=False
    )
    return f"{text}{_CODE_SEPARATOR}{currency}" if currency else text


def format_money(value: Any, currency: Any, *, language: str | None = None) -> str:
    """An amount for people: ``1,908.60 EUR`` / ``1 908,60 EUR``; ``—`` for no value.

    A value that is not a number is shown as it is (a page never hides what it was given).
    """
    number = to_decimal(value)
    code = str(currency or "").strip().upper()
    if number is None:
        return NO_VALUE if value is None or value == "" else str(value)
    return _written(quantize_money(number, code), code, language)


def format_unit_price(value: Any, currency: Any, *, language: str | None = None) -> str:
    """A unit price for people: the currency's decimals, up to four when the price has them."""
    number = to_decimal(value)
    code = str(currency or "").strip().upper()
    if number is None:
        return NO_VALUE if value is None or value == "" else str(value)
    # ``stated_unit_price`` keeps the price's own decimals up to four; the zeros past the
    # currency's minor units are dropped (12.5000 -> 12.50), the pattern puts back the minor units.
    rounded = stated_unit_price(number, code).normalize()
    return _written(rounded, code, language)


def format_number(value: Any, *, max_decimals: int = 4, language: str | None = None) -> str:
    """A plain number for people (a rate, a percentage): grouped, no trailing zeros; ``—`` for none."""
    number = to_decimal(value)
    if number is None:
        return NO_VALUE if value is None or value == "" else str(value)
    pattern = "#,##0" + ("." + "#" * max_decimals if max_decimals else "")
    text = format_decimal(number, format=pattern, locale=_active_locale(language))
    return "0" if text in ("-0",) else text


def format_seconds(value: Any, *, language: str | None = None) -> str:
    """A duration in seconds, to the hundredth: ``0.25 s``, ``12,5 s`` in French; ``—`` for none."""
    number = to_decimal(value)
    if number is None:
        return NO_VALUE
    return f"{format_number(number, max_decimals=2, language=language)}\N{NO-BREAK SPACE}s"


def format_figure(value: Any, *, language: str | None = None) -> str:
    """A figure stored as machines write it (``"1234.50"``, ``"-3"``) rewritten for people with
    exactly its own decimals: ``1,234.50`` in English, ``1 234,50`` in French.

    Anything that is not such a number (a code, a reference, a percentage sign) is returned as it is.
    """
    text = str(value)
    if not _MACHINE_NUMBER.fullmatch(text):
        return text
    decimals = len(text.partition(".")[2])
    return format_decimal(
        Decimal(text), format=_pattern(decimals), locale=_active_locale(language), decimal_quantization=False
    )


def format_month(value: datetime.date, *, language: str | None = None) -> str:
    """A month in a few characters for a chart's axis: ``Jan 26`` in English, ``janv. 26`` in French.

    CLDR's abbreviated month name and the year's last two digits, in the active language.
    """
    return format_date(value, format="MMM yy", locale=_active_locale(language))


def plain_money(value: Any, currency: Any) -> str:
    """An amount for machines: the currency's decimals, dot, no grouping (``1908.60``); empty for none."""
    number = to_decimal(value)
    if number is None:
        return ""
    return format(quantize_money(number, str(currency or "").strip().upper()), "f")


def iso_datetime(value: datetime.datetime | datetime.date | None) -> str:
    """A date or time for machines: ISO 8601, local time, whole seconds; empty for none."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()
