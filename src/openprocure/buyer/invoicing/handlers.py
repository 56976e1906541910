"""cXML InvoiceDetailRequest on the buyer's ``POST /cxml/`` (registered in ``apps.py``).

Authentication and payloadID idempotency come from :mod:`openprocure.buyer.fulfilment.inbound`;
the answer is 200 when the invoice is stored (matched or not), 400 for an unknown order, 409 for a
duplicate invoice number.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment.inbound import Accepted, Conflict, find_purchase_order, handle
from openprocure.buyer.invoicing import einvoice, services
from openprocure.buyer.invoicing.choices import InvoiceStatus
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.cxml_endpoint import Inbound
from punchout import cxml
from punchout.cxml.errors import InvalidDocument
from punchout.money import CURRENCIES


def invoice_detail_request(inbound: Inbound) -> cxml.CXML:
    return handle(inbound, _invoice)


def _invoice(inbound: Inbound, connection: PunchOutConnection) -> Accepted:
    request = inbound.document.message
    assert isinstance(request, cxml.InvoiceDetailRequest)
    supplier = connection.supplier
    header = request.header
    if not header.invoice_id:
        raise InvalidDocument(
            _("The invoice has no invoiceID."),
            path="/cXML/Request/InvoiceDetailRequest/InvoiceDetailRequestHeader",
        )
    orders: dict[str, PurchaseOrder] = {}
    for index, order in enumerate(request.orders, start=1):
        reference = order.order_reference
        if not (reference.order_id or reference.payload_id):
            continue  # a line not backed by an order: matched by part number or amount, or an exception
        po = find_purchase_order(
            supplier=supplier,
            reference=reference,
            path=f"/cXML/Request/InvoiceDetailRequest/InvoiceDetailOrder[{index}]/InvoiceDetailOrderInfo/OrderReference",
            lock=False,
        )
        orders[po.number] = po
        if reference.order_id:
            orders[reference.order_id] = po
        if reference.payload_id:
            orders[f"payload:{reference.payload_id}"] = po
    inbound.reference = ", ".join(sorted({po.number for po in orders.values()})) or header.invoice_id
    if str(header.operation) == "delete":
        year = header.invoice_date.year if header.invoice_date else None
        try:
            invoice = services.cancel_invoice(supplier=supplier, number=header.invoice_id, year=year or 0)
        except services.InvoicingError as error:
            raise InvalidDocument(error.message, path="/cXML/Request/InvoiceDetailRequest") from None
        return Accepted(
            reference=inbound.reference,
            message=_("Invoice %(number)s cancelled.") % {"number": invoice.number},
        )
    _check_currencies(request)
    parsed = einvoice.parsed_from_cxml(request, orders)
    try:
        invoice = services.receive_invoice(
            supplier=supplier,
            parsed=parsed,
            payload_id=inbound.document.payload_id or "",
            journal=inbound.journal,
            orders={po.number: po for po in orders.values()},
        )
    except services.InvoicingError as error:
        if error.code == "duplicate":
            raise Conflict(
                error.message, path="/cXML/Request/InvoiceDetailRequest/InvoiceDetailRequestHeader/@invoiceID"
            ) from None
        raise InvalidDocument(error.message, path="/cXML/Request/InvoiceDetailRequest") from None
    invoice.refresh_from_db(fields=["status"])
    outcomes: dict[str, str] = {
        InvoiceStatus.APPROVED: _("matched and approved for payment"),
        InvoiceStatus.EXCEPTION: _("received; it is being reviewed"),
        InvoiceStatus.AWAITING_RECEIPT: _("matched; it is approved for payment once the goods are received"),
    }
    outcome = outcomes.get(invoice.status, _("received"))
    return Accepted(
        reference=inbound.reference,
        message=_("Invoice %(number)s %(outcome)s.") % {"number": invoice.number, "outcome": outcome},
    )


def _check_currencies(request: cxml.InvoiceDetailRequest) -> None:
    """Refuse an invoice whose amounts are not in ISO 4217 currencies: we book amounts with their
    currency, and a code we cannot pay in is a permanent error the supplier must fix."""
    base = "/cXML/Request/InvoiceDetailRequest"
    summary = request.summary
    amounts: list[tuple[cxml.Money | None, str]] = [
        (summary.subtotal_amount, f"{base}/InvoiceDetailSummary/SubtotalAmount/Money"),
        (summary.net_amount, f"{base}/InvoiceDetailSummary/NetAmount/Money"),
        (summary.gross_amount, f"{base}/InvoiceDetailSummary/GrossAmount/Money"),
        (summary.due_amount, f"{base}/InvoiceDetailSummary/DueAmount/Money"),
    ]
    for o_index, order in enumerate(request.orders, start=1):
        for i_index, item in enumerate(order.items, start=1):
            line = f"{base}/InvoiceDetailOrder[{o_index}]/InvoiceDetailItem[{i_index}]"
            amounts += [
                (item.unit_price, f"{line}/UnitPrice/Money"),
                (item.subtotal_amount, f"{line}/SubtotalAmount/Money"),
            ]
    for money, path in amounts:
        if money is not None and money.currency not in CURRENCIES:
            raise InvalidDocument(
                _(
                    "The currency %(currency)s is not an ISO 4217 code: send the invoice in EUR, USD or another ISO code."
                )
                % {"currency": repr(money.currency[:10])},
                path=path,
            )
