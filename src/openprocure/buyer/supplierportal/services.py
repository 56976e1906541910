"""What a supplier does on the portal, turned into the documents its system would have sent, and
handed to the very services that apply those documents when they arrive by cXML: a confirmation to
``fulfilment.services.record_confirmation``, a shipment to ``fulfilment.services.record_ship_notice``,
an invoice to ``invoicing.einvoice.parsed_from_cxml`` + ``invoicing.services.receive_invoice`` (which
matches it). The document is kept in the journal (inbound, with the address it came from), and the
order's timeline records the action with that address.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment import services as fulfilment
from openprocure.buyer.fulfilment.models import Confirmation, ShipNotice
from openprocure.buyer.invoicing import einvoice
from openprocure.buyer.invoicing import services as invoicing
from openprocure.buyer.invoicing.models import Invoice
from openprocure.buyer.purchasing.documents import USER_AGENT, payload_domain
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine
from openprocure.buyer.supplierportal.models import SupplierAccount
from openprocure.core.audit import record_event
from openprocure.core.choices import Direction
from openprocure.core.exceptions import ServiceError
from openprocure.core.journal import record_document
from openprocure.core.models import User
from punchout import cxml
from punchout.amounts import line_amount, tax_amount
from punchout.money import stated_unit_price

ZERO = Decimal(0)


class PortalError(ServiceError):
    """An action the buyer's services refused; the message says what to change."""


def _moment(day: date | None) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time(12))) if day else None


def _reference(po: PurchaseOrder) -> cxml.OrderReference:
    """The order as the documents name it: its number and the payloadID of the e-mailed OrderRequest."""
    sent = po.transmissions.filter(type="new").order_by("id").first()
    return cxml.OrderReference(order_id=po.number, payload_id=sent.payload_id if sent else po.number)


def _journal(po: PurchaseOrder, message: Any, email: str) -> tuple[str, Any]:
    """Keep the document the portal made for ``po`` in the journal, as if the supplier had sent it."""
    payload_id = cxml.new_payload_id(payload_domain())
    header = cxml.make_header(
        from_=[cxml.Credential("email", email)],
        to=[cxml.Credential("NetworkId", payload_domain())],
        sender=[cxml.Credential("email", email)],
        user_agent=USER_AGENT,
    )
    body = cxml.build(
        cxml.CXML(
            message=message,
            payload_id=payload_id,
            timestamp=timezone.now().replace(microsecond=0),
            header=header,
        )
    )
    journal = record_document(
        direction=Direction.INBOUND,
        raw=body,
        kind=message.KIND,
        payload_id=payload_id,
        partner=po.supplier.name,
        reference=po.number,
        parsed={"source": "supplier portal", "email": email},
        content_type="text/xml; charset=utf-8",
    )
    return payload_id, journal


def confirm_order(
    *, po: PurchaseOrder, email: str, answers: dict[int, tuple[str, Decimal, date | None]], comment: str = ""
) -> Confirmation:
    """The supplier's answer per line (accept with a quantity and date, or reject), as a
    ConfirmationRequest: a lower quantity accepted rejects the rest."""
    lines = {line.line_number: line for line in po.lines.all()}
    items = []
    for number, (answer, quantity, day) in sorted(answers.items()):
        ordered = Decimal(lines[number].quantity)
        unit = lines[number].unit_of_measure
        if answer == "reject":
            statuses = [cxml.ConfirmationStatus(cxml.ConfirmationStatusType.REJECT, ordered, unit)]
        else:
            kind = cxml.ConfirmationStatusType.DETAIL if day else cxml.ConfirmationStatusType.ACCEPT
            statuses = [cxml.ConfirmationStatus(kind, quantity, unit, delivery_date=_moment(day))]
            if quantity < ordered:
                statuses.append(
                    cxml.ConfirmationStatus(cxml.ConfirmationStatusType.REJECT, ordered - quantity, unit)
                )
        items.append(
            cxml.ConfirmationItem(
                line_number=number, quantity=ordered, unit_of_measure=unit, statuses=statuses
            )
        )
    request = cxml.ConfirmationRequest(
        header=cxml.ConfirmationHeader(
            type=cxml.ConfirmationType.DETAIL,
            notice_date=timezone.now().replace(microsecond=0),
            confirm_id=f"portal-{secrets.token_hex(4)}",
            comments=[cxml.Comment(comment)] if comment else [],
        ),
        order_reference=_reference(po),
        items=items,
    )
    with transaction.atomic():
        locked = fulfilment.lock_po(po)
        payload_id, journal = _journal(locked, request, email)
        confirmation = fulfilment.record_confirmation(
            po=locked, request=request, payload_id=payload_id, journal=journal
        )
        record_event(
            PurchaseOrderEvent,
            locked,
            "portal_confirmation",
            detail={"email": email, "payload_id": payload_id},
        )
    return confirmation


def open_to_ship(po: PurchaseOrder) -> dict[int, Decimal]:
    """Per line number, what is still to ship (ordered less what the live ship notices cover)."""
    shipped = fulfilment.shipped_in_order_unit(po)
    remaining = {}
    for line in po.lines.all():
        left = Decimal(line.quantity) - shipped.get(line.pk, ZERO)
        if left > 0:
            remaining[line.line_number] = left
    return remaining


def record_shipment(
    *,
    po: PurchaseOrder,
    email: str,
    carrier: str,
    tracking: str,
    quantities: dict[int, Decimal],
    delivery: date | None,
) -> ShipNotice:
    """A shipment of ``quantities`` (per line number) with its carrier and tracking number, as a
    ShipNoticeRequest."""
    lines = {line.line_number: line for line in po.lines.all()}
    now = timezone.now().replace(microsecond=0)
    request = cxml.ShipNoticeRequest(
        header=cxml.ShipNoticeHeader(
            shipment_id=f"{po.number}-{secrets.token_hex(3).upper()}",
            notice_date=now,
            shipment_date=now,
            delivery_date=_moment(delivery),
        ),
        controls=[
            cxml.ShipControl(
                carriers=[cxml.CarrierIdentifier("companyName", carrier)],
                shipment_identifiers=[cxml.ShipmentIdentifier(tracking)],
            )
        ],
        portions=[
            cxml.ShipNoticePortion(
                order_reference=_reference(po),
                items=[
                    cxml.ShipNoticeItem(n, q, lines[n].unit_of_measure) for n, q in sorted(quantities.items())
                ],
            )
        ],
    )
    with transaction.atomic():
        payload_id, journal = _journal(po, request, email)
        notice = fulfilment.record_ship_notice(
            supplier=po.supplier, request=request, payload_id=payload_id, journal=journal
        )
        record_event(
            PurchaseOrderEvent,
            po,
            "portal_shipment",
            detail={"email": email, "shipment_id": notice.shipment_id, "payload_id": payload_id},
        )
    return notice


def invoiceable(po: PurchaseOrder) -> dict[int, Decimal]:
    """Per line number, what may be invoiced from the portal: what shipped."""
    shipped = fulfilment.shipped_in_order_unit(po)
    return {line.line_number: shipped[line.pk] for line in po.lines.all() if shipped.get(line.pk)}


def _line_item(
    po: PurchaseOrder, index: int, line: PurchaseOrderLine, quantity: Decimal, rate: Decimal
) -> tuple[cxml.InvoiceDetailItem, Decimal, Decimal]:
    price = Decimal(line.unit_price)
    amount = line_amount(quantity, price, po.currency, Decimal(line.price_basis_quantity))
    tax = tax_amount(amount, rate, po.currency)
    money = lambda value: cxml.Money(value, po.currency)  # noqa: E731 - a local shorthand
    item = cxml.InvoiceDetailItem(
        invoice_line_number=index,
        quantity=quantity,
        unit_of_measure=line.unit_of_measure,
        unit_price=money(stated_unit_price(price, po.currency)),
        reference=cxml.InvoiceDetailItemReference(
            line_number=line.line_number,
            item_id=cxml.ItemID(line.supplier_part_id, line.supplier_part_auxiliary_id or None),
            description=cxml.Description(line.description or line.supplier_part_id, "en"),
        ),
        subtotal_amount=money(amount),
        tax=cxml.Tax(
            money(tax),
            cxml.Description("VAT", "en"),
            details=[
                cxml.TaxDetail(
                    category="vat", tax_amount=money(tax), taxable_amount=money(amount), percentage_rate=rate
                )
            ],
        ),
    )
    return item, amount, tax


def invoice_order(
    *,
    po: PurchaseOrder,
    email: str,
    number: str,
    invoice_date: date,
    lines: dict[int, tuple[Decimal, Decimal]],
) -> Invoice:
    """An invoice made from the order (``lines``: per line number, quantity and tax rate in percent),
    as an InvoiceDetailRequest: stored and matched as one sent by cXML."""
    by_number = {line.line_number: line for line in po.lines.all()}
    items, subtotal, tax = [], ZERO, ZERO
    for index, (n, (quantity, rate)) in enumerate(sorted(lines.items()), start=1):
        item, amount, line_tax = _line_item(po, index, by_number[n], quantity, rate)
        items.append(item)
        subtotal += amount
        tax += line_tax
    gross = subtotal + tax
    money = lambda value: cxml.Money(value, po.currency)  # noqa: E731 - a local shorthand
    request = cxml.InvoiceDetailRequest(
        header=cxml.InvoiceDetailRequestHeader(
            invoice_id=number, invoice_date=_moment(invoice_date), line_indicators=["isTaxInLine"]
        ),
        orders=[cxml.InvoiceDetailOrder(order_reference=_reference(po), items=items)],
        summary=cxml.InvoiceDetailSummary(
            subtotal_amount=money(subtotal),
            tax=cxml.Tax(money(tax), cxml.Description("VAT", "en")),
            net_amount=money(gross),
            gross_amount=money(gross),
            due_amount=money(gross),
        ),
    )
    try:
        with transaction.atomic():
            payload_id, journal = _journal(po, request, email)
            parsed = einvoice.parsed_from_cxml(request, {po.number: po})
            invoice = invoicing.receive_invoice(
                supplier=po.supplier,
                parsed=parsed,
                payload_id=payload_id,
                journal=journal,
                orders={po.number: po},
            )
            record_event(
                PurchaseOrderEvent,
                po,
                "portal_invoice",
                detail={"email": email, "invoice": invoice.number, "payload_id": payload_id},
            )
    except invoicing.InvoicingError as error:
        raise PortalError(error.message) from None
    return invoice


def upload_invoice(*, po: PurchaseOrder, email: str, data: bytes, name: str, content_type: str) -> Invoice:
    """A Factur-X, UBL or CII invoice file for the order: read, stored and matched as the buyer reads
    an uploaded e-invoice. The link proves the supplier; a file that names another order, or a seller
    registered as another supplier, is refused."""
    try:
        parsed = einvoice.parse_einvoice(data, filename=name)
    except einvoice.EInvoiceError as error:
        raise PortalError(str(error)) from None
    named = {parsed.order_number} | {line.order_number for line in parsed.lines}
    other = sorted(number for number in named if number and number != po.number)
    if other:
        raise PortalError(
            _("This file invoices order %(other)s, not %(number)s: upload it from that order's link.")
            % {"other": ", ".join(other), "number": po.number}
        )
    try:
        seller = invoicing.supplier_for(parsed.seller_identifiers)
    except invoicing.InvoicingError:
        seller = po.supplier  # no registered identifier: the link says who sends it
    if seller.pk != po.supplier_id:
        raise PortalError(
            _("The seller of this file is registered as another supplier: it cannot invoice this order.")
        )
    parsed.order_number = po.number
    for line in parsed.lines:
        line.order_number = line.order_number or po.number
    try:
        with transaction.atomic():
            invoice = invoicing.receive_invoice(
                supplier=po.supplier,
                parsed=parsed,
                original=invoicing.Original(content=data, name=name[:200], content_type=content_type[:100]),
                orders={po.number: po},
            )
            record_event(
                PurchaseOrderEvent,
                po,
                "portal_invoice",
                detail={"email": email, "invoice": invoice.number, "file": name[:200]},
            )
    except invoicing.InvoicingError as error:
        raise PortalError(error.message) from None
    return invoice


def describe_refusal(error: Exception) -> str:
    """What a refusal of the buyer's services says, for the page."""
    return getattr(error, "message", "") or str(error) or _("The action was refused.")


def create_account(*, po: PurchaseOrder, email: str, password: str) -> SupplierAccount:
    """The account of the supplier of ``po`` for ``email`` (the address a valid link of ``po`` went
    to), with ``password`` (already checked by the validators); recorded on the order. An address
    that already has an account on this site (the supplier's or a person of the company) is
    refused: that person signs in instead."""
    address = email.strip().lower()
    with transaction.atomic():
        if User.objects.filter(email=address).exists():
            raise PortalError(
                _("%(email)s already has an account on this site: sign in with it.") % {"email": address}
            )
        user = User.objects.create_user(email=address, password=password)
        account = SupplierAccount.objects.create(user=user, supplier=po.supplier)
        record_event(PurchaseOrderEvent, po, "portal_account_created", actor=None, detail={"email": address})
    return account
