"""Capabilities and status (cXML 1.2.071 ``cXML.dtd``): ProfileRequest/ProfileResponse,
StatusUpdateRequest, and the generic Response."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from punchout.cxml.common import Comment, ElementModel, Extrinsic, Status
from punchout.money import Money

__all__ = [
    "FREE_TEXT_OPTION",
    "DocumentStatus",
    "InvoiceStatus",
    "InvoiceStatusType",
    "Option",
    "ProfileRequest",
    "ProfileResponse",
    "Response",
    "StatusUpdateRequest",
    "Transaction",
    "free_text_declared",
]


#: The ``Option`` (on the OrderRequest Transaction, or on the whole profile) by which a supplier says
#: whether it accepts order lines that did not come from its PunchOut cart: ``yes`` or ``no``. Not a
#: name cXML defines: ours, read when present and harmless to other systems.
FREE_TEXT_OPTION = "freeTextLines"


def free_text_declared(profile: ProfileResponse) -> bool | None:
    """What a profile says of free-text lines (``FREE_TEXT_OPTION``): True, False, or None when silent."""
    options = [o for t in profile.transactions if t.request_name == "OrderRequest" for o in t.options]
    for option in [*options, *profile.options]:
        if option.name == FREE_TEXT_OPTION:
            value = option.value.strip().casefold()
            if value in ("yes", "true", "1"):
                return True
            if value in ("no", "false", "0"):
                return False
    return None


@dataclass(slots=True)
class ProfileRequest(ElementModel):
    """``ProfileRequest``: "which transactions do you support, at which URLs?" (no content)."""

    KIND: ClassVar[str] = "ProfileRequest"


@dataclass(slots=True)
class Option(ElementModel):
    """``Option name="…"``: a named capability value."""

    name: str
    value: str


@dataclass(slots=True)
class Transaction(ElementModel):
    """``Transaction requestName="OrderRequest"`` with the ``URL`` to post it to."""

    request_name: str
    url: str
    options: list[Option] = field(default_factory=list)


@dataclass(slots=True)
class ProfileResponse(ElementModel):
    """``ProfileResponse``: the supported transactions (Status is on the envelope)."""

    KIND: ClassVar[str] = "ProfileResponse"

    effective_date: datetime | None
    transactions: list[Transaction] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    last_refresh: datetime | None = None


class InvoiceStatusType(StrEnum):
    """``InvoiceStatus@type``."""

    PROCESSING = "processing"  # received, being processed
    CANCELED = "canceled"  # cancelled by the buyer
    RECONCILED = "reconciled"  # matched against order and receipt
    REJECTED = "rejected"  # refused
    PAYING = "paying"  # payment scheduled
    PAID = "paid"  # paid


@dataclass(slots=True)
class InvoiceStatus(ElementModel):
    """``InvoiceStatus type`` + ``InvoiceIDInfo invoiceID invoiceDate`` + Comments."""

    type: InvoiceStatusType
    invoice_id: str | None = None
    invoice_date: datetime | None = None
    comments: list[Comment] = field(default_factory=list)
    # ``PartialAmount``: what is paid when the buyer does not pay the whole invoice (type "paid").
    partial_amount: Money | None = None
    # ``paymentNetDueDate``: the date after which the invoice is paid without discount.
    payment_net_due_date: datetime | None = None


@dataclass(slots=True)
class DocumentStatus(ElementModel):
    """``DocumentStatus type`` + ``DocumentInfo documentID documentType documentDate`` + Comments: the
    status of any earlier document (an order…); ``type`` is free text agreed between partners."""

    type: str
    document_id: str | None = None
    document_type: str | None = None
    document_date: datetime | None = None
    comments: list[Comment] = field(default_factory=list)


@dataclass(slots=True)
class StatusUpdateRequest(ElementModel):
    """``StatusUpdateRequest``: the status of an earlier document (``DocumentReference payloadID``)."""

    KIND: ClassVar[str] = "StatusUpdateRequest"

    status: Status
    document_reference: str | None = None
    # At most one of the two (cXML allows one status element); a PaymentStatus (a PCard transaction)
    # is not modelled and is carried as written.
    invoice_status: InvoiceStatus | None = None
    extrinsics: list[Extrinsic] = field(default_factory=list)
    document_status: DocumentStatus | None = None


@dataclass(slots=True)
class Response(ElementModel):
    """The generic ``Response``: only a Status, which lives on the envelope (``CXML.status``)."""

    KIND: ClassVar[str] = "Response"
