"""How a line is charged, written down and told: the accounting of a line as plain data (kept in the
requisition's history) and the sentences that tell the requester when a re-punch changed it or its
price.

The data holds codes and numbers only; the sentences are written when they are read, in the
reader's language, with amounts and percentages through ``core.formatting``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from openprocure.core.formatting import format_money, format_number, format_unit_price
from punchout.money import quantize_money

#: Why a re-punch changed a line's accounting (kept in the event detail as ``cause``).
AMOUNT_CHANGED = "amount_changed"  # split by amount, and the line amount changed at the supplier
ITEM_CHANGED = "item_changed"  # same part, another auxiliary ID: the supplier sent it as a new item


def shares_of(line: Any) -> list[dict[str, str]]:
    """A line's accounting as data: one share per split (or the line's own cost center and account)."""
    splits = list(line.splits.all())
    if splits:
        return [
            {
                "cost_center": split.cost_center.code,
                "gl_account": split.gl_account.code if split.gl_account else "",
                "percentage": "" if split.percentage is None else str(split.percentage),
                "amount": "" if split.amount is None else str(quantize_money(split.amount, line.currency)),
            }
            for split in splits
        ]
    return [
        {
            "cost_center": line.cost_center.code if line.cost_center else "",
            "gl_account": line.gl_account.code if line.gl_account else "",
            "percentage": "",
            "amount": "",
        }
    ]


def describe(shares: list[dict[str, str]], currency: str) -> str:
    """``CC-200/6000 60 %; CC-300 40 %`` in the reader's language (``—`` for no cost center)."""
    parts = []
    for share in shares:
        text = share.get("cost_center") or "—"
        if share.get("gl_account"):
            text += f"/{share['gl_account']}"
        if share.get("percentage"):
            text += f" {format_number(Decimal(share['percentage']))}\u00a0%"
        elif share.get("amount"):
            text += f" {format_money(Decimal(share['amount']), currency)}"
        parts.append(text)
    return pgettext("between the shares of a line's accounting", "; ").join(parts)


def change_message(change: dict[str, Any]) -> str:
    """The sentence telling the requester that a re-punch changed one line's accounting, and why."""
    currency = change.get("currency", "")
    values = {
        "n": change.get("line", "?"),
        "part": str(change.get("part", "")).strip(),
        "coding": describe(change.get("after", []), currency),
        "previous": describe(change.get("before", []), currency),
    }
    if change.get("cause") == AMOUNT_CHANGED:
        values["before"] = format_money(Decimal(change["amount_before"]), currency)
        values["after"] = format_money(Decimal(change["amount_after"]), currency)
        return (
            _(
                "Line %(n)s (%(part)s): its amount changed from %(before)s to %(after)s at the supplier, so "
                "its split by amount no longer added up. It is now charged to %(coding)s (the requisition's "
                "coding) instead of %(previous)s: check its accounting."
            )
            % values
        )
    return (
        _(
            "Line %(n)s (%(part)s) came back from the supplier as a new item (its auxiliary ID changed), so "
            "it is now charged to %(coding)s (the requisition's coding) instead of %(previous)s: check its "
            "accounting."
        )
        % values
    )


def price_change(line: Any, old: Any) -> dict[str, str]:
    """A line whose price the supplier changed at a re-punch (an edited or re-validated cart), as data."""
    return {
        "line": str(line.line_number),
        "part": line.supplier_part_id,
        "before": str(old.unit_price),
        "before_currency": old.currency,
        "after": str(line.unit_price),
        "currency": line.currency,
    }


def price_message(change: dict[str, str]) -> str:
    """The sentence telling the requester that the supplier changed a line's price."""
    return _("Line %(n)s (%(part)s): the supplier's price is now %(after)s, it was %(before)s.") % {
        "n": change.get("line", "?"),
        "part": str(change.get("part", "")).strip(),
        "after": format_unit_price(Decimal(change["after"]), change.get("currency", "")),
        "before": format_unit_price(
            Decimal(change["before"]), change.get("before_currency") or change.get("currency", "")
        ),
    }
