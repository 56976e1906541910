"""CSV cells a spreadsheet will not run: text from partners or people goes through :func:`safe_cell`.

A spreadsheet reads a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return
before one) as a formula, so a supplier's invoice number ``=HYPERLINK(…)`` in an export would run when
an accountant opens the file. Such text gets a leading apostrophe, which spreadsheets show as text
and do not display; everything else is written unchanged. Amounts we format ourselves are not
passed through it (a credit's ``-12.50`` stays a number).
"""

from __future__ import annotations

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as CSV cell text, with a ``'`` in front when it would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
