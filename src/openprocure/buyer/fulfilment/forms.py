"""Forms of receiving: one row of fields per order line (quantity, refused quantity, reason)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import QueryDict
from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment.services import FulfilmentError, ReceiptLineInput


def _number(raw: str | None) -> Decimal:
    text = (raw or "").strip()
    if not text:
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FulfilmentError(_("%(value)s is not a quantity.") % {"value": text}) from None
    if not value.is_finite():
        raise FulfilmentError(_("%(value)s is not a quantity.") % {"value": text})
    return value


def receipt_lines(data: QueryDict, line_ids: list[int]) -> list[ReceiptLineInput]:
    """The lines of a receipt (or return) form: ``qty_<id>``, ``rejected_<id>``, ``reason_<id>``."""
    return [
        ReceiptLineInput(
            po_line_id=line_id,
            quantity=_number(data.get(f"qty_{line_id}")),
            rejected_quantity=_number(data.get(f"rejected_{line_id}")),
            reason=data.get(f"reason_{line_id}", ""),
        )
        for line_id in line_ids
    ]
