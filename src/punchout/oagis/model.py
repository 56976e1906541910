"""The typed model of the BODs a procurement loop exchanges (OAGIS® 10.2).

Each dataclass holds what the loop reads and writes; its ``source`` (an
:class:`~punchout.element.ElementModel`'s) is the element it was read from, which the writer starts
from, so everything the model does not represent is carried verbatim and stays at its schema
position. A dataclass built in code has no source and is
written from its fields alone.

Dates and times are ``datetime`` when readable; a value no reading makes sense of is kept as the
``str`` it was written as (the parser says so in a warning) and written back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from punchout.element import ElementModel

__all__ = [
    "Address",
    "Amount",
    "ApplicationArea",
    "BODOutcome",
    "BODResult",
    "ConfirmBOD",
    "Item",
    "LineStatus",
    "Message",
    "ParseWarning",
    "Party",
    "PaymentTerm",
    "PurchaseOrder",
    "PurchaseOrderBOD",
    "PurchaseOrderHeader",
    "PurchaseOrderLine",
    "Quantity",
    "Stamp",
    "Verb",
]

#: A date-time as read: a ``datetime`` (aware), a ``date`` for a date without a time, or the text
#: as written when it could not be read.
Stamp = datetime | date | str


class Verb(StrEnum):
    """The verb of a PurchaseOrder BOD (``ProcessPurchaseOrder`` is verb Process + noun)."""

    PROCESS = "Process"
    CHANGE = "Change"
    CANCEL = "Cancel"
    ACKNOWLEDGE = "Acknowledge"


class LineStatus(StrEnum):
    """What an AcknowledgePurchaseOrder says of a line (its ``Status/Code``)."""

    ACCEPTED = "Accepted"
    MODIFIED = "Modified"
    REJECTED = "Rejected"


_LINE_STATUSES = frozenset(status.value for status in LineStatus)


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something the lenient reader forgave: a stable ``code``, the element ``path``, a ``message``."""

    code: str
    path: str
    message: str


@dataclass(slots=True)
class Amount:
    """An amount (``ExtendedAmount``, ``ChargeAmount``…): exact value and ISO 4217 ``currencyCode``."""

    value: Decimal
    currency: str | None = None


@dataclass(slots=True)
class Quantity:
    """A quantity with its UN/ECE rec. 20 ``unitCode`` (``EA``, ``KGM``…)."""

    value: Decimal
    unit_code: str | None = None


@dataclass(slots=True)
class ApplicationArea(ElementModel):
    """``ApplicationArea``: who sent the BOD, when, and its ``BODID`` (what a ConfirmBOD refers to)."""

    sender_logical_id: str | None = None
    sender_component_id: str | None = None
    creation: Stamp | None = None
    bod_id: str | None = None


@dataclass(slots=True)
class Address(ElementModel):
    """The first ``Location/Address`` of a party."""

    lines: list[str] = field(default_factory=list)
    building_number: str | None = None
    street_name: str | None = None
    city: str | None = None
    country_subdivision: str | None = None
    country_code: str | None = None
    postal_code: str | None = None


@dataclass(slots=True)
class Party(ElementModel):
    """A party of the order (``CustomerParty`` for the buyer, ``SupplierParty``, ``ShipToParty``,
    ``BillToParty``): its first ``ID``, first ``Name`` and address."""

    id: str | None = None
    name: str | None = None
    address: Address | None = None


@dataclass(slots=True)
class PaymentTerm(ElementModel):
    """``PaymentTerm``: a code (its first ``ID``), a description, a discount and a due date."""

    code: str | None = None
    description: str | None = None
    discount_percent: Decimal | None = None
    due: Stamp | None = None


@dataclass(slots=True)
class Item(ElementModel):
    """``Item``: the item's own ``ID`` and the buyer's, supplier's and manufacturer's identifiers."""

    id: str | None = None
    buyer_item_id: str | None = None
    supplier_item_id: str | None = None
    manufacturer_item_id: str | None = None


@dataclass(slots=True)
class PurchaseOrderLine(ElementModel):
    """``PurchaseOrderLine``. ``status`` and ``status_reason`` are the line's ``Status/Code`` and
    first ``Status/Reason``; ``action_code`` its ``actionCode`` attribute (Add, Change, Delete,
    Replace in a change; Accepted, Modified, Rejected in an acknowledgement, which may say it in
    either place: see ``line_status``). An acknowledged change of quantity is in ``quantity``, of
    date in ``promised_delivery``."""

    line_number: str | None = None
    item: Item | None = None
    descriptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    quantity: Quantity | None = None
    unit_price: Amount | None = None
    price_basis: Quantity | None = None
    extended_amount: Amount | None = None
    total_amount: Amount | None = None
    requested_delivery: Stamp | None = None
    promised_delivery: Stamp | None = None
    status: str | None = None
    status_reason: str | None = None
    action_code: str | None = None

    @property
    def line_status(self) -> LineStatus | None:
        """The acknowledgement's verdict on this line: its ``actionCode`` when that is Accepted,
        Modified or Rejected, else its ``Status/Code`` when that is."""
        for said in (self.action_code, self.status):
            if said in _LINE_STATUSES:
                return LineStatus(said)
        return None


@dataclass(slots=True)
class PurchaseOrderHeader(ElementModel):
    """``PurchaseOrderHeader``: document ID and revision (the order's version: 1 for the order, 2 for
    its first change…), dates, parties, totals, payment terms, notes."""

    id: str | None = None
    revision_id: str | None = None
    document_date: Stamp | None = None
    order_date: Stamp | None = None
    descriptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: str | None = None
    status_reason: str | None = None
    buyer: Party | None = None
    supplier: Party | None = None
    ship_to: Party | None = None
    bill_to: Party | None = None
    extended_amount: Amount | None = None
    total_amount: Amount | None = None
    payment_terms: list[PaymentTerm] = field(default_factory=list)


@dataclass(slots=True)
class PurchaseOrder(ElementModel):
    """One ``PurchaseOrder`` noun: its header, lines and ``actionCode`` (as on a line)."""

    header: PurchaseOrderHeader
    lines: list[PurchaseOrderLine] = field(default_factory=list)
    action_code: str | None = None

    @property
    def currency(self) -> str | None:
        """The order's currency: the first one its totals or line amounts state."""
        amounts = [self.header.total_amount, self.header.extended_amount]
        for line in self.lines:
            amounts += [line.unit_price, line.extended_amount, line.total_amount]
        return next((a.currency for a in amounts if a is not None and a.currency), None)


@dataclass(slots=True)
class PurchaseOrderBOD(ElementModel):
    """Process, Change, Cancel or Acknowledge PurchaseOrder. ``original_application_area`` is what an
    acknowledgement answers (``Acknowledge/OriginalApplicationArea``)."""

    verb: Verb
    application_area: ApplicationArea
    purchase_orders: list[PurchaseOrder] = field(default_factory=list)
    original_application_area: ApplicationArea | None = None
    release_id: str = "10.2"
    language_code: str | None = None
    warnings: list[ParseWarning] = field(default_factory=list, compare=False, kw_only=True)

    @property
    def name(self) -> str:
        """The BOD's element name (``ProcessPurchaseOrder``)."""
        return f"{self.verb.value}PurchaseOrder"

    @property
    def purchase_order(self) -> PurchaseOrder:
        """The first (usually only) purchase order of the BOD."""
        return self.purchase_orders[0]


@dataclass(slots=True)
class Message(ElementModel):
    """An ``ErrorProcessMessage`` or ``WarningProcessMessage``: its first ``Description``, its
    ``ReasonCode`` and where in the confirmed BOD it applies (first ``SourceLocationExpression``)."""

    description: str | None = None
    reason_code: str | None = None
    location: str | None = None


@dataclass(slots=True)
class BODOutcome(ElementModel):
    """``BODFailureMessage``, ``PartialBODFailureMessage`` or ``BODSuccessMessage``: its error and
    warning messages (a success message has no errors)."""

    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)


@dataclass(slots=True)
class BODResult(ElementModel):
    """One ``BOD`` of a ConfirmBOD: which BOD it confirms (``BODID``), the result code, and what
    failed or succeeded."""

    bod_id: str | None = None
    result_code: str | None = None
    failure: BODOutcome | None = None
    partial_failure: BODOutcome | None = None
    success: BODOutcome | None = None

    @property
    def errors(self) -> list[Message]:
        return [m for o in (self.failure, self.partial_failure) if o is not None for m in o.errors]

    @property
    def warnings(self) -> list[Message]:
        outcomes = (self.failure, self.partial_failure, self.success)
        return [m for o in outcomes if o is not None for m in o.warnings]


@dataclass(slots=True)
class ConfirmBOD(ElementModel):
    """``ConfirmBOD``: the answer to a BOD, naming it (``original_application_area``, and per BOD
    its ``BODID``) with errors and warnings."""

    application_area: ApplicationArea
    original_application_area: ApplicationArea | None = None
    results: list[BODResult] = field(default_factory=list)
    release_id: str = "10.2"
    language_code: str | None = None
    warnings: list[ParseWarning] = field(default_factory=list, compare=False, kw_only=True)
