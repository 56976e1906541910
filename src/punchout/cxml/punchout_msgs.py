"""The PunchOut session (cXML 1.2.071 ``cXML.dtd``): PunchOutSetupRequest, PunchOutSetupResponse,
and the cart returned in a PunchOutOrderMessage (``ItemIn`` lines)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from punchout.cxml.common import (
    Address,
    Comment,
    Contact,
    ElementModel,
    Extrinsic,
    ItemDetail,
    ItemID,
    Shipping,
    Tax,
    get_extrinsic,
)
from punchout.cxml.order import ItemOut
from punchout.money import Money

__all__ = [
    "ItemIn",
    "PunchOutOperation",
    "PunchOutOrderMessage",
    "PunchOutOrderMessageHeader",
    "PunchOutSetupRequest",
    "PunchOutSetupResponse",
]


class PunchOutOperation(StrEnum):
    """``PunchOutSetupRequest@operation`` and ``PunchOutOrderMessageHeader@operationAllowed``."""

    CREATE = "create"  # a new cart
    EDIT = "edit"  # change a cart returned earlier (ItemOut lines are sent back)
    INSPECT = "inspect"  # look at a cart without changing it
    SOURCE = "source"  # sourcing (setup request only)


@dataclass(slots=True)
class PunchOutSetupRequest(ElementModel):
    """``PunchOutSetupRequest``: the buyer asks the supplier for a shopping session."""

    KIND: ClassVar[str] = "PunchOutSetupRequest"

    buyer_cookie: str
    operation: PunchOutOperation = PunchOutOperation.CREATE
    browser_form_post_url: str | None = None
    supplier_setup_url: str | None = None
    extrinsics: list[Extrinsic] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    ship_to: Address | None = None
    selected_item: ItemID | None = None
    items: list[ItemOut] = field(default_factory=list)

    @property
    def user_email(self) -> str | None:
        """The shopper's e-mail: Extrinsic UserEmail/Email, else a Contact e-mail, else ShipTo's."""
        email = get_extrinsic(self.extrinsics, "UserEmail", "Email")
        if email:
            return email.strip()
        for contact in self.contacts:
            if contact.emails:
                return contact.emails[0].strip()
        if self.ship_to is not None and self.ship_to.email:
            return self.ship_to.email.strip()
        return None


@dataclass(slots=True)
class PunchOutSetupResponse(ElementModel):
    """``PunchOutSetupResponse/StartPage/URL``: where to send the user's browser."""

    KIND: ClassVar[str] = "PunchOutSetupResponse"

    start_page_url: str


@dataclass(slots=True)
class ItemIn(ElementModel):
    """``ItemIn``: a cart line (quantity, ItemID, ItemDetail, line Shipping and Tax)."""

    quantity: Decimal
    item_id: ItemID
    item_detail: ItemDetail | None = None
    line_number: int | None = None
    ship_to: Address | None = None
    shipping: Shipping | None = None
    tax: Tax | None = None
    contacts: list[Contact] = field(default_factory=list)
    comments: Comment | None = None
    extrinsics: list[Extrinsic] = field(default_factory=list)


@dataclass(slots=True)
class PunchOutOrderMessageHeader(ElementModel):
    """``PunchOutOrderMessageHeader@operationAllowed`` with Total, ShipTo, Shipping, Tax."""

    total: Money | None
    operation_allowed: PunchOutOperation = PunchOutOperation.CREATE
    ship_to: Address | None = None
    shipping: Shipping | None = None
    tax: Tax | None = None


@dataclass(slots=True)
class PunchOutOrderMessage(ElementModel):
    """``PunchOutOrderMessage``: the cart the supplier returns through the user's browser."""

    KIND: ClassVar[str] = "PunchOutOrderMessage"

    buyer_cookie: str
    header: PunchOutOrderMessageHeader
    items: list[ItemIn] = field(default_factory=list)
