"""Shared by the storefront's money tests: a cart, an order's confirmations and an invoice read as the
money rules of ``punchout.amounts`` read them."""

from __future__ import annotations

from decimal import Decimal

from punchout import amounts, cxml

D = Decimal


def details_of(tax: cxml.Tax | None) -> list[amounts.TaxDetail]:
    if tax is None:
        return []
    return [
        amounts.TaxDetail(
            d.purpose or "tax",
            d.percentage_rate,
            d.taxable_amount.amount if d.taxable_amount else D(0),
            d.tax_amount.amount if d.tax_amount else D(0),
        )
        for d in tax.details
    ]


def goods_detail(tax: cxml.Tax) -> amounts.TaxDetail:
    (detail,) = [d for d in details_of(tax) if d.purpose == "tax"]
    return detail


def stated_cart(message: cxml.PunchOutOrderMessage) -> amounts.Stated:
    """The cart as the rules read it: a line's amount is the taxable amount of its VAT detail."""
    header = message.header
    lines = []
    for item in message.items:
        goods = goods_detail(item.tax)
        lines.append(
            amounts.StatedLine(
                item.line_number or 0,
                item.quantity,
                item.item_detail.unit_price.amount,
                goods.taxable,
                goods.amount,
                goods.rate,
            )
        )
    return amounts.Stated(
        currency=header.total.currency,
        lines=lines,
        tax=header.tax.money.amount,
        subtotal=header.total.amount,
        shipping=header.shipping.money.amount,
        tax_details=details_of(header.tax),
    )


def stated_invoice(request: cxml.InvoiceDetailRequest) -> amounts.Stated:
    summary = request.summary
    lines = []
    for order in request.orders:
        for item in order.items:
            goods = goods_detail(item.tax)
            lines.append(
                amounts.StatedLine(
                    item.invoice_line_number,
                    item.quantity,
                    item.unit_price.amount,
                    item.subtotal_amount.amount,
                    item.tax.money.amount,
                    goods.rate,
                )
            )
    return amounts.Stated(
        currency=summary.subtotal_amount.currency,
        lines=lines,
        tax=summary.tax.money.amount,
        subtotal=summary.subtotal_amount.amount,
        shipping=summary.shipping_amount.amount if summary.shipping_amount else D(0),
        total=summary.gross_amount.amount,
        tax_details=details_of(summary.tax),
    )


def failed(stated: amounts.Stated) -> list[amounts.Check]:
    checks = amounts.check(stated)
    assert {c.rule for c in checks} >= {"line_amount", "tax"}  # the rules did run
    return [c for c in checks if not c.ok]
