"""Invoicing (cXML 1.2.071 ``InvoiceDetail.dtd``): InvoiceDetailRequest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from punchout.cxml.common import (
    Classification,
    Comment,
    Contact,
    Description,
    ElementModel,
    Extrinsic,
    ItemID,
    OrderReference,
    PaymentTerm,
    Tax,
)
from punchout.money import Money

__all__ = [
    "InvoiceDetailItem",
    "InvoiceDetailItemReference",
    "InvoiceDetailOrder",
    "InvoiceDetailRequest",
    "InvoiceDetailRequestHeader",
    "InvoiceDetailSummary",
    "InvoiceOperation",
    "InvoicePartner",
    "InvoicePurpose",
]


class InvoicePurpose(StrEnum):
    """``InvoiceDetailRequestHeader@purpose``."""

    STANDARD = "standard"  # an ordinary invoice
    CREDIT_MEMO = "creditMemo"  # a header-level credit (negative amounts)
    DEBIT_MEMO = "debitMemo"  # a header-level additional charge
    LINE_LEVEL_CREDIT_MEMO = "lineLevelCreditMemo"  # a credit against specific lines
    LINE_LEVEL_DEBIT_MEMO = "lineLevelDebitMemo"  # a debit against specific lines


class InvoiceOperation(StrEnum):
    """``InvoiceDetailRequestHeader@operation``."""

    NEW = "new"  # a new invoice
    DELETE = "delete"  # cancels an earlier invoice with the same invoiceID


@dataclass(slots=True)
class InvoicePartner(ElementModel):
    """``InvoicePartner``: a Contact with a role (remitTo, billTo, soldTo…) and its IdReferences."""

    contact: Contact
    id_references: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class InvoiceDetailItemReference(ElementModel):
    """``InvoiceDetailItemReference lineNumber``: the order line invoiced (ItemID, Description)."""

    line_number: int
    item_id: ItemID | None = None
    description: Description | None = None
    classifications: list[Classification] = field(default_factory=list)
    manufacturer_part_id: str | None = None
    manufacturer_name: str | None = None


@dataclass(slots=True)
class InvoiceDetailItem(ElementModel):
    """``InvoiceDetailItem invoiceLineNumber quantity``: one invoiced line."""

    invoice_line_number: int
    quantity: Decimal
    reference: InvoiceDetailItemReference
    unit_of_measure: str = ""
    unit_price: Money | None = None
    subtotal_amount: Money | None = None
    tax: Tax | None = None
    gross_amount: Money | None = None
    net_amount: Money | None = None
    comments: Comment | None = None
    extrinsics: list[Extrinsic] = field(default_factory=list)


@dataclass(slots=True)
class InvoiceDetailOrder(ElementModel):
    """``InvoiceDetailOrder``: the lines invoiced against one order (InvoiceDetailOrderInfo)."""

    order_reference: OrderReference
    items: list[InvoiceDetailItem] = field(default_factory=list)


@dataclass(slots=True)
class InvoiceDetailSummary(ElementModel):
    """``InvoiceDetailSummary``: SubtotalAmount, Tax, Shipping, Gross, Net and Due amounts."""

    subtotal_amount: Money | None
    tax: Tax | None
    net_amount: Money | None
    special_handling_amount: Money | None = None
    shipping_amount: Money | None = None
    gross_amount: Money | None = None
    due_amount: Money | None = None


@dataclass(slots=True)
class InvoiceDetailRequestHeader(ElementModel):
    """``InvoiceDetailRequestHeader``: invoiceID, invoiceDate, purpose, operation, partners.

    ``header_indicators`` / ``line_indicators`` hold the attribute names set to ``yes`` on
    InvoiceDetailHeaderIndicator / InvoiceDetailLineIndicator (e.g. ``isTaxInLine``).
    """

    invoice_id: str
    invoice_date: datetime | None
    purpose: InvoicePurpose = InvoicePurpose.STANDARD
    operation: InvoiceOperation = InvoiceOperation.NEW
    header_indicators: list[str] = field(default_factory=list)
    line_indicators: list[str] = field(default_factory=list)
    partners: list[InvoicePartner] = field(default_factory=list)
    comments: Comment | None = None
    extrinsics: list[Extrinsic] = field(default_factory=list)
    payment_terms: list[PaymentTerm] = field(default_factory=list)


@dataclass(slots=True)
class InvoiceDetailRequest(ElementModel):
    """``InvoiceDetailRequest``: a supplier invoice (or credit memo) against orders."""

    KIND: ClassVar[str] = "InvoiceDetailRequest"

    header: InvoiceDetailRequestHeader
    orders: list[InvoiceDetailOrder]
    summary: InvoiceDetailSummary
