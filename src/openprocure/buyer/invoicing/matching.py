"""The matcher: where the rules of 2-way and 3-way matching live.

A pure function over plain data (no database, no Django models): :func:`match_invoice` takes an
invoice, the order lines it may refer to (with what was received and invoiced before) and the
tolerances, and returns every check it made, line by line, each with a code, its figures and whether
it passed (its findings, and the messages they read as, are :mod:`.findings`). :mod:`.match_runs`
loads the data in bulk, calls it, and stores the result; the benchmark calls it on 100,000 invoices.

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
- Amounts follow the money rules of :mod:`punchout.amounts` (the rules our storefront builds its
  documents with), each within its tolerance: a line's amount is quantity × unit price rounded once
  (``line_amount_abs``); a line's tax, when the line states its rate, is its amount × the rate rounded
  per line (``tax_abs``); each shipping or special handling tax detail that states a rate is its
  charge × the rate (``tax_abs``); the lines add up to the subtotal, and subtotal + tax + shipping +
  special handling to the stated total (``header_amount_abs``); the header tax equals the line taxes
  plus the shipping and handling tax details (when lines carry tax), else the sum of its tax details
  (``tax_abs``). An EN 16931 invoice's VAT breakdown (BG-23, tax details of purpose
  :data:`VAT_BREAKDOWN`) states each rate's VAT on its basis of lines and charges: the VAT is
  accepted within one minor unit of the basis × the rate rounded, or further only as far as rounding
  each of the rate's lines and charges on its own can take it (half a minor unit each: the seller's
  VAT may be the sum of its lines' rounded VAT, EN 16931 BR-S-09/BR-CO-17), plus ``tax_abs``.
  Header tax stays within ``max_tax_rate_pct`` of the subtotal when set; shipping
  above ``shipping_max`` is an exception (0 = no shipping accepted, None = any).
- A credit memo (negative amounts) must map to order lines and cannot credit more than was invoiced;
  its amounts follow the same rules, except that a line without quantity is a price correction (its
  amount is not quantity × price).
- An invoice whose only variance is that less was received than invoiced (within what was ordered)
  waits for the goods receipt (:attr:`MatchResult.waits_for_receipt`) rather than being an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from openprocure.buyer.invoicing import units
from openprocure.buyer.invoicing.findings import (
    Check,
    Figures,
    Finding,
    LineRef,
    header_finding,
    line_figures,
    no_order_line_figures,
    tax_figures,
    tax_rate_figures,
    unit_figures,
    vat_breakdown_figures,
    waits_for_receipt,
)
from punchout import amounts
from punchout.money import quantize_money

#: The ``purpose`` of a tax detail read from an EN 16931 VAT breakdown (BG-23): one rate's VAT
#: (BT-117) on its basis of lines and charges (BT-116), where cXML states lines and charges apart.
VAT_BREAKDOWN = "vatBreakdown"

ZERO = Decimal(0)
ONE = Decimal(1)
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
    unit: str = ""  # cXML UnitOfMeasure of the order line
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
    tax_rate: Decimal | None = None  # percent, when the line states one rate
    unit: str = ""  # UN/ECE Rec 20 code (BT-130) or cXML UnitOfMeasure


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
    tax_details: Sequence[amounts.TaxDetail] = ()


class LineResult:
    """What happened to one invoice line: the order line it maps to and its checks.

    The matcher records its checks compactly; ``findings`` turns them into :class:`Finding` objects
    on first access (an ordinary list from then on). ``ok`` does not need them.
    """

    __slots__ = ("_checks", "_findings", "line_number", "order_line")

    def __init__(
        self,
        line_number: int,
        order_line: OrderLine | None,
        findings: list[Finding] | None = None,
        *,
        checks: list[Check] | None = None,
    ) -> None:
        self.line_number = line_number
        self.order_line = order_line
        self._checks = checks
        self._findings = [] if findings is None and checks is None else findings

    @property
    def findings(self) -> list[Finding]:
        findings = self._findings
        if findings is None:
            n = self.line_number
            findings = self._findings = [
                Finding(code, ok, n, Figures(render, args)) for code, ok, render, args in self._checks or ()
            ]
            self._checks = None
        return findings

    @findings.setter
    def findings(self, value: list[Finding]) -> None:
        self._findings = value
        self._checks = None

    def findings_json(self) -> list[dict[str, Any]]:
        """``[f.as_json() for f in self.findings]``, formatted straight from the recorded checks."""
        if self._findings is not None:
            return [f.as_json() for f in self._findings]
        n = self.line_number
        return [
            {"code": code, "ok": ok, "line": n, "params": render(*args)}
            for code, ok, render, args in self._checks or ()
        ]

    @property
    def ok(self) -> bool:
        if self._findings is None:
            for check in self._checks or ():
                if not check[1]:
                    return False
            return True
        return all(f.ok for f in self._findings)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LineResult):
            return NotImplemented
        return (self.line_number, self.order_line, self.findings) == (
            other.line_number,
            other.order_line,
            other.findings,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value, so deliberately unhashable

    def __repr__(self) -> str:
        return (
            f"LineResult(line_number={self.line_number!r}, order_line={self.order_line!r}, "
            f"findings={self.findings!r})"
        )


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

    @property
    def waits_for_receipt(self) -> bool:
        """Not matched only because less was received than invoiced, within what was ordered: the
        goods are on their way (an invoice sent at shipment), so the invoice waits for the receipt."""
        return waits_for_receipt(f.code for f in self.exceptions)

    def findings_json(self) -> list[dict[str, Any]]:
        """Every check as stored (``Finding.as_json``), in order, without building Finding objects."""
        stored = [item for line in self.lines for item in line.findings_json()]
        stored.extend(f.as_json() for f in self.header)
        return stored

    def explanation(self) -> list[str]:
        return [f.message for f in self.findings]


def _line_ref(inv: InvoiceLine, line: OrderLine) -> LineRef:
    return (inv.line_number, line.order, line.line_number)


def _variance(
    code: str, rule: amounts.Check, allowed: Decimal, quant: Decimal, figures: dict[str, Decimal]
) -> Finding:
    """``<code>_ok`` or ``<code>_variance``: whether the amount ``rule`` checked is within ``allowed``
    of what it should be; ``figures`` are followed by the difference and the allowance."""
    difference = amounts.round_to(rule.difference, quant)
    ok = abs(difference) <= allowed
    figures = {**figures, "difference": difference, "allowed": allowed}
    return header_finding(f"{code}_ok" if ok else f"{code}_variance", ok, quant, figures)


# -- the matcher --------------------------------------------------------------------------------------
def map_lines(
    invoice: Invoice, candidates: Mapping[str, Sequence[OrderLine]]
) -> list[tuple[InvoiceLine, OrderLine | None, str]]:
    """Each invoice line with its order line and how it was found (reference, part, amount or none)."""
    by_key: dict[tuple[str, int], OrderLine] = {}
    for lines in candidates.values():
        for line in lines:
            by_key[(line.order, line.line_number)] = line
    used: set[tuple[str, int]] = set()
    mapped: list[tuple[InvoiceLine, OrderLine | None, str]] = []
    pending = False
    for inv in invoice.lines:
        target = by_key.get((inv.order, inv.order_line)) if inv.order and inv.order_line is not None else None
        if target is not None:
            used.add((target.order, target.line_number))
            mapped.append((inv, target, "reference"))
        else:
            pending = True
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


_NOTHING_SEEN = (ZERO, ZERO)
_MAPPED = {"reference": "mapped_reference", "part": "mapped_part", "amount": "mapped_amount"}


def match_invoice(
    invoice: Invoice,
    candidates: Mapping[str, Sequence[OrderLine]],
    *,
    tolerance_for: Callable[[OrderLine | None], Tolerance],
) -> MatchResult:
    """Match one invoice (or credit memo); ``tolerance_for(None)`` gives the header tolerance.

    Every check is decided here with exact Decimal arithmetic; its figures are kept raw and formatted
    only when the findings are read (see :class:`Figures`).
    """
    header_tolerance = tolerance_for(None)
    currency = invoice.currency
    quant = amounts.money_quant(currency)
    is_credit = invoice.is_credit
    running: dict[tuple[str, int], tuple[Decimal, Decimal]] = {}
    results: list[LineResult] = []
    modes: set[str] = set()
    currencies_checked: set[str] = set()
    header: list[Finding] = []
    mapped = map_lines(invoice, candidates)
    rules = amounts.check(_stated(invoice, mapped))
    line_rules: dict[int, list[amounts.Check]] = {}
    header_rules: list[amounts.Check] = []
    for rule in rules:
        if rule.rule in (amounts.LINE_AMOUNT, amounts.LINE_TAX):
            line_rules.setdefault(rule.line or 0, []).append(rule)
        else:
            header_rules.append(rule)
    for index, (inv, order_line, how) in enumerate(mapped):
        n = inv.line_number
        if order_line is None:
            check = (
                "no_order_line",
                False,
                no_order_line_figures,
                (n, inv.order, inv.order_line, inv.part_id, inv.amount, quant),
            )
            results.append(LineResult(n, None, checks=[check]))
            continue
        order = order_line.order
        order_line_number = order_line.line_number
        checks: list[Check] = [
            (
                _MAPPED[how],
                True,
                line_figures,
                (_line_ref(inv, order_line), (("amount", "money", inv.amount),), quant, order_line.part_id),
            )
        ]
        results.append(LineResult(n, order_line, checks=checks))
        same_unit = units.order_unit(inv.unit, order_line.unit)
        if same_unit is False or (same_unit and inv.unit.strip().upper() != order_line.unit.strip().upper()):
            code = "unit_mapped" if same_unit else "unit_mismatch"
            checks.append(
                (
                    code,
                    bool(same_unit),
                    unit_figures,
                    (_line_ref(inv, order_line), inv.unit, order_line.unit),
                )
            )
            if not same_unit:
                continue  # quantities in different units cannot be compared
        if order_line.currency != currency and order not in currencies_checked:
            currencies_checked.add(order)
            header.append(
                Finding(
                    "currency_mismatch",
                    False,
                    None,
                    {"invoice": currency, "order": order, "currency": order_line.currency},
                )
            )
        tolerance = tolerance_for(order_line)
        modes.add(tolerance.mode)
        key = (order, order_line_number)
        seen_qty, seen_amount = running.get(key, _NOTHING_SEEN)
        running[key] = (seen_qty + inv.quantity, seen_amount + inv.amount)
        if is_credit:
            _check_credit(checks, inv, order_line, seen_amount, quant)
            if not inv.quantity:
                continue  # a price correction: its amount is not quantity × price
        else:
            _check_quantities(checks, inv, order_line, tolerance, seen_qty)
            _check_price(checks, inv, order_line, tolerance)
        _check_line_rules(checks, inv, order_line, tolerance, quant, line_rules.get(index, ()))
    _check_header(header, invoice, header_tolerance, quant, header_rules)
    mode = THREE_WAY if THREE_WAY in modes else (TWO_WAY if modes else header_tolerance.mode)
    return MatchResult(mode=mode, lines=results, header=header)


def _stated(invoice: Invoice, mapped: Sequence[tuple[InvoiceLine, OrderLine | None, str]]) -> amounts.Stated:
    """The invoice as the money rules read it: each line numbered by its position, priced in the
    price basis of the order line it maps to."""
    return amounts.Stated(
        currency=invoice.currency,
        lines=[
            amounts.StatedLine(
                number=index,
                quantity=inv.quantity,
                unit_price=inv.unit_price,
                amount=inv.amount,
                tax=inv.tax,
                tax_rate=inv.tax_rate,
                price_basis_quantity=(order_line.price_basis_quantity or ONE) if order_line else ONE,
            )
            for index, (inv, order_line, _how) in enumerate(mapped)
        ],
        tax=invoice.tax,
        subtotal=invoice.subtotal,
        shipping=invoice.shipping,
        special_handling=invoice.special_handling,
        total=invoice.total,
        tax_details=invoice.tax_details,
    )


def _check_quantities(
    checks: list[Check], inv: InvoiceLine, line: OrderLine, tolerance: Tolerance, seen_qty: Decimal
) -> None:
    invoiced = line.invoiced_before + line.credited_quantity + seen_qty + inv.quantity
    against = [("ordered", line.ordered)]
    if tolerance.mode == THREE_WAY:
        against.append(("received", line.received))
    for name, limit in against:
        allowed = limit * tolerance.quantity_pct / HUNDRED
        over = invoiced - limit
        ok = over <= allowed
        figures = (
            ("invoiced", "qty", invoiced),
            ("ordered", "qty", line.ordered),
            ("received", "qty", line.received),
            ("over", "qty", over),
            ("allowed", "qty", allowed),
        )
        code = f"quantity_{name}_ok" if ok else f"quantity_over_{name}"
        checks.append((code, ok, line_figures, (_line_ref(inv, line), figures)))


def _price_allowance(order_price: Decimal, tolerance: Tolerance) -> Decimal:
    limits = []
    if tolerance.price_pct is not None:
        limits.append(order_price * tolerance.price_pct / HUNDRED)
    if tolerance.price_abs is not None:
        limits.append(tolerance.price_abs)
    return min(limits) if limits else ZERO


def _check_price(checks: list[Check], inv: InvoiceLine, line: OrderLine, tolerance: Tolerance) -> None:
    basis = line.price_basis_quantity or ONE
    order_price = line.unit_price
    price = inv.unit_price
    if line.credited_amount and inv.quantity + line.credited_quantity > 0:
        # a credit memo on this line corrects the price: judge the net price
        price = (inv.amount + line.credited_amount) * basis / (inv.quantity + line.credited_quantity)
    allowed = _price_allowance(order_price, tolerance)
    over = price - order_price
    pct = (over * HUNDRED / order_price) if order_price else ZERO
    ok = over <= allowed
    figures = (
        ("price", "price", price),
        ("order_price", "price", order_price),
        ("over", "price", over),
        ("pct", "pct", pct),
        ("allowed", "price", allowed),
    )
    checks.append(("price_ok" if ok else "price_over", ok, line_figures, (_line_ref(inv, line), figures)))


def _check_line_rules(
    checks: list[Check],
    inv: InvoiceLine,
    line: OrderLine,
    tolerance: Tolerance,
    quant: Decimal,
    rules: Sequence[amounts.Check],
) -> None:
    """The line's amount and tax by the money rules, within the line's tolerances."""
    n = inv.line_number
    for rule in rules:
        difference = amounts.round_to(rule.difference, quant)
        if rule.rule == amounts.LINE_AMOUNT:
            ok = abs(difference) <= tolerance.line_amount_abs
            figures = (
                ("amount", "money", inv.amount),
                ("quantity", "qty", inv.quantity),
                ("price", "price", inv.unit_price),
                ("expected", "money", rule.expected),
                ("difference", "money", difference),
                ("allowed", "money", tolerance.line_amount_abs),
            )
            code = "line_amount_ok" if ok else "line_amount_variance"
            checks.append((code, ok, line_figures, (_line_ref(inv, line), figures, quant)))
        elif inv.tax_rate is not None:
            ok = abs(difference) <= tolerance.tax_abs
            checks.append(
                (
                    "line_tax_ok" if ok else "line_tax_variance",
                    ok,
                    tax_figures,
                    (
                        n,
                        inv.tax_rate,
                        {
                            "tax": rule.stated,
                            "amount": inv.amount,
                            "expected": rule.expected,
                            "difference": difference,
                            "allowed": tolerance.tax_abs,
                        },
                        quant,
                    ),
                )
            )


def _check_credit(
    checks: list[Check], inv: InvoiceLine, line: OrderLine, seen_amount: Decimal, quant: Decimal
) -> None:
    invoiced = line.amount_before + line.credited_amount
    credited = -(inv.amount + seen_amount)
    ok = credited <= invoiced
    figures = (("credited", "money", credited), ("invoiced", "money", invoiced))
    code = "credit_ok" if ok else "credit_exceeds_invoiced"
    checks.append((code, ok, line_figures, (_line_ref(inv, line), figures, quant)))


_CHARGE_CODES = {amounts.SHIPPING: "shipping_tax", amounts.SPECIAL_HANDLING: "handling_tax"}


def _check_header(
    header: list[Finding],
    invoice: Invoice,
    tolerance: Tolerance,
    quant: Decimal,
    rules: Sequence[amounts.Check],
) -> None:
    """Subtotal, total, the tax on charges and the header tax by the money rules; then (invoices
    only) the highest tax rate and shipping limits."""
    by_rule: dict[str, list[amounts.Check]] = {}
    for rule in rules:
        by_rule.setdefault(rule.rule, []).append(rule)
    allowed = tolerance.header_amount_abs
    lines_total = sum((line.amount for line in invoice.lines), ZERO)
    subtotal = invoice.subtotal if invoice.subtotal is not None else lines_total
    for rule in by_rule.get(amounts.SUBTOTAL, ()):
        header.append(
            _variance("subtotal", rule, allowed, quant, {"lines": rule.expected, "subtotal": rule.stated})
        )
    for rule in by_rule.get(amounts.TOTAL, ()):
        figures: dict[str, Decimal] = {
            "subtotal": subtotal,
            "tax": invoice.tax,
            "shipping": invoice.shipping,
            "handling": invoice.special_handling,
            "expected": rule.expected,
            "total": rule.stated,
        }
        header.append(_variance("total", rule, allowed, quant, figures))
    for rule in by_rule.get(amounts.CHARGE_TAX, ()):
        detail = invoice.tax_details[rule.line or 0]
        assert detail.rate is not None  # checked only when the detail states its rate
        difference = amounts.round_to(rule.difference, quant)
        ok = abs(difference) <= tolerance.tax_abs
        code = _CHARGE_CODES[rule.purpose]
        header.append(
            Finding(
                f"{code}_ok" if ok else f"{code}_variance",
                ok,
                None,
                Figures(
                    tax_figures,
                    (
                        None,
                        detail.rate,
                        {
                            "tax": rule.stated,
                            "taxable": detail.taxable,
                            "expected": rule.expected,
                            "difference": difference,
                            "allowed": tolerance.tax_abs,
                        },
                        quant,
                    ),
                ),
            )
        )
    charge_details = [
        detail for detail in invoice.tax_details if amounts.charge_purpose(detail.purpose) is not None
    ]
    charges = sum((detail.amount for detail in charge_details), ZERO)
    for rule in by_rule.get(amounts.TAX, ()):
        figures = {"tax": rule.stated}
        if rule.purpose == "details":
            code = "tax_details"
            figures["details"] = rule.expected
        elif charge_details:
            code = "tax_charges"
            figures.update(lines=rule.expected - charges, charges=charges, expected=rule.expected)
        else:
            code = "tax"
            figures["lines"] = rule.expected
        header.append(_variance(code, rule, tolerance.tax_abs, quant, figures))
    _check_vat_breakdown(header, invoice, tolerance, quant)
    if invoice.is_credit:
        return
    if tolerance.max_tax_rate_pct is not None and subtotal > 0:
        rate = invoice.tax * HUNDRED / subtotal
        if invoice.tax > subtotal * tolerance.max_tax_rate_pct / HUNDRED + tolerance.tax_abs:
            header.append(
                Finding(
                    "tax_rate_over",
                    False,
                    None,
                    Figures(
                        tax_rate_figures,
                        (invoice.tax, rate, subtotal, tolerance.max_tax_rate_pct, quant),
                    ),
                )
            )
    if tolerance.shipping_max is not None and invoice.shipping:
        over = invoice.shipping - tolerance.shipping_max
        if tolerance.shipping_max == 0:
            header.append(
                header_finding("shipping_not_allowed", False, quant, {"shipping": invoice.shipping})
            )
        else:
            ok = over <= 0
            header.append(
                header_finding(
                    "shipping_ok" if ok else "shipping_over",
                    ok,
                    quant,
                    {"shipping": invoice.shipping, "max": tolerance.shipping_max, "over": over},
                )
            )


def vat_range(basis: Decimal, rate: Decimal, items: int, quant: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """The VAT of one rate on ``basis``, as ``(expected, lowest, highest)``: the basis × the rate
    rounded once, and the range a VAT stated for it is accepted in: one minor unit either side of it,
    or as far as rounding each of ``items`` lines and charges on its own can take the sum (half a minor
    unit each)."""
    exact = basis * rate / HUNDRED
    expected = amounts.round_to(exact, quant)
    spread = quant * max(items, 1) / 2
    lowest = min(expected - quant, (exact - spread).quantize(quant, rounding=ROUND_CEILING))
    highest = max(expected + quant, (exact + spread).quantize(quant, rounding=ROUND_FLOOR))
    return expected, lowest, highest


def _check_vat_breakdown(
    header: list[Finding], invoice: Invoice, tolerance: Tolerance, quant: Decimal
) -> None:
    """Each VAT rate of an EN 16931 breakdown: its VAT within :func:`vat_range` (plus ``tax_abs``)."""
    stated_rates = any(line.tax_rate is not None for line in invoice.lines)
    for detail in invoice.tax_details:
        if detail.purpose != VAT_BREAKDOWN or detail.rate is None:
            continue
        lines = [line for line in invoice.lines if not stated_rates or line.tax_rate == detail.rate]
        charged = detail.taxable != sum((line.amount for line in lines), ZERO)
        items = len(lines) + charged
        expected, lowest, highest = vat_range(detail.taxable, detail.rate, items, quant)
        allowed = tolerance.tax_abs
        ok = lowest - allowed <= detail.amount <= highest + allowed
        figures = {
            "tax": detail.amount,
            "taxable": detail.taxable,
            "expected": expected,
            "lowest": lowest,
            "highest": highest,
            "allowed": allowed,
        }
        header.append(
            Finding(
                "vat_breakdown_ok" if ok else "vat_breakdown_variance",
                ok,
                None,
                Figures(vat_breakdown_figures, (detail.rate, figures, items, quant)),
            )
        )
