"""Building blocks shared by every cXML message: envelope, Header, credentials, addresses, items.

Field names are snake_case; each class docstring names the cXML element it models (cXML 1.2.071).
Strings keep the text exactly as sent, except where a docstring says otherwise.

Every model of an element derives from ``ElementModel`` (:mod:`punchout.element`) and so has a
``source``: the element it was read from (``None`` when it was made in code). ``build()`` re-emits
from it, at its DTD place, whatever the model does not interpret, so nothing a document says is
lost on the way through. ``source`` takes no part in equality or ``repr()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Protocol

from punchout.cxml.errors import InvalidDocument
from punchout.element import ElementModel
from punchout.money import Money

__all__ = [
    "CXML",
    "Accounting",
    "AccountingSegment",
    "Address",
    "Classification",
    "Comment",
    "Contact",
    "Credential",
    "DeploymentMode",
    "Description",
    "Discount",
    "Distribution",
    "ElementModel",
    "Extrinsic",
    "Header",
    "ItemDetail",
    "ItemID",
    "MessageBody",
    "OrderReference",
    "ParseResult",
    "ParseWarning",
    "PaymentTerm",
    "Phone",
    "PostalAddress",
    "PriceBasisQuantity",
    "Shipping",
    "Status",
    "Tax",
    "TaxDetail",
    "TaxExemption",
    "TermsOfDelivery",
    "due_dates",
    "get_extrinsic",
]


class DeploymentMode(StrEnum):
    """``deploymentMode`` of a Request or Message."""

    PRODUCTION = "production"  # real business: charge, ship, invoice
    TEST = "test"  # integration testing: record, never fulfil


@dataclass(slots=True)
class ParseWarning:
    """Something the lenient parser forgave: a stable ``code``, the element ``path``, a ``message``."""

    code: str
    path: str
    message: str


@dataclass(slots=True)
class Credential(ElementModel):
    """``Credential``: an identity in a ``domain`` (NetworkID, DUNS…), with an optional SharedSecret.

    ``repr()`` and ``str()`` never show the secret.
    """

    domain: str
    identity: str
    shared_secret: str | None = field(default=None, repr=False)

    def matches(self, domain: str, identity: str) -> bool:
        """Same identity; the domain compared case-insensitively (``NetworkId`` = ``NETWORKID``)."""
        return self.domain.casefold() == domain.casefold() and self.identity == identity


@dataclass(slots=True)
class Header(ElementModel):
    """``Header``: ``From`` (sender org), ``To`` (receiver org), ``Sender`` (who transmits, + UserAgent)."""

    from_: list[Credential] = field(default_factory=list)
    to: list[Credential] = field(default_factory=list)
    sender: list[Credential] = field(default_factory=list)
    user_agent: str = ""

    @property
    def sender_secret(self) -> str | None:
        """The first SharedSecret among the Sender credentials, if any."""
        for credential in self.sender:
            if credential.shared_secret is not None:
                return credential.shared_secret
        return None


@dataclass(slots=True)
class Status(ElementModel):
    """``Status``: ``code`` (HTTP-like), ``text`` (its name), ``message`` (free text body)."""

    code: int
    text: str
    message: str = ""
    lang: str | None = None

    @property
    def is_success(self) -> bool:
        return 200 <= self.code < 300

    @property
    def is_permanent_failure(self) -> bool:
        return 400 <= self.code < 500


@dataclass(slots=True)
class Extrinsic(ElementModel):
    """``Extrinsic name="…"``: a free-form named value (UserEmail, CostCenter…); text content only."""

    name: str
    value: str


def get_extrinsic(extrinsics: list[Extrinsic], *names: str) -> str | None:
    """The value of the first Extrinsic whose name matches one of ``names`` (case-insensitive)."""
    wanted = {n.casefold() for n in names}
    for extrinsic in extrinsics:
        if extrinsic.name.casefold() in wanted:
            return extrinsic.value
    return None


@dataclass(slots=True)
class Description(ElementModel):
    """``Description xml:lang``: text (trimmed) with an optional ``ShortName``."""

    text: str
    lang: str | None = None
    short_name: str | None = None


@dataclass(slots=True)
class Comment(ElementModel):
    """``Comments``: free text, with its ``xml:lang`` and ``type``."""

    text: str
    lang: str | None = None
    type: str | None = None


@dataclass(slots=True)
class Phone(ElementModel):
    """``Phone/TelephoneNumber``: CountryCode (with isoCountryCode), AreaOrCityCode, Number, Extension."""

    number: str
    country_code: str = ""
    iso_country_code: str = ""
    area_or_city_code: str = ""
    extension: str | None = None
    name: str | None = None


@dataclass(slots=True)
class PostalAddress(ElementModel):
    """``PostalAddress``: DeliverTo*, Street+, City, State, PostalCode, Country (isoCountryCode)."""

    street: list[str] = field(default_factory=list)
    city: str = ""
    country: str = ""
    iso_country_code: str = ""
    deliver_to: list[str] = field(default_factory=list)
    state: str | None = None
    postal_code: str | None = None
    name: str | None = None


@dataclass(slots=True)
class Address(ElementModel):
    """``Address`` (inside ShipTo, BillTo…): Name, PostalAddress, Email, Phone and its attributes."""

    name: str
    name_lang: str | None = None
    postal_address: PostalAddress | None = None
    email: str | None = None
    phone: Phone | None = None
    iso_country_code: str | None = None
    address_id: str | None = None


@dataclass(slots=True)
class Contact(ElementModel):
    """``Contact role="…"``: a person or organisation with addresses, e-mails and phones."""

    name: str
    name_lang: str | None = None
    role: str | None = None
    address_id: str | None = None
    postal_addresses: list[PostalAddress] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    extrinsics: list[Extrinsic] = field(default_factory=list)

    @property
    def email(self) -> str | None:
        return self.emails[0] if self.emails else None


@dataclass(slots=True)
class TaxExemption(ElementModel):
    """``TaxExemption exemptCode`` with its ``ExemptReason``: why no tax is charged (``AE`` is the
    EN 16931 / UNCL 5305 code of a VAT reverse charge: the buyer accounts for the tax)."""

    code: str
    reason: str | None = None
    reason_lang: str | None = None

    @property
    def is_reverse_charge(self) -> bool:
        """Whether the exemption is a reverse charge: code ``AE``, or a reason that says so."""
        words = f"{self.code} {self.reason or ''}".casefold().replace("-", " ")
        return self.code.strip().upper() == "AE" or "reverse charge" in words or "autoliquidation" in words


@dataclass(slots=True)
class TaxDetail(ElementModel):
    """``TaxDetail``: ``category`` (vat, sales…), ``percentageRate``, TaxableAmount, TaxAmount, and
    why no tax is charged: ``exemptDetail`` (zeroRated, exempt) and a TaxExemption."""

    category: str
    tax_amount: Money | None = None
    taxable_amount: Money | None = None
    percentage_rate: Decimal | None = None
    purpose: str | None = None
    location: str | None = None
    description: Description | None = None
    exempt_detail: str | None = None
    exemption: TaxExemption | None = None


@dataclass(slots=True)
class Tax(ElementModel):
    """``Tax``: the amount, a Description and TaxDetail lines."""

    money: Money | None
    description: Description | None = None
    details: list[TaxDetail] = field(default_factory=list)


@dataclass(slots=True)
class Shipping(ElementModel):
    """``Shipping``: the amount and a Description (``tracking*`` attributes kept)."""

    money: Money | None
    description: Description | None = None
    tracking_domain: str | None = None
    tracking: str | None = None


@dataclass(slots=True)
class Classification(ElementModel):
    """``Classification domain="UNSPSC"``: a category code in a classification scheme."""

    domain: str
    value: str
    code: str | None = None


@dataclass(slots=True)
class ItemID(ElementModel):
    """``ItemID``: SupplierPartID, SupplierPartAuxiliaryID (the supplier's cookie), BuyerPartID.

    SupplierPartID and SupplierPartAuxiliaryID are kept byte for byte, whitespace included.
    """

    supplier_part_id: str
    supplier_part_auxiliary_id: str | None = None
    buyer_part_id: str | None = None


@dataclass(slots=True)
class PriceBasisQuantity(ElementModel):
    """``PriceBasisQuantity``: the unit price is for ``quantity`` of ``unit_of_measure``."""

    quantity: Decimal
    conversion_factor: Decimal
    unit_of_measure: str
    description: Description | None = None


@dataclass(slots=True)
class ItemDetail(ElementModel):
    """``ItemDetail``: UnitPrice, Description+, UnitOfMeasure, Classification+, manufacturer, lead time."""

    unit_price: Money | None
    descriptions: list[Description] = field(default_factory=list)
    unit_of_measure: str = ""
    price_basis_quantity: PriceBasisQuantity | None = None
    classifications: list[Classification] = field(default_factory=list)
    manufacturer_part_id: str | None = None
    manufacturer_name: str | None = None
    url: str | None = None
    lead_time: int | None = None
    extrinsics: list[Extrinsic] = field(default_factory=list)

    @property
    def description(self) -> Description | None:
        return self.descriptions[0] if self.descriptions else None


@dataclass(slots=True)
class AccountingSegment(ElementModel):
    """``AccountingSegment id="…"`` with its Name and Description: e.g. a cost center and its name.

    ``older_form``: read from (and written as) the older ``Segment id type description``, whose
    ``type`` is ``name`` here.
    """

    id: str
    name: str
    description: str = ""
    older_form: bool = False


@dataclass(slots=True)
class Accounting(ElementModel):
    """``Accounting name="…"``: the accounting combination charged."""

    name: str
    segments: list[AccountingSegment] = field(default_factory=list)


@dataclass(slots=True)
class Distribution(ElementModel):
    """``Distribution``: an Accounting combination and the ``Charge`` it receives."""

    accounting: Accounting
    charge: Money | None


@dataclass(slots=True)
class Discount(ElementModel):
    """``Discount``: a DiscountPercent (``percent``) or a DiscountAmount (``amount``); a negative one
    is a penalty."""

    percent: Decimal | None = None
    amount: Money | None = None


@dataclass(slots=True)
class PaymentTerm(ElementModel):
    """``PaymentTerm payInNumberOfDays``: pay within ``pay_in_days`` days of the invoice date, earning
    ``discount`` when it has one. Several terms make a schedule: 2 % within 10 days, net 30.

    ``older_form``: read from (and written as) an invoice's ``InvoiceDetailPaymentTerm
    payInNumberOfDays percentageRate``, whose rate is a discount percent here.
    """

    pay_in_days: int
    discount: Discount | None = None
    older_form: bool = False


def due_dates(terms: list[PaymentTerm], invoice_date: date) -> tuple[date | None, PaymentTerm | None]:
    """The net due date of an invoice under ``terms`` (the term without a discount, else the longest),
    and the term that earns the best discount for paying earlier (``None`` when there is none)."""
    if not terms:
        return None, None
    plain = [t for t in terms if t.discount is None or not (t.discount.percent or t.discount.amount)]
    net = max(plain or terms, key=lambda t: t.pay_in_days)
    discounted = [
        t
        for t in terms
        if t.discount is not None and t.pay_in_days < net.pay_in_days and (t.discount.percent or 0) > 0
    ]
    best = min(discounted, key=lambda t: t.pay_in_days, default=None)
    return invoice_date + timedelta(days=net.pay_in_days), best


@dataclass(slots=True)
class TermsOfDelivery(ElementModel):
    """``TermsOfDelivery``: TermsOfDeliveryCode (``code``: DeliveryCondition, PriceCondition…),
    ShippingPaymentMethod (``shipping_payment``: who pays the carriage), and TransportTerms
    (``transport_terms``: the Incoterm, e.g. DeliveredAtPlace, its text often naming the place),
    each with the text it carries."""

    code: str
    shipping_payment: str
    transport_terms: str | None = None
    code_text: str = ""
    shipping_payment_text: str = ""
    transport_terms_text: str = ""

    @property
    def incoterm(self) -> str:
        """The Incoterm as a person reads it: the transport terms and their text (``DeliveredAtPlace
        Lyon``), else the delivery code's text or value."""
        if self.transport_terms:
            return " ".join(p for p in (self.transport_terms, self.transport_terms_text.strip()) if p)
        return self.code_text.strip() or self.code


@dataclass(slots=True)
class OrderReference(ElementModel):
    """``OrderReference orderID orderDate`` + ``DocumentReference payloadID`` of the OrderRequest."""

    order_id: str | None = None
    order_date: datetime | None = None
    payload_id: str | None = None


class MessageBody(Protocol):
    """Every typed message has a ``KIND``: the cXML element name (``OrderRequest``…)."""

    KIND: ClassVar[str]


@dataclass(slots=True)
class CXML(ElementModel):
    """The ``cXML`` envelope: attributes, Header, and one typed message.

    ``message`` is the typed Request/Message/Response body; ``status`` is the ``Status`` of a
    Response (or of a Message that carries one). ``in_reply_to`` is the ``Message@inReplyTo``.
    """

    message: MessageBody
    payload_id: str | None = None
    timestamp: datetime | None = None
    header: Header | None = None
    deployment_mode: DeploymentMode = DeploymentMode.PRODUCTION
    version: str | None = None
    lang: str | None = None
    status: Status | None = None
    in_reply_to: str | None = None

    @property
    def kind(self) -> str:
        """The message type name: ``OrderRequest``, ``PunchOutSetupResponse``, ``Response``…"""
        return self.message.KIND

    def require_header(self) -> Header:
        """The Header, or :class:`InvalidDocument` when a Request or Message arrived without one."""
        if self.header is None:
            raise InvalidDocument(
                "the document has no Header: send From, To and Sender credentials so we can tell who you are",
                path="/cXML/Header",
            )
        return self.header


@dataclass(slots=True)
class ParseResult:
    """What :func:`punchout.cxml.parse` returns: the document and what had to be forgiven."""

    document: CXML
    warnings: list[ParseWarning] = field(default_factory=list)
