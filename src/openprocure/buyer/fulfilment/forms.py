"""Forms of receiving: one row of fields per order line (a receipt: quantity received, refused quantity,
reason; a return: quantity returned, reason), and the resolution of a supplier's issue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.fulfilment.services import FulfilmentError, ReceiptLineInput
from openprocure.core.forms import NumberEntryField

ZERO = Decimal(0)


class QuantityField(NumberEntryField):
    """A quantity received, refused or returned: empty means none; at most 14 digits before the point
    and 4 after, never negative."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=ZERO, invalid=_("%(value)s is not a quantity."), **kwargs)


class _OrderLinesForm(forms.Form):
    """One order's lines: ``qty_<id>``, ``rejected_<id>`` and ``reason_<id>`` per line, and a note."""

    quantity_label: Any = _("Quantity received")
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, line_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_ids = line_ids
        for line_id in line_ids:
            self.fields[f"qty_{line_id}"] = QuantityField(label=self.quantity_label)
            self.fields[f"rejected_{line_id}"] = QuantityField(label=_("Quantity refused"))
            self.fields[f"reason_{line_id}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=500
            )

    def lines(self) -> list[ReceiptLineInput]:
        """The lines as entered (call after ``is_valid()``)."""
        data = self.cleaned_data
        return [
            ReceiptLineInput(
                po_line_id=line_id,
                quantity=data[f"qty_{line_id}"],
                rejected_quantity=data[f"rejected_{line_id}"],
                reason=data[f"reason_{line_id}"],
            )
            for line_id in self.line_ids
        ]

    def refuse(self, error: FulfilmentError) -> None:
        """Show the service's refusal of each line beside the entry it is about."""
        for refusal in error.lines:
            self.add_error(f"{refusal.field}_{refusal.po_line_id}", refusal.message)

    def row(self, line_id: int) -> dict[str, Any]:
        """What the person typed on one line, and what is wrong with it."""
        names = {"qty": f"qty_{line_id}", "rejected": f"rejected_{line_id}", "reason": f"reason_{line_id}"}
        typed: dict[str, Any] = {key: self[name].value() or "" for key, name in names.items()}
        typed["errors"] = [error for name in names.values() for error in self[name].errors]
        return typed


class ReceiptForm(_OrderLinesForm):
    """A receipt of one order: per line the quantity accepted (``qty_<id>``), the quantity refused at
    the door (``rejected_<id>``) and why (``reason_<id>``), and a note."""

    # "Receive all": each line's open quantity, whatever was typed in its row.
    receive_all = forms.BooleanField(required=False)


class ReturnForm(_OrderLinesForm):
    """A return of one order's goods: per line the quantity returned (``qty_<id>``) and why. The page
    offers no refused quantity (goods are refused on the receipt, when they arrive); one posted all
    the same is passed on, and the service refuses it beside its line rather than drop it."""

    quantity_label = _("Quantity returned")


class ResolveIssueForm(forms.Form):
    resolution = forms.CharField(
        label=_("What you decided"),
        max_length=2000,
        error_messages={
            "required": _("Say what you decided (e.g. “order elsewhere”, “new price accepted”).")
        },
    )
