"""The money rules of a trade document, written once: the side that builds a document and the side
that checks it apply the same arithmetic.

Rules (cXML 1.2 ``Tax``/``TaxDetail``, ``InvoiceDetailSummary``; EN 16931 computes the same way):

1. Every amount is in the minor unit of its currency (ISO 4217: 0 decimals for JPY, 2 for EUR, 3 for
   KWD), rounded half up (half away from zero, so a credit is the exact negative of a debit). Unit
   prices may keep more decimals (see :func:`punchout.money.quantize_unit_price`).
2. A line's amount is quantity × unit price ÷ price basis quantity, rounded once.
3. A line's tax is its amount × its rate, rounded once per line (never spread from a header total).
4. Shipping and special handling are charges taxed on their own: each charge is one ``TaxDetail``
   (``purpose="shippingTax"`` or ``"specialHandlingTax"``), its tax rounded once.
5. The tax on the lines is one ``TaxDetail`` per rate (``purpose="tax"``): the sum of the line taxes
   at that rate, on the sum of those lines' amounts.
6. The header tax is the sum of the tax details.
7. The total is the subtotal (sum of line amounts) + shipping + special handling + tax.

:func:`compute` applies the rules to build a document; :func:`check` says, rule by rule, whether a
stated document follows them (exact differences: whoever reads them decides on a tolerance).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from punchout.money import minor_units

__all__ = [
    "GOODS",
    "SHIPPING",
    "SPECIAL_HANDLING",
    "Charge",
    "Check",
    "Line",
    "LineAmounts",
    "Stated",
    "StatedLine",
    "TaxDetail",
    "Totals",
    "check",
    "compute",
    "line_amount",
    "money_quant",
    "rate_text",
    "round_money",
    "round_to",
    "tax_amount",
]

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

#: ``TaxDetail purpose`` of the tax on goods and services (cXML's default purpose).
GOODS = "tax"
#: ``TaxDetail purpose`` of the tax on a shipping charge.
SHIPPING = "shippingTax"
#: ``TaxDetail purpose`` of the tax on a special handling charge.
SPECIAL_HANDLING = "specialHandlingTax"
_CHARGE_PURPOSES = {SHIPPING.casefold(): SHIPPING, SPECIAL_HANDLING.casefold(): SPECIAL_HANDLING}
_QUANTS: dict[str, Decimal] = {}


def money_quant(currency: str) -> Decimal:
    """The currency's minor unit as a quantize exponent (``Decimal("0.01")`` for EUR), cached: a bulk
    check of invoices looks it up for every amount (pass it to :func:`round_to`)."""
    quant = _QUANTS.get(currency)
    if quant is None:
        quant = _QUANTS[currency] = ONE.scaleb(-minor_units(currency))
    return quant


def round_to(value: Decimal, quant: Decimal) -> Decimal:
    """Rule 1 (what :func:`punchout.money.quantize_money` does) with the currency's exponent already
    looked up (:func:`money_quant`): half up, never ``-0``."""
    value = value.quantize(quant, rounding=ROUND_HALF_UP)
    return value.copy_abs() if not value else value


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Rule 1: ``amount`` in the minor unit of ``currency``, rounded half up."""
    return round_to(amount, money_quant(currency))


def line_amount(
    quantity: Decimal, unit_price: Decimal, currency: str, price_basis_quantity: Decimal = ONE
) -> Decimal:
    """Rule 2: quantity × unit price ÷ price basis quantity, in the currency's minor unit."""
    basis = price_basis_quantity or ONE
    return round_to(quantity * unit_price / basis, money_quant(currency))


def tax_amount(taxable: Decimal, rate: Decimal, currency: str) -> Decimal:
    """Rules 3 and 4: ``taxable`` × ``rate`` % in the currency's minor unit."""
    return round_to(taxable * rate / HUNDRED, money_quant(currency))


def rate_text(rate: Decimal) -> str:
    """A percentage as people write it: ``20``, ``5.5``, ``19.6`` (never ``2E+1`` nor ``20.00``)."""
    text = format(rate.normalize(), "f")
    return text if text not in ("-0", "") else "0"


def charge_purpose(purpose: str | None) -> str | None:
    """The charge a ``TaxDetail purpose`` taxes (:data:`SHIPPING`, :data:`SPECIAL_HANDLING`), any case;
    None for tax on goods or anything else."""
    return _CHARGE_PURPOSES.get((purpose or "").strip().casefold())


@dataclass(frozen=True, slots=True)
class Line:
    """A line to price: quantity, unit price (per ``price_basis_quantity`` units) and tax rate (%)."""

    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal | None = None
    price_basis_quantity: Decimal = ONE


@dataclass(frozen=True, slots=True)
class Charge:
    """A shipping or special handling charge (``purpose`` :data:`SHIPPING` or :data:`SPECIAL_HANDLING`)."""

    amount: Decimal
    tax_rate: Decimal | None = None
    purpose: str = SHIPPING


@dataclass(frozen=True, slots=True)
class LineAmounts:
    """A priced line: its amount and its tax (zero without a rate)."""

    amount: Decimal
    tax: Decimal
    tax_rate: Decimal | None


@dataclass(frozen=True, slots=True)
class TaxDetail:
    """One ``TaxDetail``: what it taxes (``purpose``), at which rate, on which amount, how much."""

    purpose: str
    rate: Decimal | None
    taxable: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    """A document priced by the rules: its lines, charges, tax details and totals."""

    currency: str
    lines: tuple[LineAmounts, ...]
    subtotal: Decimal
    shipping: Decimal
    special_handling: Decimal
    tax_details: tuple[TaxDetail, ...]

    @property
    def tax(self) -> Decimal:
        """Rule 6: the sum of the tax details."""
        return sum((detail.amount for detail in self.tax_details), ZERO)

    @property
    def total(self) -> Decimal:
        """Rule 7."""
        return self.subtotal + self.shipping + self.special_handling + self.tax

    def details(self, purpose: str) -> list[TaxDetail]:
        """The tax details of one purpose (:data:`GOODS`, :data:`SHIPPING`, :data:`SPECIAL_HANDLING`)."""
        return [detail for detail in self.tax_details if detail.purpose == purpose]


def compute(currency: str, lines: Iterable[Line], charges: Iterable[Charge] = ()) -> Totals:
    """Price a document by rules 1 to 7 (charges of zero are left out)."""
    priced: list[LineAmounts] = []
    by_rate: dict[Decimal, list[Decimal]] = {}
    for line in lines:
        amount = line_amount(line.quantity, line.unit_price, currency, line.price_basis_quantity)
        tax = ZERO
        if line.tax_rate is not None:
            tax = tax_amount(amount, line.tax_rate, currency)
            sums = by_rate.setdefault(line.tax_rate, [ZERO, ZERO])
            sums[0] += amount
            sums[1] += tax
        priced.append(LineAmounts(amount, tax, line.tax_rate))
    details = [TaxDetail(GOODS, rate, taxable, tax) for rate, (taxable, tax) in by_rate.items()]
    shipping = special_handling = ZERO
    for charge in charges:
        amount = round_money(charge.amount, currency)
        if not amount:
            continue
        purpose = charge_purpose(charge.purpose)
        if purpose is None:
            raise ValueError(f"a charge is {SHIPPING} or {SPECIAL_HANDLING}, not {charge.purpose!r}")
        if purpose == SHIPPING:
            shipping += amount
        else:
            special_handling += amount
        if charge.tax_rate is not None:
            details.append(
                TaxDetail(purpose, charge.tax_rate, amount, tax_amount(amount, charge.tax_rate, currency))
            )
    return Totals(
        currency=currency,
        lines=tuple(priced),
        subtotal=sum((line.amount for line in priced), ZERO),
        shipping=shipping,
        special_handling=special_handling,
        tax_details=tuple(details),
    )


# -- checking a stated document ---------------------------------------------------------------------
# The classes a check reads and writes are not frozen: a bulk run builds millions of them, and a
# frozen dataclass's __init__ costs twice as much.
@dataclass(slots=True)
class StatedLine:
    """A line as a document states it (``tax`` None when the line states no tax)."""

    number: int
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    tax: Decimal | None = None
    tax_rate: Decimal | None = None
    price_basis_quantity: Decimal = ONE


@dataclass(slots=True)
class Stated:
    """A document's amounts as stated (``subtotal``/``total`` None when it states none)."""

    currency: str
    lines: Sequence[StatedLine]
    tax: Decimal = ZERO
    subtotal: Decimal | None = None
    shipping: Decimal = ZERO
    special_handling: Decimal = ZERO
    total: Decimal | None = None
    tax_details: Sequence[TaxDetail] = ()


#: The rules :func:`check` applies, in its order.
LINE_AMOUNT = "line_amount"  # rule 2, per line
LINE_TAX = "line_tax"  # rule 3, per line stating a tax and a rate
SUBTOTAL = "subtotal"  # the line amounts add up to the stated subtotal (when there are lines)
CHARGE_TAX = "charge_tax"  # rule 4, per shipping or handling tax detail stating a rate
TAX = "tax"  # rules 5 and 6: line taxes + charge taxes (or the tax details) add up to the header tax
TOTAL = "total"  # rule 7


@dataclass(slots=True)
class Check:
    """One rule applied: what the document states, what the rule expects, and for which line/detail.

    ``line`` is the line number (rules applied per line) or the index of the tax detail
    (:data:`CHARGE_TAX`); None for the header.
    """

    rule: str
    line: int | None
    stated: Decimal
    expected: Decimal
    purpose: str = ""

    @property
    def difference(self) -> Decimal:
        return self.stated - self.expected

    @property
    def ok(self) -> bool:
        return self.stated == self.expected


def check(document: Stated) -> list[Check]:
    """Every rule applied to ``document``, in order (rules without data to check are left out).

    The header tax is checked against the line taxes plus the shipping and handling tax details when
    the lines state their tax, else against the sum of the tax details when there are any.
    """
    quant = money_quant(document.currency)
    checks: list[Check] = []
    line_taxes: list[Decimal] = []
    lines_total = ZERO
    for line in document.lines:
        amount = line.amount
        lines_total += amount
        expected = round_to(line.quantity * line.unit_price / (line.price_basis_quantity or ONE), quant)
        checks.append(Check(LINE_AMOUNT, line.number, round_to(amount, quant), expected))
        tax = line.tax
        if tax is not None:
            line_taxes.append(tax)
            if line.tax_rate is not None:
                expected = round_to(amount * line.tax_rate / HUNDRED, quant)
                checks.append(Check(LINE_TAX, line.number, round_to(tax, quant), expected))
    subtotal = document.subtotal if document.subtotal is not None else lines_total
    if document.subtotal is not None and document.lines:
        checks.append(Check(SUBTOTAL, None, document.subtotal, lines_total))
    charge_taxes = ZERO
    for index, detail in enumerate(document.tax_details):
        purpose = charge_purpose(detail.purpose)
        if purpose is None:
            continue
        charge_taxes += detail.amount
        if detail.rate is not None:
            expected = round_to(detail.taxable * detail.rate / HUNDRED, quant)
            checks.append(Check(CHARGE_TAX, index, detail.amount, expected, purpose))
    if line_taxes:
        checks.append(Check(TAX, None, document.tax, sum(line_taxes, ZERO) + charge_taxes, "lines"))
    elif document.tax_details:
        details = sum((detail.amount for detail in document.tax_details), ZERO)
        checks.append(Check(TAX, None, document.tax, details, "details"))
    if document.total is not None:
        expected = subtotal + document.shipping + document.special_handling + document.tax
        checks.append(Check(TOTAL, None, document.total, expected))
    return checks
