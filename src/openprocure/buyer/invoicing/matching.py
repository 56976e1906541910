"""The matcher: where the rules of 2-way and 3-way matching live.

A pure function over plain data (no database, no Django models): :func:`match_invoice` takes an
invoice, the order lines it may refer to (with what was received and invoiced before) and the
tolerances, and returns every check it made, line by line, each with a code, its figures and whether
it passed. Services load the data in bulk, call it, and store the result; the benchmark calls it on
100,000 invoices.

Rules
- Line mapping: the invoice line's order reference (order number + line number; BT-13/BT-132 in
  EN 16931) first; then, among the lines of the referenced orders (or of all candidate orders when
  the invoice names none), the first unused line with the same part number; then the first unused
  line whose amount at the order price equals the invoiced amount.
- Quantities are cumulative per order line: earlier standard invoices + credit memos (negative) +
  this invoice. 2-way compares with the quantity ordered (less what the supplier rejected), 3-way
  also with the quantity received (net of returns). Over by more than ``quantity_pct`` % is an
  exception; under is fine.
- Unit price: the invoiced unit price (net of credit memos on the line) against the order price; more
  than the tolerance above it is an exception (below is in our favour). The tolerance is the smaller
  of ``price_pct`` % of the order price and ``price_abs`` where both are set.
- Line amount: the invoiced amount must equal quantity × unit price within ``line_amount_abs``.
- Header: the lines must add up to the subtotal, and subtotal + tax + shipping + special handling to
  the stated total, within ``header_amount_abs``; header tax must equal the sum of line taxes (when
  lines carry tax) within ``tax_abs`` and stay within ``max_tax_rate_pct`` of the subtotal when set;
  shipping above ``shipping_max`` is an exception (0 = no shipping accepted, None = any).
- A credit memo (negative amounts) must map to order lines and cannot credit more than was invoiced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from punchout.money import quantize_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)
TWO_WAY = "2way"
THREE_WAY = "3way"


@dataclass(frozen=True, slots=True)
class Tolerance:
    """Matching tolerances; see the module docstring for what each one allows."""

    mode: str = THREE_WAY
    quantity_pct: Decimal = ZERO
    price_pct: Decimal | None = ZERO
    price_abs: Decimal | None = ZERO
    line_amount_abs: Decimal = ZERO
    header_amount_abs: Decimal = ZERO
    tax_abs: Decimal = ZERO
    max_tax_rate_pct: Decimal | None = None
    shipping_max: Decimal | None = None


@dataclass(slots=True)
class OrderLine:
    """What the matcher needs of one purchase-order line (quantities net, money in the PO currency)."""

    order: str
    line_number: int
    part_id: str
    unit_price: Decimal
    ordered: Decimal
    received: Decimal
    currency: str
    category: str = ""
    price_basis_quantity: Decimal = Decimal(1)
    invoiced_before: Decimal = ZERO  # quantity on earlier live standard invoices
    amount_before: Decimal = ZERO
    credited_quantity: Decimal = ZERO  # quantity on live credit memos (negative)
    credited_amount: Decimal = ZERO  # amount on live credit memos (negative)
    ref: Any = None  # the caller's handle (a model id), passed through untouched

    @property
    def key(self) -> tuple[str, int]:
        return (self.order, self.line_number)


@dataclass(slots=True)
class InvoiceLine:
    """One invoiced line as the matcher sees it (a credit memo line has negative amounts)."""

    line_number: int
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    order: str = ""
    order_line: int | None = None
    part_id: str = ""
    tax: Decimal | None = None


@dataclass(slots=True)
class Invoice:
    """An invoice or credit memo as the matcher sees it."""

    number: str
    currency: str
    lines: list[InvoiceLine]
    subtotal: Decimal | None = None
    tax: Decimal = ZERO
    shipping: Decimal = ZERO
    special_handling: Decimal = ZERO
    total: Decimal | None = None
    is_credit: bool = False


MESSAGES: dict[str, Any] = {
    # mapping
    "mapped_reference": _("Line %(line)s → order %(order)s line %(order_line)s (by order reference)."),
    "mapped_part": _("Line %(line)s → order %(order)s line %(order_line)s (by part number %(part)s)."),
    "mapped_amount": _("Line %(line)s → order %(order)s line %(order_line)s (by amount %(amount)s)."),
    "no_order_line": _(
        "Line %(line)s: no order line found (order %(order)s, line %(order_line)s, part %(part)s, amount %(amount)s)."
    ),
    "currency_mismatch": _("Invoice in %(invoice)s but order %(order)s is in %(currency)s."),
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
    "tax_ok": _("Tax %(tax)s equals the line taxes."),
    "tax_variance": _(
        "Tax %(tax)s but the line taxes add up to %(lines)s: differs by %(difference)s (tolerance %(allowed)s)."
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


@dataclass(frozen=True, slots=True)
class Finding:
    """One check: its code, whether it passed, the invoice line (None for the header), its figures."""

    code: str
    ok: bool
    line: int | None
    params: Mapping[str, str]

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % dict(self.params)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "ok": self.ok, "line": self.line, "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(code=data["code"], ok=data["ok"], line=data["line"], params=data["params"])


@dataclass(slots=True)
class LineResult:
    """What happened to one invoice line: the order line it maps to and its checks."""

    line_number: int
    order_line: OrderLine | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)


@dataclass(slots=True)
class MatchResult:
    """The outcome: matched when every check passed; ``explanation()`` lists every check in order."""

    mode: str
    lines: list[LineResult]
    header: list[Finding]

    @property
    def matched(self) -> bool:
        return all(f.ok for f in self.header) and all(line.ok for line in self.lines)

    @property
    def findings(self) -> list[Finding]:
        return [f for line in self.lines for f in line.findings] + self.header

    @property
    def exceptions(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def explanation(self) -> list[str]:
        return [f.message for f in self.findings]


def qty(value: Decimal) -> str:
    """A quantity as people write it: 12, 2.5."""
    text = format(value.normalize(), "f") if value else "0"
    return "0" if text == "-0" else text


def _money(value: Decimal, currency: str) -> str:
    return format(quantize_money(value, currency), "f")


def _price(value: Decimal) -> str:
    text = format(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize(), "f")
    if "." not in text:
        return text + ".00"
    decimals = len(text.split(".")[1])
    return text + "0" * max(0, 2 - decimals)


def map_lines(
    invoice: Invoice, candidates: Mapping[str, Sequence[OrderLine]]
) -> list[tuple[InvoiceLine, OrderLine | None, str]]:
    """Each invoice line with its order line and how it was found (reference, part, amount or none)."""
    by_key: dict[tuple[str, int], OrderLine] = {}
    for lines in candidates.values():
        for line in lines:
            by_key[line.key] = line
    used: set[tuple[str, int]] = set()
    mapped: list[tuple[InvoiceLine, OrderLine | None, str]] = []
    pending: list[InvoiceLine] = []
    for inv in invoice.lines:
        target = by_key.get((inv.order, inv.order_line)) if inv.order and inv.order_line is not None else None
        if target is not None:
            used.add(target.key)
            mapped.append((inv, target, "reference"))
        else:
            pending.append(inv)
            mapped.append((inv, None, ""))
    if not pending:
        return mapped
    result: list[tuple[InvoiceLine, OrderLine | None, str]] = []
    for inv, target, how in mapped:
        if target is None:
            pool = (
                list(candidates.get(inv.order, ()))
                if inv.order
                else [item for group in candidates.values() for item in group]
            )
            free = [line for line in pool if line.key not in used]
            target = next((line for line in free if inv.part_id and line.part_id == inv.part_id), None)
            how = "part" if target else ""
            if target is None:
                target = next(
                    (
                        line
                        for line in free
                        if quantize_money(
                            inv.quantity * line.unit_price / line.price_basis_quantity, line.currency
                        )
                        == quantize_money(inv.amount, line.currency)
                    ),
                    None,
                )
                how = "amount" if target else ""
            if target is not None:
                used.add(target.key)
        result.append((inv, target, how))
    return result


def match_invoice(
    invoice: Invoice,
    candidates: Mapping[str, Sequence[OrderLine]],
    *,
    tolerance_for: Callable[[OrderLine | None], Tolerance],
) -> MatchResult:
    """Match one invoice (or credit memo); ``tolerance_for(None)`` gives the header tolerance."""
    header_tolerance = tolerance_for(None)
    currency = invoice.currency
    running: dict[tuple[str, int], tuple[Decimal, Decimal]] = {}
    results: list[LineResult] = []
    modes: set[str] = set()
    currencies_checked: set[str] = set()
    header: list[Finding] = []
    for inv, order_line, how in map_lines(invoice, candidates):
        n = str(inv.line_number)
        result = LineResult(line_number=inv.line_number, order_line=order_line)
        results.append(result)
        if order_line is None:
            result.findings.append(
                Finding(
                    "no_order_line",
                    False,
                    inv.line_number,
                    {
                        "line": n,
                        "order": inv.order or "—",
                        "order_line": "—" if inv.order_line is None else str(inv.order_line),
                        "part": inv.part_id or "—",
                        "amount": _money(inv.amount, currency),
                    },
                )
            )
            continue
        where = {"line": n, "order": order_line.order, "order_line": str(order_line.line_number)}
        result.findings.append(
            Finding(
                f"mapped_{how}",
                True,
                inv.line_number,
                {**where, "part": order_line.part_id, "amount": _money(inv.amount, currency)},
            )
        )
        if order_line.currency != currency and order_line.order not in currencies_checked:
            currencies_checked.add(order_line.order)
            header.append(
                Finding(
                    "currency_mismatch",
                    False,
                    None,
                    {"invoice": currency, "order": order_line.order, "currency": order_line.currency},
                )
            )
        tolerance = tolerance_for(order_line)
        modes.add(tolerance.mode)
        seen_qty, seen_amount = running.get(order_line.key, (ZERO, ZERO))
        running[order_line.key] = (seen_qty + inv.quantity, seen_amount + inv.amount)
        if invoice.is_credit:
            _check_credit(result, inv, order_line, seen_qty, seen_amount, where, currency)
            continue
        _check_quantities(result, inv, order_line, tolerance, seen_qty, where)
        _check_price(result, inv, order_line, tolerance, seen_qty, seen_amount, where, currency)
    if not invoice.is_credit:
        _check_header(header, invoice, header_tolerance)
    mode = THREE_WAY if THREE_WAY in modes else (TWO_WAY if modes else header_tolerance.mode)
    return MatchResult(mode=mode, lines=results, header=header)


def _check_quantities(
    result: LineResult,
    inv: InvoiceLine,
    line: OrderLine,
    tolerance: Tolerance,
    seen_qty: Decimal,
    where: dict[str, str],
) -> None:
    invoiced = line.invoiced_before + line.credited_quantity + seen_qty + inv.quantity
    figures = {
        **where,
        "invoiced": qty(invoiced),
        "ordered": qty(line.ordered),
        "received": qty(line.received),
    }
    allowed = line.ordered * tolerance.quantity_pct / HUNDRED
    over = invoiced - line.ordered
    code = "quantity_over_ordered" if over > allowed else "quantity_ordered_ok"
    result.findings.append(
        Finding(
            code, over <= allowed, inv.line_number, {**figures, "over": qty(over), "allowed": qty(allowed)}
        )
    )
    if tolerance.mode == THREE_WAY:
        allowed = line.received * tolerance.quantity_pct / HUNDRED
        over = invoiced - line.received
        code = "quantity_over_received" if over > allowed else "quantity_received_ok"
        result.findings.append(
            Finding(
                code,
                over <= allowed,
                inv.line_number,
                {**figures, "over": qty(over), "allowed": qty(allowed)},
            )
        )


def _price_allowance(order_price: Decimal, tolerance: Tolerance) -> Decimal:
    limits = []
    if tolerance.price_pct is not None:
        limits.append(order_price * tolerance.price_pct / HUNDRED)
    if tolerance.price_abs is not None:
        limits.append(tolerance.price_abs)
    return min(limits) if limits else ZERO


def _check_price(
    result: LineResult,
    inv: InvoiceLine,
    line: OrderLine,
    tolerance: Tolerance,
    seen_qty: Decimal,
    seen_amount: Decimal,
    where: dict[str, str],
    currency: str,
) -> None:
    basis = line.price_basis_quantity or Decimal(1)
    price = inv.unit_price
    if line.credited_amount and inv.quantity + line.credited_quantity > 0:
        # a credit memo on this line corrects the price: judge the net price
        price = (inv.amount + line.credited_amount) * basis / (inv.quantity + line.credited_quantity)
    allowed = _price_allowance(line.unit_price, tolerance)
    over = price - line.unit_price
    pct = (over * HUNDRED / line.unit_price) if line.unit_price else ZERO
    ok = over <= allowed
    result.findings.append(
        Finding(
            "price_ok" if ok else "price_over",
            ok,
            inv.line_number,
            {
                **where,
                "price": _price(price),
                "order_price": _price(line.unit_price),
                "over": _price(over),
                "pct": format(pct.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f"),
                "allowed": _price(allowed),
            },
        )
    )
    expected = quantize_money(inv.quantity * inv.unit_price / basis, currency)
    difference = quantize_money(inv.amount, currency) - expected
    ok = abs(difference) <= tolerance.line_amount_abs
    result.findings.append(
        Finding(
            "line_amount_ok" if ok else "line_amount_variance",
            ok,
            inv.line_number,
            {
                **where,
                "amount": _money(inv.amount, currency),
                "quantity": qty(inv.quantity),
                "price": _price(inv.unit_price),
                "expected": _money(expected, currency),
                "difference": _money(difference, currency),
                "allowed": _money(tolerance.line_amount_abs, currency),
            },
        )
    )


def _check_credit(
    result: LineResult,
    inv: InvoiceLine,
    line: OrderLine,
    seen_qty: Decimal,
    seen_amount: Decimal,
    where: dict[str, str],
    currency: str,
) -> None:
    invoiced = line.amount_before + line.credited_amount
    credited = -(inv.amount + seen_amount)
    ok = credited <= invoiced
    result.findings.append(
        Finding(
            "credit_ok" if ok else "credit_exceeds_invoiced",
            ok,
            inv.line_number,
            {**where, "credited": _money(credited, currency), "invoiced": _money(invoiced, currency)},
        )
    )


def _check_header(header: list[Finding], invoice: Invoice, tolerance: Tolerance) -> None:
    currency = invoice.currency
    m = lambda value: _money(value, currency)  # noqa: E731
    lines_total = sum((line.amount for line in invoice.lines), ZERO)
    subtotal = invoice.subtotal if invoice.subtotal is not None else lines_total
    allowed = tolerance.header_amount_abs
    if invoice.subtotal is not None:
        difference = quantize_money(subtotal - lines_total, currency)
        ok = abs(difference) <= allowed
        header.append(
            Finding(
                "subtotal_ok" if ok else "subtotal_variance",
                ok,
                None,
                {
                    "lines": m(lines_total),
                    "subtotal": m(subtotal),
                    "difference": m(difference),
                    "allowed": m(allowed),
                },
            )
        )
    if invoice.total is not None:
        expected = subtotal + invoice.tax + invoice.shipping + invoice.special_handling
        difference = quantize_money(invoice.total - expected, currency)
        ok = abs(difference) <= allowed
        header.append(
            Finding(
                "total_ok" if ok else "total_variance",
                ok,
                None,
                {
                    "subtotal": m(subtotal),
                    "tax": m(invoice.tax),
                    "shipping": m(invoice.shipping),
                    "handling": m(invoice.special_handling),
                    "expected": m(expected),
                    "total": m(invoice.total),
                    "difference": m(difference),
                    "allowed": m(allowed),
                },
            )
        )
    line_taxes = [line.tax for line in invoice.lines if line.tax is not None]
    if line_taxes:
        lines_tax = sum(line_taxes, ZERO)
        difference = quantize_money(invoice.tax - lines_tax, currency)
        ok = abs(difference) <= tolerance.tax_abs
        header.append(
            Finding(
                "tax_ok" if ok else "tax_variance",
                ok,
                None,
                {
                    "tax": m(invoice.tax),
                    "lines": m(lines_tax),
                    "difference": m(difference),
                    "allowed": m(tolerance.tax_abs),
                },
            )
        )
    if tolerance.max_tax_rate_pct is not None and subtotal > 0:
        rate = invoice.tax * HUNDRED / subtotal
        if invoice.tax > subtotal * tolerance.max_tax_rate_pct / HUNDRED + tolerance.tax_abs:
            header.append(
                Finding(
                    "tax_rate_over",
                    False,
                    None,
                    {
                        "tax": m(invoice.tax),
                        "rate": format(rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f"),
                        "subtotal": m(subtotal),
                        "max": qty(tolerance.max_tax_rate_pct),
                    },
                )
            )
    if tolerance.shipping_max is not None and invoice.shipping:
        over = invoice.shipping - tolerance.shipping_max
        if tolerance.shipping_max == 0:
            header.append(Finding("shipping_not_allowed", False, None, {"shipping": m(invoice.shipping)}))
        else:
            ok = over <= 0
            header.append(
                Finding(
                    "shipping_ok" if ok else "shipping_over",
                    ok,
                    None,
                    {"shipping": m(invoice.shipping), "max": m(tolerance.shipping_max), "over": m(over)},
                )
            )
