"""Invoices that come through the company's e-invoicing platform (registered from ``AppConfig.ready``
on ``openprocure.core.platform.hooks.invoice_received``).

Each goes through the same intake as an uploaded file: read (UBL, CII, Factur-X), checked to be
addressed to the entity it was pulled for (a buyer SIREN it names must be that entity's), its seller
recognised by identifier, stored with the original, matched. When the intake refuses it, the seller
is answered through the platform with the CDAR status 213 Rejetée, the reason code the French rules
allow (DOUBLON for a duplicate, REJ_ADR for another addressee, REJ_SEMAN otherwise) and the intake's
words; the flow is then filed as refused with the same reason. A file that cannot be read as an
invoice at all gives no invoice number (BT-1) nor seller SIREN, which a CDAR status needs
(BR-FR-CDV: the status names the invoice and its issuer): it is filed as refused with the reason,
and no 213 is sent; the operator tells the sender another way.

A status we record about an invoice that came through the platform (205 Approuvée, 207 En litige,
211 Paiement transmis…, see ``lifecycle.emit``) goes back to the seller the same way (registered on
``core.lifecycle.status_recorded``).

A CDAR status from a seller about one of its invoices (212 Encaissée, …) is recorded in the invoice's
history (``platform_status``); the seller is recognised by the SIREN of the invoice's issuer.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

from openprocure.buyer.invoicing import services
from openprocure.buyer.invoicing.einvoice import EInvoiceError, ParsedInvoice, parse_einvoice, seller_siren
from openprocure.buyer.invoicing.models import Invoice, InvoiceEvent
from openprocure.core import platform
from openprocure.core.audit import record_event
from openprocure.core.choices import Protocol
from openprocure.core.lifecycle import StatusMessage
from punchout import cdar

logger = logging.getLogger(__name__)

#: The 213 Rejetée reason code (BR-FR-CDV-CL-09) of an intake refusal, by its error code; REJ_SEMAN
#: for every other one.
WRONG_ADDRESSEE = "wrong_addressee"
REASON_CODES = {"duplicate": "DOUBLON", WRONG_ADDRESSEE: "REJ_ADR"}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _bare_identity(content: bytes) -> tuple[str, date | None]:
    """The invoice number (BT-1) and date (BT-2) of an XML invoice the intake could not read, when
    they can be found at all (to say which invoice the rejection is about)."""
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError:
        return "", None
    number = root.findtext("{*}ExchangedDocument/{*}ID") or root.findtext("{*}ID") or ""
    day = root.findtext("{*}ExchangedDocument/{*}IssueDateTime/{*}DateTimeString") or root.findtext(
        "{*}IssueDate"
    )
    digits = "".join(ch for ch in (day or "") if ch.isdigit())[:8]
    try:
        return number.strip(), date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) if digits else None
    except ValueError:
        return number.strip(), None


def _reject(entity: str, *, number: str, day: date, seller: str, reason_code: str, reason: str) -> None:
    """Answer the seller with 213 Rejetée through our platform."""
    platform.send_status(
        entity,
        number,
        "213",
        reason_code,
        reason[:1000],
        invoice_date=day,
        recipient=cdar.Party(id=seller, role="SE"),
        invoice_issuer_id=seller,
        role="BY",
    )


def receive_from_platform(*, entity: str, flow: Any, journal: Any = None) -> str:
    """Take an invoice from the platform; ``""`` when stored and matched, else why it was refused."""
    parsed: ParsedInvoice | None = None
    try:
        parsed = parse_einvoice(flow.content, filename=flow.name)
        if parsed.buyer_siren and parsed.buyer_siren != entity:
            raise services.InvoicingError(
                _(
                    "Invoice %(number)s is addressed to SIREN %(addressee)s, not to SIREN %(entity)s "
                    "whose platform delivered it: send it to its buyer's platform, or correct the "
                    "buyer's SIREN and send it again."
                )
                % {"number": parsed.number, "addressee": parsed.buyer_siren, "entity": entity},
                code=WRONG_ADDRESSEE,
            )
        supplier = services.supplier_for(parsed.seller_identifiers)
        services.receive_invoice(
            supplier=supplier,
            parsed=parsed,
            original=services.Original(
                content=flow.content, name=flow.name[:200], content_type=flow.content_type
            ),
            journal=journal,
        )
    except (EInvoiceError, services.InvoicingError) as error:
        reason = getattr(error, "message", str(error))
        code = REASON_CODES.get(getattr(error, "code", ""), "REJ_SEMAN")
        if parsed is not None:
            number, day, seller = parsed.number, parsed.invoice_date, seller_siren(parsed.seller_identifiers)
        else:
            (number, found), seller = _bare_identity(flow.content), ""
            day = found or date.today()
        if number and seller:
            _reject(entity, number=number, day=day, seller=seller, reason_code=code, reason=reason)
        else:
            logger.warning(
                "platform %s: flow %s refused without an answer (no invoice number or seller SIREN)",
                entity,
                flow.id,
            )
        return reason
    return ""


def record_platform_status(*, entity: str, status: cdar.StatusMessage, flow: Any, journal: Any = None) -> str:
    """Record a seller's lifecycle status in its invoice's history; ``""`` when recorded, else why not."""
    seller = status.invoice_issuer_id or status.issuer.id
    invoice = (
        Invoice.objects.filter(
            number=status.invoice_id,
            year=status.invoice_date.year,
            supplier__identifiers__scheme="siren",
            supplier__identifiers__value=seller,
        )
        .order_by("pk")
        .first()
    )
    if invoice is None:
        return f"no invoice {status.invoice_id} of {status.invoice_date.year} from SIREN {seller or '(none)'}"
    detail = {"code": status.status_code, "label": status.label, "message_id": status.id}
    if status.reason_code or status.reason:
        detail["reason"] = " ".join(part for part in (status.reason_code, status.reason) if part)
    if status.amount is not None:
        detail["amount"] = str(status.amount)
        detail["currency"] = status.currency
    record_event(InvoiceEvent, invoice, "platform_status", detail=detail)
    return ""


def send_through_platform(message: StatusMessage, *, received: bool) -> None:
    """Send a status we recorded about an invoice that came through our platform back to its seller
    through it (the cXML path sends its own StatusUpdateRequest)."""
    if received or message.site != "buyer" or message.invoice_pk is None:
        return
    invoice = Invoice.objects.select_related("journal").filter(pk=message.invoice_pk).first()
    if invoice is None or invoice.journal is None or invoice.journal.protocol != Protocol.PLATFORM:
        return
    # answered by the entity whose platform delivered the invoice (the journal entry's partner)
    entity = invoice.journal.partner
    if not (message.seller_siren and platform.is_configured(entity)):
        return
    platform.send_status(
        entity,
        message.invoice_number,
        message.status,
        message.reason_code,
        message.reason,
        invoice_date=message.issue_date,
        recipient=cdar.Party(id=message.seller_siren, role="SE"),
        invoice_issuer_id=message.seller_siren,
        role="BY",
    )
