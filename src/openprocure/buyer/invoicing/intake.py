"""Receiving an EN 16931 e-invoice file (UBL, CII or Factur-X), whoever brings it: the upload page, the
API, or an inbound flow from a platform.

The file is validated first (its XML schema, the EN 16931 rules and, when its seller is established in
France, the French BR-FR rules: ``core.en16931.validate``); a failure is refused as lifecycle status 213 Rejetée naming each failed rule and where it failed, and
so is a file repeating an invoice already received (same seller SIREN, number and year). Either way
the file is kept as it came (``RejectedFile``) and the refusal is told to ``core.lifecycle``. A
valid file becomes the legal invoice: kept unchanged with its SHA-256, its seller recognised by
SIREN, SIRET, VAT number or electronic address (never by name), then stored and matched.
"""

from __future__ import annotations

import hashlib
from typing import Any

import facturx
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.invoicing import services
from openprocure.buyer.invoicing.einvoice import (
    EInvoiceError,
    ParsedInvoice,
    carried_xml,
    parse_einvoice,
    seller_siren,
)
from openprocure.buyer.invoicing.lifecycle import reject_on_intake
from openprocure.buyer.invoicing.models import Invoice, RejectedFile
from openprocure.core import en16931
from openprocure.core.lifecycle import LifecycleStatus

#: How many failed rules a refusal names in its message (all are kept with the file).
SHOWN_RULES = 5


class InvoiceRejected(services.InvoicingError):
    """A file refused with lifecycle status 213 Rejetée; ``findings`` are the failed rules (dicts)."""

    def __init__(self, message: str, *, code: str, reason_code: str, findings: list[dict[str, str]]) -> None:
        super().__init__(message, code=code)
        self.reason_code = reason_code
        self.findings = findings


def _xml_of(data: bytes) -> bytes:
    """The invoice XML of a file: the file itself, or the CII a Factur-X PDF carries."""
    if not data.lstrip().startswith(b"%PDF"):
        return data
    try:
        _name, xml = facturx.get_xml_from_pdf(data, check_xsd=False)
    except Exception:  # factur-x raises plain exceptions for broken PDFs
        xml = b""
    return carried_xml(xml)


def _reason_code(rules: list[str]) -> str:
    """The 213 reason code of failed rules: totals that do not add up, inconsistent data, or a
    semantic error (schema, code lists, missing terms)."""
    if any(rule in ("BR-CO-13", "BR-CO-14", "BR-CO-15", "BR-CO-16") for rule in rules):
        return "MONTANTTOTAL_ERR"
    if any(rule.startswith(("BR-CO-", "BR-S-", "BR-Z-", "BR-E-", "BR-AE-")) for rule in rules):
        return (
            "CALCUL_ERR" if any(rule in ("BR-CO-10", "BR-CO-17", "BR-S-09") for rule in rules) else "REJ_COH"
        )
    return "REJ_SEMAN"


def _refuse(
    *,
    data: bytes,
    name: str,
    actor: Any,
    number: str,
    siren: str,
    code: str,
    reason_code: str,
    message: str,
    findings: list[dict[str, str]],
    parsed: ParsedInvoice | None = None,
) -> InvoiceRejected:
    """Keep the refused file with why, tell ``core.lifecycle`` (213 Rejetée), and return the error."""
    with transaction.atomic():
        RejectedFile.objects.create(
            name=name[:200],
            content=data,
            sha256=hashlib.sha256(data).hexdigest(),
            number=number[:100],
            seller_siren=siren[:9],
            reason_code=reason_code,
            message=message,
            findings=findings,
            actor=actor,
        )
        reject_on_intake(
            number=number,
            issue_date=parsed.invoice_date if parsed else None,
            seller_siren=siren,
            buyer_siren=parsed.buyer_siren if parsed else "",
            reason_code=reason_code,
            reason=message,
        )
    return InvoiceRejected(message, code=code, reason_code=reason_code, findings=findings)


def receive_einvoice(*, data: bytes, name: str = "", content_type: str = "", actor: Any = None) -> Invoice:
    """Validate, recognise, store and match one e-invoice file; :class:`InvoiceRejected` (213) when its
    rules fail or it repeats an invoice, ``EInvoiceError`` when it is no e-invoice at all, another
    ``InvoicingError`` when its seller or order is unknown."""
    xml = _xml_of(data)
    try:
        report = en16931.validate(xml)
    except ValueError as error:
        raise EInvoiceError(
            _("%(name)s is not a UBL 2.1 or CII invoice: %(error)s")
            % {"name": name or _("The file"), "error": error}
        ) from None
    status = f"{LifecycleStatus.REJECTED} {LifecycleStatus.REJECTED.label}"
    if not report.valid:
        findings = [
            {"rule": f.rule, "flag": f.flag, "message": f.message, "location": f.location}
            for f in report.fatal
        ]
        shown = "; ".join(str(f) for f in report.fatal[:SHOWN_RULES])
        more = len(report.fatal) - SHOWN_RULES
        message = _("%(status)s: the invoice breaks the EN 16931 or French (BR-FR) rules: %(rules)s") % {
            "status": status,
            "rules": shown,
        }
        if more > 0:
            message += " " + _("(and %(count)s more)") % {"count": more}
        raise _refuse(
            data=data,
            name=name,
            actor=actor,
            number="",
            siren="",
            code="rejected",
            reason_code=_reason_code(report.rules),
            message=message,
            findings=findings,
        )
    parsed = parse_einvoice(data, filename=name)
    siren = seller_siren(parsed.seller_identifiers)
    if siren:
        earlier = Invoice.objects.filter(
            seller_siren=siren, number=parsed.number, year=parsed.invoice_date.year
        ).first()
        if earlier is not None:
            message = _(
                "%(status)s: invoice %(number)s of %(year)s from the seller with SIREN %(siren)s was already "
                "received on %(date)s. Send a credit note to correct it, or a new invoice number."
            ) % {
                "status": status,
                "number": parsed.number,
                "year": parsed.invoice_date.year,
                "siren": siren,
                "date": timezone.localdate(earlier.created_at).isoformat(),
            }
            raise _refuse(
                data=data,
                name=name,
                actor=actor,
                number=parsed.number,
                siren=siren,
                code="duplicate",
                reason_code="DOUBLON",
                message=message,
                findings=[],
                parsed=parsed,
            )
    supplier = services.supplier_for(parsed.seller_identifiers)
    return services.receive_invoice(
        supplier=supplier,
        parsed=parsed,
        original=services.Original(content=data, name=name[:200], content_type=content_type),
        actor=actor,
    )
