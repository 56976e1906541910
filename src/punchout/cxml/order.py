"""OrderRequest (cXML 1.2.071 ``cXML.dtd``): a purchase order, and the ``ItemOut`` line it shares
with PunchOutSetupRequest (edit/inspect)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from punchout.cxml.common import (
    Address,
    Comment,
    Contact,
    Distribution,
    ElementModel,
    Extrinsic,
    ItemDetail,
    ItemID,
    PaymentTerm,
    Shipping,
    Tax,
    TermsOfDelivery,
)
from punchout.money import Money

__all__ = [
    "ItemOut",
    "OrderRequest",
    "OrderRequestHeader",
    "OrderRequestType",
    "OrderType",
    "PCard",
    "ScheduleLine",
]


class OrderRequestType(StrEnum):
    """``OrderRequestHeader@type``."""

    NEW = "new"  # a new order
    UPDATE = "update"  # replaces the previous version of the same orderID
    DELETE = "delete"  # cancels the order


class OrderType(StrEnum):
    """``OrderRequestHeader@orderType``."""

    REGULAR = "regular"  # an ordinary purchase order
    RELEASE = "release"  # a release against a blanket order
    BLANKET = "blanket"  # a blanket (framework) order
    STOCK_TRANSPORT = "stockTransport"  # a stock transfer between plants
    STOCK_TRANSPORT_RELEASE = "stockTransportRelease"  # a release of a stock transfer


@dataclass(slots=True)
class ScheduleLine(ElementModel):
    """``ScheduleLine``: a partial delivery of ``quantity`` on ``requested_delivery_date``."""

    quantity: Decimal
    requested_delivery_date: datetime | None
    unit_of_measure: str = ""
    line_number: int | None = None


@dataclass(slots=True)
class PCard(ElementModel):
    """``Payment/PCard``: a procurement card. ``repr()`` masks the number."""

    number: str = field(repr=False)
    expiration: str
    name: str | None = None

    def __repr__(self) -> str:
        return f"PCard(number='…{self.number[-4:]}', expiration={self.expiration!r}, name={self.name!r})"


@dataclass(slots=True)
class ItemOut(ElementModel):
    """``ItemOut``: an ordered line (lineNumber, quantity, requestedDeliveryDate, ItemID, ItemDetail…)."""

    quantity: Decimal
    item_id: ItemID
    item_detail: ItemDetail | None = None
    line_number: int | None = None
    requested_delivery_date: datetime | None = None
    ship_to: Address | None = None
    shipping: Shipping | None = None
    tax: Tax | None = None
    distributions: list[Distribution] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    schedule_lines: list[ScheduleLine] = field(default_factory=list)
    terms_of_delivery: TermsOfDelivery | None = None


@dataclass(slots=True)
class OrderRequestHeader(ElementModel):
    """``OrderRequestHeader``: orderID, orderDate, type, orderVersion, orderType and header data;
    an update or delete names the order it changes in ``DocumentReference``."""

    order_id: str
    order_date: datetime | None
    total: Money | None
    type: OrderRequestType = OrderRequestType.NEW
    order_type: OrderType = OrderType.REGULAR
    order_version: int | None = None
    requested_delivery_date: datetime | None = None
    ship_to: Address | None = None
    bill_to: Address | None = None
    shipping: Shipping | None = None
    tax: Tax | None = None
    payment: PCard | None = None
    contacts: list[Contact] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    extrinsics: list[Extrinsic] = field(default_factory=list)
    payment_terms: list[PaymentTerm] = field(default_factory=list)
    terms_of_delivery: TermsOfDelivery | None = None
    #: ``DocumentReference@payloadID``: for type update/delete, the OrderRequest this one replaces.
    document_reference: str | None = None


@dataclass(slots=True)
class OrderRequest(ElementModel):
    """``OrderRequest``: a purchase order from the buyer's procurement system."""

    KIND: ClassVar[str] = "OrderRequest"

    header: OrderRequestHeader
    items: list[ItemOut] = field(default_factory=list)
