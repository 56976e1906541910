"""Order fulfilment (cXML 1.2.071 ``Fulfill.dtd``): ConfirmationRequest and ShipNoticeRequest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from punchout.cxml.common import (
    Comment,
    Contact,
    Description,
    ElementModel,
    Extrinsic,
    ItemID,
    OrderReference,
    Shipping,
    Tax,
    TermsOfDelivery,
)
from punchout.cxml.punchout_msgs import ItemIn
from punchout.money import Money

__all__ = [
    "CarrierIdentifier",
    "ConfirmationHeader",
    "ConfirmationItem",
    "ConfirmationRequest",
    "ConfirmationStatus",
    "ConfirmationStatusType",
    "ConfirmationType",
    "ServiceLevel",
    "ShipControl",
    "ShipNoticeHeader",
    "ShipNoticeItem",
    "ShipNoticeItemDetail",
    "ShipNoticeOperation",
    "ShipNoticePortion",
    "ShipNoticeRequest",
    "ShipmentIdentifier",
]


class ConfirmationType(StrEnum):
    """``ConfirmationHeader@type``."""

    ACCEPT = "accept"  # every line accepted as ordered
    ALL_DETAIL = "allDetail"  # every line confirmed with details
    DETAIL = "detail"  # lines confirmed with details (ConfirmationItem)
    BACKORDERED = "backordered"  # the whole order is backordered
    EXCEPT = "except"  # accepted with exceptions on some lines
    REJECT = "reject"  # the whole order is rejected
    REQUEST_TO_PAY = "requestToPay"  # payment requested before fulfilment
    REPLACE = "replace"  # replaces an earlier confirmation


class ConfirmationStatusType(StrEnum):
    """``ConfirmationStatus@type`` (per line)."""

    ACCEPT = "accept"  # quantity accepted as ordered
    ALL_DETAIL = "allDetail"  # accepted, every detail restated
    DETAIL = "detail"  # accepted with changes (price, date…)
    BACKORDERED = "backordered"  # quantity backordered
    REJECT = "reject"  # quantity rejected
    UNKNOWN = "unknown"  # status not known yet
    REQUEST_TO_PAY = "requestToPay"  # payment requested first


class ShipNoticeOperation(StrEnum):
    """``ShipNoticeHeader@operation`` (and ``ConfirmationHeader@operation``: new/update)."""

    NEW = "new"  # a new notice
    UPDATE = "update"  # replaces an earlier notice with the same ID
    DELETE = "delete"  # cancels an earlier notice


@dataclass(slots=True)
class ConfirmationStatus(ElementModel):
    """``ConfirmationStatus``: what happens to ``quantity`` of a line (type, dates, changed price)."""

    type: ConfirmationStatusType
    quantity: Decimal
    unit_of_measure: str = ""
    delivery_date: datetime | None = None
    shipment_date: datetime | None = None
    item_in: ItemIn | None = None
    unit_price: Money | None = None
    tax: Tax | None = None
    shipping: Shipping | None = None
    comments: list[Comment] = field(default_factory=list)
    extrinsics: list[Extrinsic] = field(default_factory=list)


@dataclass(slots=True)
class ConfirmationItem(ElementModel):
    """``ConfirmationItem lineNumber quantity``: the confirmation of one order line."""

    line_number: int
    quantity: Decimal
    unit_of_measure: str = ""
    statuses: list[ConfirmationStatus] = field(default_factory=list)


@dataclass(slots=True)
class ConfirmationHeader(ElementModel):
    """``ConfirmationHeader``: type, confirmID, noticeDate, operation, totals and comments."""

    type: ConfirmationType
    notice_date: datetime | None
    confirm_id: str | None = None
    operation: ShipNoticeOperation = ShipNoticeOperation.NEW
    invoice_id: str | None = None
    total: Money | None = None
    shipping: Shipping | None = None
    tax: Tax | None = None
    contacts: list[Contact] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    extrinsics: list[Extrinsic] = field(default_factory=list)


@dataclass(slots=True)
class ConfirmationRequest(ElementModel):
    """``ConfirmationRequest``: the supplier accepts, rejects or details an order."""

    KIND: ClassVar[str] = "ConfirmationRequest"

    header: ConfirmationHeader
    order_reference: OrderReference
    items: list[ConfirmationItem] = field(default_factory=list)


@dataclass(slots=True)
class CarrierIdentifier(ElementModel):
    """``CarrierIdentifier domain="SCAC"``: the carrier in a naming scheme."""

    domain: str
    value: str


@dataclass(slots=True)
class ShipmentIdentifier(ElementModel):
    """``ShipmentIdentifier``: the tracking number (with its domain and trackingURL)."""

    value: str
    domain: str | None = None
    tracking_url: str | None = None


@dataclass(slots=True)
class ShipControl(ElementModel):
    """``ShipControl``: carrier and tracking of (part of) a shipment."""

    carriers: list[CarrierIdentifier] = field(default_factory=list)
    shipment_identifiers: list[ShipmentIdentifier] = field(default_factory=list)
    start_date: datetime | None = None


@dataclass(slots=True)
class ShipNoticeItemDetail(ElementModel):
    """``ShipNoticeItemDetail``: what the shipped item is, as the supplier describes it (price,
    descriptions, unit)."""

    unit_price: Money | None = None
    descriptions: list[Description] = field(default_factory=list)
    unit_of_measure: str | None = None


@dataclass(slots=True)
class ServiceLevel(ElementModel):
    """``ServiceLevel xml:lang``: the carrier's service (Next day air, Standard…)."""

    text: str
    lang: str | None = None


@dataclass(slots=True)
class ShipNoticeItem(ElementModel):
    """``ShipNoticeItem lineNumber quantity``: how much of an order line ships."""

    line_number: int
    quantity: Decimal
    unit_of_measure: str = ""
    item_id: ItemID | None = None
    detail: ShipNoticeItemDetail | None = None
    terms_of_delivery: TermsOfDelivery | None = None


@dataclass(slots=True)
class ShipNoticePortion(ElementModel):
    """``ShipNoticePortion``: the lines of one order in this shipment."""

    order_reference: OrderReference
    items: list[ShipNoticeItem] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    extrinsics: list[Extrinsic] = field(default_factory=list)


@dataclass(slots=True)
class ShipNoticeHeader(ElementModel):
    """``ShipNoticeHeader``: shipmentID, noticeDate, shipmentDate, deliveryDate, operation."""

    shipment_id: str
    notice_date: datetime | None
    shipment_date: datetime | None = None
    delivery_date: datetime | None = None
    operation: ShipNoticeOperation = ShipNoticeOperation.NEW
    contacts: list[Contact] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    extrinsics: list[Extrinsic] = field(default_factory=list)
    service_levels: list[ServiceLevel] = field(default_factory=list)
    terms_of_delivery: TermsOfDelivery | None = None


@dataclass(slots=True)
class ShipNoticeRequest(ElementModel):
    """``ShipNoticeRequest``: an advance ship notice (ASN)."""

    KIND: ClassVar[str] = "ShipNoticeRequest"

    header: ShipNoticeHeader
    controls: list[ShipControl] = field(default_factory=list)
    portions: list[ShipNoticePortion] = field(default_factory=list)
