"""How the storefront prices a document: the money rules of :mod:`punchout.amounts` with our VAT rate
and shipping charges, and the cXML ``Tax`` elements that state them.

Carts, orders, confirmations, invoices and credit memos are all priced here, so they agree to the
cent with each other and with what a buyer's system checks:

- every line is taxed at the ``VAT_RATE`` tunable, rounded per line;
- shipping is one charge per marketplace seller (items we fulfil ship free), on the seller's first
  line not fulfilled by us, in the currency's minor unit (4.99 EUR, 5 JPY, 4.990 KWD), and is taxed
  as its own ``TaxDetail purpose="shippingTax"``;
- the header tax is the sum of the tax details; the total is lines + shipping + tax.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from openprocure.core.tunables import tunable
from punchout import amounts, cxml
from punchout.money import Money, quantize_money

#: ``TaxDetail category`` of our tax.
VAT_CATEGORY = "vat"


def vat_rate() -> Decimal:
    """The VAT rate (percent) of every line and shipping charge: the ``VAT_RATE`` setting, else its default."""
    return Decimal(str(tunable("VAT_RATE")))


def shipping_per_seller(currency: str) -> Decimal:
    """The shipping charge of one marketplace seller, in the currency's minor unit."""
    return quantize_money(tunable("PUNCHOUT_SHIPPING_PER_SELLER"), currency)


def shipping_by_line(lines: Sequence[tuple[object, bool]], currency: str) -> list[Decimal]:
    """The shipping charge of each line, given its (seller, fulfilled by us): one charge per marketplace
    seller, on its first line not fulfilled by us; zero on every other line."""
    charged: set[object] = set()
    out = []
    for seller, fulfilled_by_us in lines:
        if fulfilled_by_us or seller in charged:
            out.append(Decimal(0))
            continue
        charged.add(seller)
        out.append(shipping_per_seller(currency))
    return out


def totals(
    currency: str, lines: Iterable[tuple[Decimal, Decimal]], shipping: Iterable[Decimal] = ()
) -> amounts.Totals:
    """A document of ``(quantity, unit price)`` lines and shipping charges, priced by the rules."""
    rate = vat_rate()
    return amounts.compute(
        currency,
        [amounts.Line(Decimal(quantity), Decimal(price), rate) for quantity, price in lines],
        [amounts.Charge(Decimal(charge), rate, amounts.SHIPPING) for charge in shipping],
    )


def vat_text(rate: Decimal | None = None) -> str:
    """The tax as people read it on a document: ``VAT 20%``."""
    return f"VAT {amounts.rate_text(vat_rate() if rate is None else rate)}%"


def _detail(detail: amounts.TaxDetail, currency: str) -> cxml.TaxDetail:
    text = vat_text(detail.rate)
    if detail.purpose == amounts.SHIPPING:
        text = f"{text} on shipping"
    elif detail.purpose == amounts.SPECIAL_HANDLING:
        text = f"{text} on special handling"
    return cxml.TaxDetail(
        category=VAT_CATEGORY,
        tax_amount=Money(detail.amount, currency),
        taxable_amount=Money(detail.taxable, currency),
        percentage_rate=detail.rate,
        purpose=detail.purpose,
        description=cxml.Description(text, lang="en"),
    )


def tax_element(
    currency: str, details: Sequence[amounts.TaxDetail], *, description: str | None = None
) -> cxml.Tax:
    """A cXML ``Tax``: the sum of ``details`` and one ``TaxDetail`` each (rule 6)."""
    total = sum((detail.amount for detail in details), Decimal(0))
    return cxml.Tax(
        Money(total, currency),
        cxml.Description(description or vat_text(), lang="en"),
        details=[_detail(detail, currency) for detail in details],
    )


def line_taxes(totals: amounts.Totals, shipping: Sequence[Decimal]) -> list[list[amounts.TaxDetail]]:
    """The tax details of each line of ``totals``: its VAT, plus the VAT of the shipping charge it
    carries (``shipping[i]``, as passed to :func:`totals`), so the line taxes add up to the header's."""
    charges = iter(totals.details(amounts.SHIPPING))
    out = []
    for line, charge in zip(totals.lines, shipping, strict=True):
        details = [amounts.TaxDetail(amounts.GOODS, line.tax_rate, line.amount, line.tax)]
        if quantize_money(Decimal(charge), totals.currency):
            details.append(next(charges))
        out.append(details)
    return out
