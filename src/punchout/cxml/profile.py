"""Capabilities and status (cXML 1.2.071 ``cXML.dtd``): ProfileRequest/ProfileResponse,
StatusUpdateRequest, and the generic Response."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from punchout.cxml.common import Comment, Extrinsic, Status
from punchout.money import Money

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = [
    "DocumentStatus",
    "InvoiceStatus",
    "InvoiceStatusType",
    "Option",
    "ProfileRequest",
    "ProfileResponse",
    "Response",
    "StatusUpdateRequest",
    "Transaction",
]


@dataclass(slots=True)
class ProfileRequest:
    """``ProfileRequest``: "which transactions do you support, at which URLs?" (no content)."""

    KIND: ClassVar[str] = "ProfileRequest"
    source: _Element | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(slots=True)
class Option:
    """``Option name="…"``: a named capability value."""

    name: str
    value: str
    source: _Element | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(slots=True)
class Transaction:
    """``Transaction requestName="OrderRequest"`` with the ``URL`` to post it to."""

    request_name: str
    url: str
    options: list[Option] = field(default_factory=list)
    source: _Element | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(slots=True)
class ProfileResponse:
    """``ProfileResponse``: the supported transactions (Status is on the envelope)."""

    KIND: ClassVar[str] = "ProfileResponse"

    effective_date: datetime | None
    transactions: list[Transaction] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    last_refresh: datetime | None = None
    source: _Element | None = field(default=None, compare=False, repr=False, kw_only=True)


class InvoiceStatusType(StrEnum):
    """``InvoiceStatus@type``."""

    PROCESSING = "processing"  # received, being processed
    CANCELED = "canceled"  # cancelled by the buyer
    RECONCILED = "reconciled"  # matched against order and receipt
    REJECTED = "rejected"  # refused
    PAYING = "paying"  # payment scheduled
    PAID = "paid"  # paid


@dataclass(slots=True)
class InvoiceStatus:
    """``InvoiceStatus type`` + ``InvoiceIDInfo invoiceID invoiceDate`` + Comments."""

    type: InvoiceStatusType
    invoice_id: str | None = None
    invoice_date: datetime | None = None
    comments: list[Comment] = field(default_factory=list)
    # ``PartialAmount``: what is paid when the buyer does not pay the whole invoice (type "paid").
    partial_amount: Money | None = None
    # ``paymentNetDueDate``: the date after which the invoice is paid without discount.
    payment_net_due_date: datetime | None = None
    source: _Element | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(slots=True)
class DocumentStatus:
    """``DocumentStatus type`` + ``DocumentInfo documentID documentType documentDate`` + Comments: the
    status of any earlier document (an order…); ``type`` is free text agreed between partners."""

    type: str
    document_id: str | None = None
    document_type: str | None = None
    document_date: datetime | None = None
    comments: list[Comment] = field(default_factory=list)
    source: _Element | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(slots=True)
class StatusUpdateRequest:
    """``StatusUpdateRequest``: the status of an earlier document (``DocumentReference payloadID``)."""

    KIND: ClassVar[str] = "StatusUpdateRequest"

    status: Status
    document_reference: str | None = None
    # At most one of the two (cXML allows one status element); a PaymentStatus (a PCard transaction)
    # is not modelled and is carried as written.
    invoice_status: InvoiceStatus | None = None
    extrinsics: list[Extrinsic] = field(default_factory=list)
    document_status: DocumentStatus | None = None
    source: _Element | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(slots=True)
class Response:
    """The generic ``Response``: only a Status, which lives on the envelope (``CXML.status``)."""

    KIND: ClassVar[str] = "Response"
    source: _Element | None = field(default=None, compare=False, repr=False, kw_only=True)
