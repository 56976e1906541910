"""Warnings about a returned cart, kept on the requisition as data and written when read.

Each warning is a dict: ``code``, ``message`` (the sentence as first written, for readers of the
stored data) and, for the warnings written here, ``values`` (numbers as machine strings, currency
codes, line numbers). A page or a message tells a warning with :func:`text`, in the reader's
language, with amounts through ``core.formatting``; warnings from elsewhere (the protocol core's
parsers) are told by their ``message``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from openprocure.core.formatting import format_money

TOTAL_MISMATCH = "total-mismatch"
MIXED_CURRENCIES = "mixed-currencies"
NO_DESCRIPTION = "no-description"
NO_PRICE = "no-price"


def _total_mismatch(values: Mapping[str, str]) -> str:
    currency = values["currency"]
    return _(
        "The supplier's cart total is %(sent)s but its lines add up to %(computed)s; the lines were kept."
    ) % {
        "sent": format_money(Decimal(values["sent"]), currency),
        "computed": format_money(Decimal(values["computed"]), currency),
    }


def _mixed_currencies(values: Mapping[str, str]) -> str:
    return _("The cart mixes currencies: %(list)s.") % {"list": values["currencies"]}


def _no_description(values: Mapping[str, str]) -> str:
    return _("Line %(n)s has no description.") % {"n": values["line"]}


def _no_price(values: Mapping[str, str]) -> str:
    return _("Line %(n)s has no unit price; 0 was used.") % {"n": values["line"]}


_TELL: dict[str, Callable[[Mapping[str, str]], str]] = {
    TOTAL_MISMATCH: _total_mismatch,
    MIXED_CURRENCIES: _mixed_currencies,
    NO_DESCRIPTION: _no_description,
    NO_PRICE: _no_price,
}


def warning(code: str, **values: Any) -> dict[str, Any]:
    """A warning of one of the codes above, with its values kept as strings."""
    kept = {name: str(value) for name, value in values.items()}
    return {"code": code, "message": _TELL[code](kept), "values": kept}


def text(warning: Mapping[str, Any]) -> str:
    """The warning in the reader's language (its stored message when it has no values to tell)."""
    tell = _TELL.get(str(warning.get("code", "")))
    values = warning.get("values")
    if tell is not None and isinstance(values, Mapping):
        try:
            return tell(values)
        except (KeyError, ArithmeticError, ValueError):
            pass  # values from an older or foreign shape: the stored sentence still says it
    return str(warning.get("message", ""))
