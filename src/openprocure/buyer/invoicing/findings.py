"""What the matcher reports: each check as a :class:`Finding` (a code, whether it passed, the invoice
line, its figures), the message each code reads as, and how its figures are written.

The matcher (:mod:`.matching`) records a check as a :data:`Check`: a code, whether it passed, and one
of the renderers below with the raw numbers; its figures are formatted (:class:`Figures`) only when
someone reads them.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from openprocure.core.formatting import format_figure
from punchout import amounts

MESSAGES: dict[str, Any] = {
    # mapping
    "mapped_reference": _("Line %(line)s → order %(order)s line %(order_line)s (by order reference)."),
    "mapped_part": _("Line %(line)s → order %(order)s line %(order_line)s (by part number %(part)s)."),
    "mapped_amount": _("Line %(line)s → order %(order)s line %(order_line)s (by amount %(amount)s)."),
    "no_order_line": _(
        "Line %(line)s: no order line found (order %(order)s, line %(order_line)s, part %(part)s, amount %(amount)s)."
    ),
    "currency_mismatch": _("Invoice in %(invoice)s but order %(order)s is in %(currency)s."),
    # corrective invoices (384)
    "corrects_ok": _("Corrective invoice: it replaces invoice %(invoice)s, which no longer counts."),
    "corrects_unknown": _(
        "Corrective invoice: it replaces invoice %(invoice)s, which was never received from this supplier."
    ),
    "corrects_settled": _(
        "Corrective invoice: it replaces invoice %(invoice)s, which is already approved for payment or "
        "paid; decide which of the two is paid."
    ),
    # quantities
    "quantity_ordered_ok": _("Line %(line)s: invoiced %(invoiced)s, ordered %(ordered)s: within the order."),
    "quantity_over_ordered": _(
        "Line %(line)s: invoiced %(invoiced)s, ordered %(ordered)s: quantity exceeds ordered by %(over)s (tolerance %(allowed)s)."
    ),
    "quantity_received_ok": _(
        "Line %(line)s: invoiced %(invoiced)s, received %(received)s, ordered %(ordered)s: within what was received."
    ),
    "quantity_over_received": _(
        "Line %(line)s: invoiced %(invoiced)s, received %(received)s, ordered %(ordered)s: quantity exceeds received by %(over)s (tolerance %(allowed)s)."
    ),
    # prices and amounts
    "price_ok": _("Line %(line)s: unit price %(price)s, ordered at %(order_price)s: within tolerance."),
    "price_over": _(
        "Line %(line)s: unit price %(price)s, ordered at %(order_price)s: exceeds by %(over)s (%(pct)s%%) (tolerance %(allowed)s)."
    ),
    "line_amount_ok": _("Line %(line)s: amount %(amount)s = %(quantity)s × %(price)s."),
    "unit_mapped": _("Line %(line)s: unit %(unit)s read as the order's %(order_unit)s."),
    "unit_mismatch": _(
        "Line %(line)s: invoiced in unit %(unit)s but order %(order)s line %(order_line)s is in %(order_unit)s."
    ),
    "line_amount_variance": _(
        "Line %(line)s: amount %(amount)s but %(quantity)s × %(price)s = %(expected)s: differs by %(difference)s (tolerance %(allowed)s)."
    ),
    # credit memos
    "credit_ok": _("Line %(line)s: credit of %(credited)s against %(invoiced)s invoiced."),
    "credit_exceeds_invoiced": _(
        "Line %(line)s: credit of %(credited)s exceeds the %(invoiced)s invoiced on order %(order)s line %(order_line)s."
    ),
    # header
    "subtotal_ok": _("Lines add up to the subtotal %(subtotal)s."),
    "subtotal_variance": _(
        "Lines add up to %(lines)s but the subtotal is %(subtotal)s: differs by %(difference)s (tolerance %(allowed)s)."
    ),
    "total_ok": _(
        "Subtotal %(subtotal)s + tax %(tax)s + shipping %(shipping)s + handling %(handling)s = total %(total)s."
    ),
    "total_variance": _(
        "Subtotal %(subtotal)s + tax %(tax)s + shipping %(shipping)s + handling %(handling)s = %(expected)s but the total is %(total)s: differs by %(difference)s (tolerance %(allowed)s)."
    ),
    "line_tax_ok": _("Line %(line)s: tax %(tax)s = %(rate)s%% of %(amount)s."),
    "line_tax_variance": _(
        "Line %(line)s: tax %(tax)s but %(rate)s%% of %(amount)s = %(expected)s: differs by %(difference)s (tolerance %(allowed)s)."
    ),
    "shipping_tax_ok": _("Tax on shipping: %(tax)s = %(rate)s%% of %(taxable)s."),
    "shipping_tax_variance": _(
        "Tax on shipping %(tax)s but %(rate)s%% of %(taxable)s = %(expected)s: differs by %(difference)s (tolerance %(allowed)s)."
    ),
    "handling_tax_ok": _("Tax on special handling: %(tax)s = %(rate)s%% of %(taxable)s."),
    "handling_tax_variance": _(
        "Tax on special handling %(tax)s but %(rate)s%% of %(taxable)s = %(expected)s: differs by %(difference)s (tolerance %(allowed)s)."
    ),
    "tax_ok": _("Tax %(tax)s equals the line taxes."),
    "tax_variance": _(
        "Tax %(tax)s but the line taxes add up to %(lines)s: differs by %(difference)s (tolerance %(allowed)s)."
    ),
    "tax_charges_ok": _(
        "Tax %(tax)s = line taxes %(lines)s + tax on shipping and special handling %(charges)s."
    ),
    "tax_charges_variance": _(
        "Tax %(tax)s but the line taxes %(lines)s + the tax on shipping and special handling %(charges)s = %(expected)s: differs by %(difference)s (tolerance %(allowed)s)."
    ),
    "tax_details_ok": _("Tax %(tax)s equals the sum of its tax details."),
    "tax_details_variance": _(
        "Tax %(tax)s but its tax details add up to %(details)s: differs by %(difference)s (tolerance %(allowed)s)."
    ),
    "vat_breakdown_ok": _(
        "VAT at %(rate)s%%: %(tax)s on %(taxable)s (%(rate)s%% of it is %(expected)s; accepted from %(lowest)s to %(highest)s)."
    ),
    "vat_breakdown_variance": _(
        "VAT at %(rate)s%% is %(tax)s but %(rate)s%% of %(taxable)s is %(expected)s: one minor unit either way, or what rounding its %(items)s lines and charges one by one can give, accepts %(lowest)s to %(highest)s (tolerance %(allowed)s)."
    ),
    "tax_rate_over": _(
        "Tax %(tax)s is %(rate)s%% of the subtotal %(subtotal)s; at most %(max)s%% is expected."
    ),
    "shipping_ok": _("Shipping %(shipping)s within the limit %(max)s."),
    "shipping_not_allowed": _(
        "Shipping of %(shipping)s is charged but no shipping is accepted from this supplier."
    ),
    "shipping_over": _("Shipping %(shipping)s exceeds the limit %(max)s by %(over)s."),
}


class Figures(Mapping[str, str]):
    """A finding's figures as the strings shown to people, formatted on first access.

    The matcher keeps the raw numbers of every check (a renderer and its arguments, all immutable);
    formatting ~25 checks per invoice with ``quantize``/``normalize`` only when an explanation is
    shown or stored is what keeps a bulk run cheap. Reads like the plain ``dict`` it stands for.
    """

    __slots__ = ("_args", "_data", "_render")

    def __init__(self, render: Callable[..., dict[str, str]], args: tuple[Any, ...]) -> None:
        self._render = render
        self._args = args
        self._data: dict[str, str] | None = None

    def _strings(self) -> dict[str, str]:
        data = self._data
        if data is None:
            data = self._data = self._render(*self._args)
        return data

    def __getitem__(self, key: str) -> str:
        return self._strings()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._strings())

    def __len__(self) -> int:
        return len(self._strings())

    def __contains__(self, key: object) -> bool:
        return key in self._strings()

    def keys(self) -> KeysView[str]:
        return self._strings().keys()

    def items(self) -> ItemsView[str, str]:
        return self._strings().items()

    def values(self) -> ValuesView[str]:
        return self._strings().values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Figures):
            return self._strings() == other._strings()
        if isinstance(other, Mapping):
            return self._strings() == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value, so deliberately unhashable

    def __repr__(self) -> str:
        return repr(self._strings())


#: Figures of a finding that name something (a line, an order, a part) rather than count it.
_NAMES = frozenset({"line", "order", "order_line", "part", "invoice", "currency"})


def for_people(params: Mapping[str, str]) -> dict[str, str]:
    """A finding's figures with its amounts, quantities and rates written in the reader's language."""
    return {key: value if key in _NAMES else format_figure(value) for key, value in _as_dict(params).items()}


def _as_dict(params: Mapping[str, str]) -> dict[str, str]:
    """A copy of a finding's figures as a plain dict."""
    if type(params) is Figures:
        return params._strings().copy()
    return dict(params)


@dataclass(frozen=True, slots=True)
class Finding:
    """One check: its code, whether it passed, the invoice line (None for the header), its figures."""

    code: str
    ok: bool
    line: int | None
    params: Mapping[str, str]

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % _as_dict(self.params)

    @property
    def text(self) -> str:
        """The message for a page: its figures in the reader's language (``1,234.50``, ``1 234,50``).

        :attr:`message` keeps the figures as recorded; the API gives that one.
        """
        return str(MESSAGES[self.code]) % for_people(self.params)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "ok": self.ok, "line": self.line, "params": _as_dict(self.params)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(code=data["code"], ok=data["ok"], line=data["line"], params=data["params"])


# A check as the matcher records it: (code, ok, renderer, raw figures). Turned into a Finding (with
# lazily formatted Figures) only when someone reads the findings.
Check = tuple[str, bool, Callable[..., dict[str, str]], tuple[Any, ...]]


def waits_for_receipt(codes: Iterable[str]) -> bool:
    """Whether failed checks of these codes (at least one) only say that goods are not received yet."""
    found = False
    for code in codes:
        if code != "quantity_over_received":
            return False
        found = True
    return found


# -- formatting (only when figures are read) ----------------------------------------------------------
_CENT = Decimal("0.01")
_PRICE_QUANT = Decimal("0.0001")


def qty(value: Decimal) -> str:
    """A quantity as people write it: 12, 2.5."""
    text = format(value.normalize(), "f") if value else "0"
    return "0" if text == "-0" else text


def _money(value: Decimal, quant: Decimal) -> str:
    """An amount rounded to the currency's minor unit (``quant``, from :func:`punchout.amounts.money_quant`)."""
    return format(amounts.round_to(value, quant), "f")


def _price(value: Decimal) -> str:
    text = format(value.quantize(_PRICE_QUANT, rounding=ROUND_HALF_UP).normalize(), "f")
    dot = text.find(".")
    if dot < 0:
        return text + ".00"
    decimals = len(text) - dot - 1
    return text + "0" * (2 - decimals) if decimals < 2 else text


def _pct(value: Decimal) -> str:
    return format(value.quantize(_CENT, rounding=ROUND_HALF_UP), "f")


def no_order_line_figures(
    line: int, order: str, order_line: int | None, part: str, amount: Decimal, quant: Decimal
) -> dict[str, str]:
    return {
        "line": str(line),
        "order": order or "—",
        "order_line": "—" if order_line is None else str(order_line),
        "part": part or "—",
        "amount": _money(amount, quant),
    }


#: How each kind of figure is written: ``quant`` is the currency's minor unit (money only).
_WRITERS: dict[str, Callable[[Decimal, Decimal], str]] = {
    "money": _money,
    "qty": lambda value, quant: qty(value),
    "price": lambda value, quant: _price(value),
    "pct": lambda value, quant: _pct(value),
}

#: An order line a figure is about: invoice line number, order number, order line number.
LineRef = tuple[int, str, int]
#: The figures of a check: (name, kind of :data:`_WRITERS`, value), in the order shown.
FigureSpec = tuple[tuple[str, str, Decimal], ...]


def line_figures(
    ref: LineRef, figures: FigureSpec, quant: Decimal = _CENT, part: str | None = None
) -> dict[str, str]:
    """Figures of a check on one order line: where it is (and the part, when given), then its own."""
    line, order, order_line = ref
    out = {"line": str(line), "order": order, "order_line": str(order_line)}
    if part is not None:
        out["part"] = part
    out.update((name, _WRITERS[kind](value, quant)) for name, kind, value in figures)
    return out


def unit_figures(ref: LineRef, unit: str, order_unit: str) -> dict[str, str]:
    line, order, order_line = ref
    return {
        "line": str(line),
        "order": order,
        "order_line": str(order_line),
        "unit": unit,
        "order_unit": order_unit,
    }


def _money_figures(quant: Decimal, figures: dict[str, Decimal]) -> dict[str, str]:
    return {name: _money(value, quant) for name, value in figures.items()}


def tax_figures(
    line: int | None,
    rate: Decimal,
    figures: dict[str, Decimal],
    quant: Decimal,
) -> dict[str, str]:
    """Figures of a tax computed at a rate: the rate as written (``20``), the amounts in the currency."""
    out = {name: _money(value, quant) for name, value in figures.items()}
    out["rate"] = amounts.rate_text(rate)
    if line is not None:
        out["line"] = str(line)
    return out


def vat_breakdown_figures(
    rate: Decimal, figures: dict[str, Decimal], items: int, quant: Decimal
) -> dict[str, str]:
    """Figures of one rate of a VAT breakdown: :func:`tax_figures` and how many lines and charges."""
    out = tax_figures(None, rate, figures, quant)
    out["items"] = str(items)
    return out


def tax_rate_figures(
    tax: Decimal, rate: Decimal, subtotal: Decimal, maximum: Decimal, quant: Decimal
) -> dict[str, str]:
    return {
        "tax": _money(tax, quant),
        "rate": _pct(rate),
        "subtotal": _money(subtotal, quant),
        "max": qty(maximum),
    }


def header_finding(code: str, ok: bool, quant: Decimal, figures: dict[str, Decimal]) -> Finding:
    return Finding(code, ok, None, Figures(_money_figures, (quant, figures)))
