"""CSV cells that a spreadsheet never reads as a formula.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before looking) is run as a formula when the file is opened: a partner's
``invoiceID="=HYPERLINK(…)"`` would become a live link or command in the accountant's spreadsheet.
:func:`safe_cell` puts a ``'`` before such text, which spreadsheets show as plain text. Numbers stay
numbers: a number, or text that is only a number (``-12.50``), cannot carry a formula. Every CSV export
writes each cell through it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet reads as a formula (numbers unchanged)."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: list[Any] | tuple[Any, ...]) -> list[Any]:
    """A row of cells, each through :func:`safe_cell`."""
    return [safe_cell(value) for value in values]
