"""REST API (django-ninja): upload an EN 16931 invoice (UBL, CII or Factur-X) and read its match.

Mounted on the buyer's API as ``/api/invoices/`` (authentication is the API's personal tokens).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from openprocure.buyer.invoicing import services
from openprocure.buyer.invoicing.einvoice import EInvoiceError
from openprocure.buyer.invoicing.findings import Finding
from openprocure.buyer.invoicing.intake import InvoiceRejected
from openprocure.buyer.invoicing.models import Invoice
from openprocure.buyer.invoicing.selectors import visible_invoices
from openprocure.buyer.invoicing.views import receive_file
from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.services import has_role
from punchout.money import quantize_money

router = Router(tags=["invoices"])


class InvoiceOut(Schema):
    id: int
    number: str
    supplier: str
    status: str
    kind: str
    currency: str
    due_amount: Decimal
    match_mode: str
    lifecycle_status: str = Field(
        description="the French lifecycle status last sent (CDAR code, 205…), or empty"
    )
    sha256: str = Field(description="SHA-256 of the file as received (the legal invoice), or empty")
    explanation: list[str]
    exceptions: list[str]


class RuleOut(Schema):
    rule: str = Field(description="the failed rule's id (BR-CO-15…, or XSD)")
    flag: str
    message: str
    location: str = Field(description="where it failed: an XPath, or a line of the file")


class ErrorOut(Schema):
    detail: str
    code: str
    reason_code: str = Field("", description="with code rejected or duplicate: the 213 Rejetée reason code")
    rules: list[RuleOut] = Field(
        default_factory=list, description="the failed rules, when the file was rejected"
    )


def invoice_out(invoice: Invoice) -> dict[str, Any]:
    run = invoice.match_runs.first()
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "supplier": invoice.supplier.name,
        "status": invoice.status,
        "kind": invoice.kind,
        "currency": invoice.currency,
        "due_amount": quantize_money(invoice.due_amount, invoice.currency),
        "match_mode": invoice.match_mode,
        "lifecycle_status": invoice.lifecycle_status,
        "sha256": invoice.sha256,
        "explanation": [Finding.from_json(f).message for f in run.findings] if run else [],
        "exceptions": [e.message for e in invoice.exceptions.filter(status="open")],
    }


@router.post("/", response={201: InvoiceOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut})
def upload_invoice(request: HttpRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    if not has_role(request.user, Role.AP_CLERK):
        return 403, {"detail": "Invoices are handled by accounts-payable clerks.", "code": "forbidden"}
    try:
        invoice = receive_file(request, file.read(), file.name or "", file.content_type or "")
    except EInvoiceError as error:
        return 400, {"detail": str(error), "code": "invalid_file"}
    except InvoiceRejected as error:
        return (409 if error.code == "duplicate" else 400), {
            "detail": error.message,
            "code": error.code,
            "reason_code": error.reason_code,
            "rules": error.findings,
        }
    except services.InvoicingError as error:
        return (409 if error.code == "duplicate" else 400), {"detail": error.message, "code": error.code}
    return 201, invoice_out(Invoice.objects.select_related("supplier").get(pk=invoice.pk))


@router.get("/{invoice_id}", response=InvoiceOut)
def get_invoice(request: HttpRequest, invoice_id: int) -> Any:
    """The invoice, when the caller may see it (the rule the pages use); otherwise 404."""
    return invoice_out(get_object_or_404(visible_invoices(request.user), pk=invoice_id))
