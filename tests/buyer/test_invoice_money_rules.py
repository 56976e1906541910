"""The matcher checks invoices by the money rules of ``punchout.amounts`` (the rules our storefront builds
them with): an invoice of several lines with shipping taxed on its own matches with zero tolerance; a
header tax that is not the sum of the line taxes and the shipping tax, a wrong line tax or a wrong tax
on shipping is named, line by line, and the tolerances still absorb other suppliers' rounding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from openprocure.buyer.invoicing.models import Invoice, InvoiceException, ToleranceRule
from openprocure.core.models import User
from punchout import amounts, cxml
from tests.buyer.fulfilment_world import (
    ap_clerk,
    envelope,
    make_po,
    make_supplier,
    open_exceptions,
    post,
    receive,
)

pytestmark = pytest.mark.django_db
D = Decimal
VAT = D("20")
# The storefront's case: per-line rounding makes the line taxes 42.46 where 20 % of the subtotal is 42.47.
PO_LINES = [("PAPER-A4", "1", "70.77"), ("PEN-BLUE", "3", "23.59"), ("INK-BLACK", "1", "70.81")]


def vat(currency: str, details: list[amounts.TaxDetail], total: Decimal | None = None) -> cxml.Tax:
    return cxml.Tax(
        cxml.Money(sum((d.amount for d in details), D(0)) if total is None else total, currency),
        cxml.Description(f"VAT {amounts.rate_text(VAT)}%", "en"),
        details=[
            cxml.TaxDetail(
                category="vat",
                purpose=d.purpose,
                percentage_rate=d.rate,
                taxable_amount=cxml.Money(d.taxable, currency),
                tax_amount=cxml.Money(d.amount, currency),
            )
            for d in details
        ],
    )


def rules_invoice(
    *,
    invoice_id: str,
    lines: list[tuple[int, str, str]],
    shipping: tuple[str, ...] | list[str] = (),
    currency: str = "EUR",
    credit: bool = False,
) -> cxml.InvoiceDetailRequest:
    """An invoice built by the rules as our storefront builds it: ``lines`` are (order line, quantity,
    unit price); each shipping charge is its own shippingTax detail."""
    sign = D(-1) if credit else D(1)
    totals = amounts.compute(
        currency,
        [amounts.Line(D(q), D(p), VAT) for _n, q, p in lines],
        [amounts.Charge(D(s), VAT) for s in shipping],
    )
    items = [
        cxml.InvoiceDetailItem(
            invoice_line_number=index,
            quantity=sign * D(quantity),
            unit_of_measure="EA",
            unit_price=cxml.Money(D(price), currency),
            reference=cxml.InvoiceDetailItemReference(line_number=order_line),
            subtotal_amount=cxml.Money(sign * priced.amount, currency),
            tax=vat(currency, [amounts.TaxDetail("tax", VAT, sign * priced.amount, sign * priced.tax)]),
        )
        for index, ((order_line, quantity, price), priced) in enumerate(
            zip(lines, totals.lines, strict=True), 1
        )
    ]
    details = [
        amounts.TaxDetail(d.purpose, d.rate, sign * d.taxable, sign * d.amount) for d in totals.tax_details
    ]
    total = cxml.Money(sign * totals.total, currency)
    return cxml.InvoiceDetailRequest(
        header=cxml.InvoiceDetailRequestHeader(
            invoice_id=invoice_id,
            invoice_date=datetime(2026, 3, 10, tzinfo=UTC),
            purpose=cxml.InvoicePurpose.LINE_LEVEL_CREDIT_MEMO if credit else cxml.InvoicePurpose.STANDARD,
            line_indicators=["isTaxInLine"],
        ),
        orders=[
            cxml.InvoiceDetailOrder(
                order_reference=cxml.OrderReference(order_id="PO-2026-000001", payload_id="PO-2026-000001@b"),
                items=items,
            )
        ],
        summary=cxml.InvoiceDetailSummary(
            subtotal_amount=cxml.Money(sign * totals.subtotal, currency),
            tax=vat(currency, details),
            shipping_amount=cxml.Money(sign * totals.shipping, currency) if totals.shipping else None,
            gross_amount=total,
            net_amount=total,
            due_amount=total,
        ),
    )


def received_everything(client: Client, po: Any) -> None:
    client.force_login(User.objects.get(email="rita@acme.test"))
    receive(client, po, {n: q for n, (_part, q, _price) in enumerate(PO_LINES, 1)})


def test_an_invoice_built_by_the_rules_matches_with_zero_tolerance(client: Client) -> None:
    supplier, connection = make_supplier()
    po = make_po(supplier, connection, lines=PO_LINES)
    received_everything(client, po)
    request = rules_invoice(
        invoice_id="INV-R1",
        lines=[(1, "1", "70.77"), (2, "3", "23.59"), (3, "1", "70.81")],
        shipping=["4.99", "4.99", "4.99"],
    )
    status = post(client, envelope(request, payload_id="inv-r1@s"))
    assert (status.code, status.message) == (200, "Invoice INV-R1 matched and approved for payment.")
    invoice = Invoice.objects.get()
    assert (invoice.subtotal, invoice.shipping, invoice.tax, invoice.total) == (
        D("212.35"),
        D("14.97"),
        D("45.46"),
        D("272.78"),
    )
    assert invoice.tax_details == [
        {"purpose": "tax", "rate": "20", "taxable": "212.35", "amount": "42.46"},
        {"purpose": "shippingTax", "rate": "20", "taxable": "4.99", "amount": "1.00"},
        {"purpose": "shippingTax", "rate": "20", "taxable": "4.99", "amount": "1.00"},
        {"purpose": "shippingTax", "rate": "20", "taxable": "4.99", "amount": "1.00"},
    ]
    assert list(invoice.lines.values_list("tax", "tax_rate")) == [
        (D("14.15"), D("20")),
        (D("14.15"), D("20")),
        (D("14.16"), D("20")),
    ]
    client.force_login(ap_clerk())
    page = client.get(f"/invoicing/{invoice.pk}/").content.decode()
    for shown in [
        "Line 1: tax 14.15 = 20% of 70.77.",
        "Line 3: tax 14.16 = 20% of 70.81.",
        "Tax on shipping: 1.00 = 20% of 4.99.",
        "Tax 45.46 = line taxes 42.46 + tax on shipping and special handling 3.00.",
        "Subtotal 212.35 + tax 45.46 + shipping 14.97 + handling 0.00 = total 272.78.",
        "<td>Tax on shipping</td><td>20 %</td><td>4.99\xa0EUR</td><td>1.00\xa0EUR</td>",
        "<td>14.16\xa0EUR (20 %)</td>",
    ]:
        assert shown in page, shown
    assert 'class="fail"' not in page
    from openprocure.buyer.spend.history import first_match_outcomes

    assert first_match_outcomes([invoice.pk]) == {invoice.pk: True}

    # The storefront's line-level credit memo of a return: negative, by the same rules, matched too.
    credit = rules_invoice(invoice_id="CM-R1", lines=[(2, "1", "23.59")], credit=True)
    status = post(client, envelope(credit, payload_id="cm-r1@s"))
    assert status.code == 200
    memo = Invoice.objects.get(number="CM-R1")
    assert (memo.kind, memo.status, memo.tax, memo.due_amount) == (
        "line_credit",
        "approved",
        D("-4.72"),
        D("-28.31"),
    )
    assert InvoiceException.objects.count() == 0


def _header_tax(amount: str) -> Callable[[cxml.InvoiceDetailRequest], None]:
    def tweak(request: cxml.InvoiceDetailRequest) -> None:
        request.summary.tax = cxml.Tax(cxml.Money(D(amount), "EUR"), cxml.Description("VAT", "en"))
        total = request.summary.subtotal_amount.amount + D("14.97") + D(amount)
        request.summary.gross_amount = request.summary.net_amount = request.summary.due_amount = cxml.Money(
            total, "EUR"
        )

    return tweak


def _line_tax(index: int, amount: str) -> Callable[[cxml.InvoiceDetailRequest], None]:
    def tweak(request: cxml.InvoiceDetailRequest) -> None:
        item = request.orders[0].items[index]
        assert item.tax is not None and item.tax.money is not None
        shift = D(amount) - item.tax.money.amount
        item.tax.money = cxml.Money(D(amount), "EUR")
        item.tax.details[0].tax_amount = cxml.Money(D(amount), "EUR")
        summary = request.summary
        assert summary.tax is not None and summary.tax.money is not None
        summary.tax.money = cxml.Money(summary.tax.money.amount + shift, "EUR")
        goods = summary.tax.details[0]
        goods.tax_amount = cxml.Money(goods.tax_amount.amount + shift, "EUR")  # type: ignore[union-attr]
        for field in ("gross_amount", "net_amount", "due_amount"):
            setattr(summary, field, cxml.Money(getattr(summary, field).amount + shift, "EUR"))

    return tweak


def _shipping_tax(amount: str) -> Callable[[cxml.InvoiceDetailRequest], None]:
    def tweak(request: cxml.InvoiceDetailRequest) -> None:
        summary = request.summary
        assert summary.tax is not None and summary.tax.money is not None
        detail = summary.tax.details[1]
        shift = D(amount) - detail.tax_amount.amount  # type: ignore[union-attr]
        detail.tax_amount = cxml.Money(D(amount), "EUR")
        summary.tax.money = cxml.Money(summary.tax.money.amount + shift, "EUR")
        for field in ("gross_amount", "net_amount", "due_amount"):
            setattr(summary, field, cxml.Money(getattr(summary, field).amount + shift, "EUR"))

    return tweak


VARIANCES: list[tuple[str, Any, dict[str, Any], list[tuple[str, str]]]] = [
    (
        # Shipping's VAT in the header tax and on no line or detail (what our storefront used to send)
        "shipping-tax-in-no-detail",
        _header_tax("45.46"),
        {},
        [
            (
                "tax_variance",
                "Tax 45.46 but the line taxes add up to 42.46: differs by 3.00 (tolerance 0.00).",
            )
        ],
    ),
    ("shipping-tax-in-no-detail-within-tolerance", _header_tax("45.46"), {"tax_abs": D("3.00")}, []),
    (
        # The header tax computed on the subtotal instead of summing the line taxes
        "header-tax-on-the-subtotal",
        _header_tax("42.47"),
        {},
        [
            (
                "tax_variance",
                "Tax 42.47 but the line taxes add up to 42.46: differs by 0.01 (tolerance 0.00).",
            )
        ],
    ),
    (
        "a-line-tax-off-by-a-cent",
        _line_tax(0, "14.16"),
        {},
        [
            (
                "line_tax_variance",
                "Line 1: tax 14.16 but 20% of 70.77 = 14.15: differs by 0.01 (tolerance 0.00).",
            )
        ],
    ),
    ("a-line-tax-off-by-a-cent-within-tolerance", _line_tax(0, "14.16"), {"tax_abs": D("0.01")}, []),
    (
        "a-shipping-tax-off-by-a-cent",
        _shipping_tax("0.99"),
        {},
        [
            (
                "shipping_tax_variance",
                "Tax on shipping 0.99 but 20% of 4.99 = 1.00: differs by -0.01 (tolerance 0.00).",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("tweak", "rule", "exceptions"), [case[1:] for case in VARIANCES], ids=[case[0] for case in VARIANCES]
)
def test_each_rule_is_named_when_broken_and_tolerances_still_apply(
    client: Client, tweak: Any, rule: dict[str, Any], exceptions: list[tuple[str, str]]
) -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection, lines=PO_LINES)
    ToleranceRule.objects.create(mode="2way", **rule)
    request = rules_invoice(
        invoice_id="INV-V",
        lines=[(1, "1", "70.77"), (2, "3", "23.59"), (3, "1", "70.81")],
        shipping=["4.99", "4.99", "4.99"],
    )
    tweak(request)
    assert post(client, envelope(request, payload_id="inv-v@s")).code == 200
    assert Invoice.objects.get().status == ("exception" if exceptions else "approved")
    assert open_exceptions() == exceptions


def test_a_kwd_invoice_keeps_its_three_decimals(client: Client) -> None:
    supplier, connection = make_supplier()
    po = make_po(supplier, connection, lines=[("DATES-1KG", "3", "0.3335")])
    po.currency = "KWD"
    po.save(update_fields=["currency"])
    ToleranceRule.objects.create(mode="2way")
    request = rules_invoice(
        invoice_id="INV-K", lines=[(1, "3", "0.3335")], shipping=["1.499"], currency="KWD"
    )
    assert post(client, envelope(request, payload_id="inv-k@s")).code == 200
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.subtotal, invoice.shipping, invoice.tax, invoice.total) == (
        "approved",
        D("1.001"),
        D("1.499"),
        D("0.500"),
        D("3.000"),
    )
    client.force_login(ap_clerk())
    page = client.get(f"/invoicing/{invoice.pk}/").content.decode()
    assert "Amount due 3.000\xa0KWD" in page
    assert "Line 1: tax 0.200 = 20% of 1.001." in page
    listing = client.get("/invoicing/").content.decode()
    assert "<td>3.000\xa0KWD</td>" in listing


def test_the_first_time_match_rate_counts_invoices_approved_without_a_human_touch(client: Client) -> None:
    supplier, connection = make_supplier()
    po = make_po(supplier, connection, lines=PO_LINES)
    client.force_login(User.objects.get(email="rita@acme.test"))
    receive(client, po, {1: "1", 2: "3"})  # line 3 not received yet
    # clean and received: approved by the matcher alone
    post(client, envelope(rules_invoice(invoice_id="INV-A", lines=[(1, "1", "70.77")]), payload_id="a@s"))
    # a price 0.01 above the order: an exception, which a clerk accepts
    post(client, envelope(rules_invoice(invoice_id="INV-B", lines=[(2, "3", "23.60")]), payload_id="b@s"))
    # its goods are not received yet: waiting, not decided
    post(client, envelope(rules_invoice(invoice_id="INV-C", lines=[(3, "1", "70.81")]), payload_id="c@s"))
    statuses = dict(Invoice.objects.values_list("number", "status"))
    assert statuses == {"INV-A": "approved", "INV-B": "exception", "INV-C": "awaiting"}
    clerk = ap_clerk()
    client.force_login(clerk)
    exception = InvoiceException.objects.get(status="open")
    assert exception.code == "price_over"
    answer = client.post(
        f"/invoicing/exceptions/{exception.pk}/accept/", {"reason": "Price rise agreed by phone"}
    )
    assert answer.status_code == 302
    assert Invoice.objects.get(number="INV-B").status == "approved"

    invoices = client.get("/spend/process/").context["data"].invoices
    assert (invoices.count, invoices.matched, invoices.first_time, invoices.first_time_pct) == (
        3,
        2,
        1,
        Decimal("50.0"),
    )
    page = client.get(invoices.urls["first_time"]).content.decode()
    assert "INV-A" in page
    assert "INV-B" not in page and "INV-C" not in page
