"""punchout.amounts: the money rules every document is built and checked with."""

from __future__ import annotations

from decimal import Decimal

import pytest

from punchout import amounts
from punchout.amounts import Charge, Line, Stated, StatedLine, TaxDetail

D = Decimal
VAT = D("20")


# -- rules 1 and 2: line amounts in the currency's minor unit ---------------------------------------
@pytest.mark.parametrize(
    ("quantity", "price", "currency", "basis", "expected"),
    [
        pytest.param("3", "33.3333", "EUR", "1", "100.00", id="eur-rounded-once"),
        pytest.param("3", "0.0125", "EUR", "1", "0.04", id="eur-half-up"),
        pytest.param("3", "33.3333", "JPY", "1", "100", id="jpy-no-decimals"),
        pytest.param("7", "150.5", "JPY", "1", "1054", id="jpy-half-up"),
        pytest.param("3", "0.3335", "KWD", "1", "1.001", id="kwd-three-decimals"),
        pytest.param("5", "12.00", "EUR", "10", "6.00", id="price-basis-quantity"),
        pytest.param("-1", "0.125", "EUR", "1", "-0.13", id="a-credit-is-the-exact-negative"),
    ],
)
def test_line_amount(quantity: str, price: str, currency: str, basis: str, expected: str) -> None:
    amount = amounts.line_amount(D(quantity), D(price), currency, D(basis))
    assert (amount, str(amount)) == (D(expected), expected)


@pytest.mark.parametrize(
    ("taxable", "rate", "currency", "expected"),
    [
        pytest.param("70.77", "20", "EUR", "14.15", id="down"),
        pytest.param("0.625", "20", "EUR", "0.13", id="half-up"),
        pytest.param("-0.625", "20", "EUR", "-0.13", id="negative-half-away-from-zero"),
        pytest.param("4.99", "20", "EUR", "1.00", id="shipping"),
        pytest.param("1054", "10", "JPY", "105", id="jpy"),
        pytest.param("1.001", "5.5", "KWD", "0.055", id="kwd"),
    ],
)
def test_tax_amount(taxable: str, rate: str, currency: str, expected: str) -> None:
    tax = amounts.tax_amount(D(taxable), D(rate), currency)
    assert str(tax) == expected


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (D("20"), "20"),
        (D("20.00"), "20"),
        (D("2E+1"), "20"),
        (D("5.5"), "5.5"),
        (D("19.60"), "19.6"),
        (D("0"), "0"),
        (D("0.00"), "0"),
    ],
    ids=str,
)
def test_a_rate_is_written_as_people_write_it(rate: Decimal, text: str) -> None:
    assert amounts.rate_text(rate) == text


# -- rules 3 to 7: a document ----------------------------------------------------------------------
def test_line_tax_is_rounded_per_line_and_the_header_tax_is_their_sum() -> None:
    # Three lines whose taxes each round down: 20 % of the subtotal 212.35 would be 42.47, the line
    # taxes add up to 42.46 — the header says 42.46.
    totals = amounts.compute(
        "EUR",
        [Line(D("1"), D("70.77"), VAT), Line(D("3"), D("23.59"), VAT), Line(D("1"), D("70.81"), VAT)],
    )
    assert [(line.amount, line.tax) for line in totals.lines] == [
        (D("70.77"), D("14.15")),
        (D("70.77"), D("14.15")),
        (D("70.81"), D("14.16")),
    ]
    assert (totals.subtotal, totals.shipping, totals.tax, totals.total) == (
        D("212.35"),
        D("0"),
        D("42.46"),
        D("254.81"),
    )
    assert totals.tax_details == (TaxDetail("tax", VAT, D("212.35"), D("42.46")),)


def test_shipping_is_taxed_as_its_own_detail_each_charge_rounded_once() -> None:
    totals = amounts.compute(
        "EUR",
        [Line(D("2"), D("329.45"), VAT)],
        [Charge(D("4.99"), VAT), Charge(D("4.99"), VAT), Charge(D("4.99"), VAT)],
    )
    assert totals.tax_details == (
        TaxDetail("tax", VAT, D("658.90"), D("131.78")),
        TaxDetail("shippingTax", VAT, D("4.99"), D("1.00")),
        TaxDetail("shippingTax", VAT, D("4.99"), D("1.00")),
        TaxDetail("shippingTax", VAT, D("4.99"), D("1.00")),
    )
    # 3 × 1.00 (each charge on its own), not 20 % of 14.97 = 2.99
    assert (totals.shipping, totals.tax, totals.total) == (D("14.97"), D("134.78"), D("808.65"))
    assert [d.amount for d in totals.details("shippingTax")] == [D("1.00")] * 3


def test_rates_special_handling_and_zero_charges() -> None:
    totals = amounts.compute(
        "EUR",
        [
            Line(D("1"), D("10.00"), D("5.5")),
            Line(D("1"), D("10.00"), VAT),
            Line(D("2"), D("1.00"), D("5.5")),
        ],
        [Charge(D("0"), VAT), Charge(D("3.00"), VAT, amounts.SPECIAL_HANDLING), Charge(D("2.50"), None)],
    )
    assert totals.tax_details == (
        TaxDetail("tax", D("5.5"), D("12.00"), D("0.66")),  # 0.55 + 0.11, each rounded on its line
        TaxDetail("tax", VAT, D("10.00"), D("2.00")),
        TaxDetail("specialHandlingTax", VAT, D("3.00"), D("0.60")),
    )
    # an untaxed shipping charge counts as shipping, with no tax detail; a zero charge is left out
    assert (totals.shipping, totals.special_handling, totals.tax, totals.total) == (
        D("2.50"),
        D("3.00"),
        D("3.26"),
        D("30.76"),
    )


def test_a_line_without_rate_is_untaxed() -> None:
    totals = amounts.compute("EUR", [Line(D("2"), D("1.005"))])
    assert (totals.lines[0].amount, totals.lines[0].tax, totals.tax_details) == (D("2.01"), D("0"), ())


def test_a_charge_is_shipping_or_special_handling() -> None:
    with pytest.raises(ValueError, match="a charge is shippingTax or specialHandlingTax, not 'duty'"):
        amounts.compute("EUR", [], [Charge(D("1.00"), VAT, "duty")])


@pytest.mark.parametrize(
    ("currency", "price", "shipping", "subtotal", "tax", "total"),
    [
        pytest.param("JPY", "1234", "499", "3702", "840", "5041", id="jpy"),
        pytest.param("KWD", "1.2345", "1.499", "3.704", "1.041", "6.244", id="kwd"),
    ],
)
def test_currencies_without_and_with_three_decimals(
    currency: str, price: str, shipping: str, subtotal: str, tax: str, total: str
) -> None:
    totals = amounts.compute(currency, [Line(D("3"), D(price), VAT)], [Charge(D(shipping), VAT)])
    assert [str(v) for v in (totals.subtotal, totals.tax, totals.total)] == [subtotal, tax, total]


# -- checking a stated document --------------------------------------------------------------------
def stated_from(totals: amounts.Totals, lines: list[Line], *, sign: int = 1) -> Stated:
    """A document stating exactly what the rules computed (negated for a credit memo)."""
    s = Decimal(sign)
    return Stated(
        currency=totals.currency,
        lines=[
            StatedLine(
                n, s * line.quantity, line.unit_price, s * priced.amount, s * priced.tax, line.tax_rate
            )
            for n, (line, priced) in enumerate(zip(lines, totals.lines, strict=True), start=1)
        ],
        tax=s * totals.tax,
        subtotal=s * totals.subtotal,
        shipping=s * totals.shipping,
        special_handling=s * totals.special_handling,
        total=s * totals.total,
        tax_details=[TaxDetail(d.purpose, d.rate, s * d.taxable, s * d.amount) for d in totals.tax_details],
    )


@pytest.mark.parametrize("currency", ["EUR", "JPY", "KWD"])
@pytest.mark.parametrize("sign", [1, -1], ids=["invoice", "credit-memo"])
def test_a_document_built_by_the_rules_passes_every_rule_exactly(currency: str, sign: int) -> None:
    lines = [Line(D("3"), D("19.99"), VAT), Line(D("7"), D("0.0125"), VAT), Line(D("1"), D("70.77"), VAT)]
    totals = amounts.compute(
        currency, lines, [Charge(D("4.99"), VAT), Charge(D("2.5"), VAT, "specialHandlingTax")]
    )
    checks = amounts.check(stated_from(totals, lines, sign=sign))
    assert [(c.rule, c.line, c.ok) for c in checks] == [
        ("line_amount", 1, True),
        ("line_tax", 1, True),
        ("line_amount", 2, True),
        ("line_tax", 2, True),
        ("line_amount", 3, True),
        ("line_tax", 3, True),
        ("subtotal", None, True),
        ("charge_tax", 1, True),
        ("charge_tax", 2, True),
        ("tax", None, True),
        ("total", None, True),
    ]
    assert [c.purpose for c in checks if c.rule in ("charge_tax", "tax")] == [
        "shippingTax",
        "specialHandlingTax",
        "lines",
    ]


def test_a_header_tax_computed_on_the_subtotal_differs_from_the_line_taxes() -> None:
    """What our storefront used to send: the header tax as 20 % of the subtotal."""
    lines = [Line(D("1"), D("70.77"), VAT), Line(D("3"), D("23.59"), VAT), Line(D("1"), D("70.81"), VAT)]
    totals = amounts.compute("EUR", lines)
    stated = stated_from(totals, lines)
    stated = Stated(
        currency="EUR",
        lines=stated.lines,
        tax=D("42.47"),
        subtotal=D("212.35"),
        total=D("254.82"),
    )
    tax = next(c for c in amounts.check(stated) if c.rule == "tax")
    assert (tax.stated, tax.expected, tax.difference, tax.ok) == (D("42.47"), D("42.46"), D("0.01"), False)


def test_tax_on_shipping_counts_only_when_stated_as_its_own_detail() -> None:
    lines = [Line(D("2"), D("329.45"), VAT)]
    totals = amounts.compute("EUR", lines, [Charge(D("4.99"), VAT)])
    with_details = stated_from(totals, lines)
    assert [c.ok for c in amounts.check(with_details)] == [True] * 6
    # the same amounts without the shipping tax detail: the line taxes do not explain 1.00 of the tax
    without = Stated(
        currency="EUR",
        lines=with_details.lines,
        tax=with_details.tax,
        subtotal=with_details.subtotal,
        shipping=with_details.shipping,
        total=with_details.total,
    )
    tax = next(c for c in amounts.check(without) if c.rule == "tax")
    assert (tax.stated, tax.expected, tax.difference) == (D("132.78"), D("131.78"), D("1.00"))


def test_every_rule_reports_its_own_difference() -> None:
    stated = Stated(
        currency="EUR",
        lines=[
            # 3 × 19.99 = 59.97; 20 % of the stated 59.98 = 12.00
            StatedLine(1, D("3"), D("19.99"), D("59.98"), D("12.01"), VAT),
            StatedLine(2, D("1"), D("10.00"), D("10.00"), D("2.00"), None),  # no rate: its tax is not checked
        ],
        tax=D("15.10"),
        subtotal=D("70.00"),
        shipping=D("4.99"),
        total=D("90.00"),
        tax_details=[
            TaxDetail("tax", VAT, D("69.98"), D("14.00")),
            TaxDetail("SHIPPINGTAX", VAT, D("4.99"), D("0.99")),  # any case; 1.00 expected
        ],
    )
    assert [(c.rule, c.line, c.stated, c.expected, c.difference) for c in amounts.check(stated)] == [
        ("line_amount", 1, D("59.98"), D("59.97"), D("0.01")),
        ("line_tax", 1, D("12.01"), D("12.00"), D("0.01")),
        ("line_amount", 2, D("10.00"), D("10.00"), D("0.00")),
        ("subtotal", None, D("70.00"), D("69.98"), D("0.02")),
        ("charge_tax", 1, D("0.99"), D("1.00"), D("-0.01")),
        ("tax", None, D("15.10"), D("15.00"), D("0.10")),
        ("total", None, D("90.00"), D("90.09"), D("-0.09")),
    ]


def test_without_line_taxes_the_header_tax_is_checked_against_its_details() -> None:
    stated = Stated(
        currency="USD",
        lines=[StatedLine(1, D("1"), D("365"), D("365"))],
        tax=D("8"),
        tax_details=[TaxDetail("tax", D("8.25"), D("365"), D("7"))],
    )
    assert [(c.rule, c.stated, c.expected, c.purpose) for c in amounts.check(stated)] == [
        ("line_amount", D("365.00"), D("365.00"), ""),
        ("tax", D("8"), D("7"), "details"),
    ]


def test_a_header_credit_memo_without_lines_checks_only_its_total() -> None:
    stated = Stated(currency="EUR", lines=[], tax=D("-2.00"), subtotal=D("-10.00"), total=D("-12.00"))
    assert [(c.rule, c.ok) for c in amounts.check(stated)] == [("total", True)]
