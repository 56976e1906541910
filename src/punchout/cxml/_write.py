"""Strict writing of the elements shared by every cXML message, in cXML 1.2.071 DTD order.

Every function takes the parent element and the element path used in :class:`BuildError`. Each
element written from a model that was read from a document is recorded with its ``source`` (see
:mod:`punchout.cxml._carry`), so that what the model does not interpret is carried over.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Protocol, TypeVar

from lxml import etree

from punchout.cxml._carry import Note, drop_layout
from punchout.cxml.common import (
    Address,
    Classification,
    Comment,
    Contact,
    Credential,
    Description,
    Distribution,
    Extrinsic,
    ItemDetail,
    ItemID,
    OrderReference,
    PaymentTerm,
    Phone,
    PostalAddress,
    Shipping,
    Status,
    Tax,
    TaxDetail,
    TermsOfDelivery,
)
from punchout.cxml.dates import format_datetime, parse_datetime
from punchout.cxml.errors import BuildError
from punchout.cxml.punchout_msgs import ItemIn
from punchout.money import Money, quantize_money, quantize_unit_price

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
T = TypeVar("T")
_Element = etree._Element


class Writer:
    """Writing state: the default ``xml:lang`` for elements whose language is unknown, the source
    of each element written from a model read from a document, and notes on what was kept as
    written."""

    __slots__ = ("lang", "notes", "sources")

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.sources: dict[_Element, _Element] = {}
        self.notes: list[Note] = []

    def record(self, el: _Element, model: _Sourced) -> _Element:
        """Remember that ``el`` was written from ``model`` (when the model was read from a document)."""
        source = model.source
        if source is not None:
            self.sources[el] = source
        return el

    def when(self, value: datetime | None, source: _Element | None, attribute: str, path: str) -> str | None:
        """A date attribute: ``value`` in ISO 8601, or, when the model has none because the document's
        text was not a readable date, that text as written (cXML types dates as text)."""
        if value is not None:
            return date(value, path)
        if source is None:
            return None
        raw = source.get(attribute)
        if raw is None or parse_datetime(raw)[0] is not None:
            return None  # absent, or readable: the model's None was set in code
        self.notes.append(
            Note("kept-as-written", f"{path}/@{attribute}", f"@{attribute}={raw[:40]!r} kept as written")
        )
        return raw

    def required_when(
        self, value: datetime | None, source: _Element | None, attribute: str, path: str, hint: str
    ) -> str:
        """A date attribute cXML requires: as :meth:`when`, or a :class:`BuildError` (``hint``)."""
        return need(self.when(value, source, attribute, path), f"{path}/@{attribute}", hint)

    def kept(self, parent: _Element, tag: str, path: str) -> bool:
        """Copy ``parent``'s source child ``tag`` as written when its Money could not be read (no
        amount, or no currency), so the model holds nothing to write there. False otherwise."""
        source = self.sources.get(parent)
        if source is None:
            return False
        found = source.find(tag)
        if found is None:
            return False
        money = found if tag == "Money" else found.find("Money")
        if money is None or ((money.text or "").strip() and (money.get("currency") or "").strip()):
            return False  # readable: the model's None was set in code
        carried = copy.deepcopy(found)
        carried.tail = None
        drop_layout(carried)
        parent.append(carried)
        self.notes.append(Note("kept-as-written", f"{path}/{tag}", f"<{tag}> kept as written"))
        return True


class _Sourced(Protocol):
    @property
    def source(self) -> _Element | None: ...


def carries(model: _Sourced, *tags: str) -> bool:
    """Whether the element ``model`` was read from has one of ``tags``: a standard alternative the
    model does not interpret (an InvoiceDetailServiceItem instead of an InvoiceDetailItem), which
    is carried and fills the place the DTD requires."""
    source = model.source
    return source is not None and any(source.find(tag) is not None for tag in tags)


def need(value: T | None, path: str, hint: str) -> T:
    """``value``, or a :class:`BuildError` saying what the document lacks (see :func:`missing`)."""
    if value is None or value == "" or value == []:
        raise missing(path, hint)
    return value


def missing(path: str, hint: str) -> BuildError:
    """The refusal of a document that lacks the element or attribute at ``path``, in the
    document's terms: ``the document has no <BillTo> in <OrderRequestHeader>: …``."""
    parent_path, _, last = path.rpartition("/")
    parent = parent_path.rpartition("/")[2].split("[", 1)[0] or "cXML"
    name = last.split("[", 1)[0]
    what = f"{name[1:]} attribute" if name.startswith("@") else f"<{name}>"
    return BuildError(f"the document has no {what} in <{parent}>: {hint}", path=path)


def sub(
    parent: _Element, tag: str, text: str | None = None, attrs: Mapping[str, str | None] | None = None
) -> _Element:
    el = etree.SubElement(parent, tag)
    if attrs:
        for key, value in attrs.items():
            if value is not None:
                el.set(key, value)
    if text is not None:
        el.text = text
    return el


def unit_of_measure(
    parent: _Element, value: str | None, path: str, hint: str = "cXML requires a unit"
) -> None:
    """The ``UnitOfMeasure`` cXML requires in the element at ``path``."""
    sub(parent, "UnitOfMeasure", need(value, f"{path}/UnitOfMeasure", hint))


class _Line(_Sourced, Protocol):
    @property
    def quantity(self) -> Decimal: ...

    @property
    def line_number(self) -> int | None: ...


def line(w: Writer, parent: _Element, tag: str, item: _Line) -> _Element:
    """A line element ``<tag quantity lineNumber>`` (ConfirmationItem, ShipNoticeItem, ItemIn)."""
    return w.record(
        sub(parent, tag, attrs={"quantity": number(item.quantity), "lineNumber": number(item.line_number)}),
        item,
    )


def date(value: datetime | None, path: str) -> str | None:
    if value is None:
        return None
    try:
        return format_datetime(value)
    except ValueError:
        raise BuildError(f"the date at {path} has no time zone; cXML dates carry one", path=path) from None


def number(value: Decimal | int | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize() if value == value.to_integral_value() else value, "f")
    return "0" if text in ("-0", "") else text


def money(
    parent: _Element, value: Money | None, path: str, *, unit_price: bool = False, w: Writer | None = None
) -> None:
    """``Money`` in ``parent``; with ``w``, a Money the model could not read is kept as written."""
    if value is None and w is not None and w.kept(parent, "Money", path):
        return
    value = need(value, f"{path}/Money", "cXML requires an amount and its currency")
    currency = value.currency.upper()
    amount = (
        quantize_unit_price(value.amount, currency) if unit_price else quantize_money(value.amount, currency)
    )
    sub(parent, "Money", format(amount, "f"), {"currency": currency})


def money_in(
    parent: _Element,
    tag: str,
    value: Money | None,
    path: str,
    *,
    unit_price: bool = False,
    w: Writer | None = None,
    optional: bool = False,
) -> None:
    """``<tag><Money/></tag>`` (Total, UnitPrice…); with ``w``, one the model could not read is kept
    as written. An ``optional`` one without a value is left out."""
    if value is None:
        if (w is not None and w.kept(parent, tag, path)) or optional:
            return
        raise missing(f"{path}/{tag}", "cXML requires an amount and its currency")
    money(sub(parent, tag), value, f"{path}/{tag}", unit_price=unit_price)


def description(w: Writer, parent: _Element, value: Description) -> None:
    el = w.record(sub(parent, "Description", value.text or None, {XML_LANG: value.lang or w.lang}), value)
    if value.short_name is not None:
        sub(el, "ShortName", value.short_name)


def extrinsics(w: Writer, parent: _Element, values: list[Extrinsic]) -> None:
    for extrinsic in values:
        source = extrinsic.source
        if source is not None and len(source) and extrinsic.value == _flat_text(source):
            # structured content (cXML allows any): the model holds its text; write it as sent
            el = _copy(source)
            el.set("name", extrinsic.name)
            parent.append(el)
        else:
            sub(parent, "Extrinsic", extrinsic.value, {"name": extrinsic.name})


def comments(w: Writer, parent: _Element, values: list[Comment]) -> None:
    for comment in values:
        w.record(
            sub(parent, "Comments", comment.text, {XML_LANG: comment.lang, "type": comment.type}), comment
        )


def status(w: Writer, parent: _Element, value: Status) -> None:
    w.record(
        sub(
            parent,
            "Status",
            value.message or None,
            {"code": str(value.code), "text": value.text, XML_LANG: value.lang},
        ),
        value,
    )


def credential(w: Writer, parent: _Element, value: Credential) -> None:
    el = w.record(sub(parent, "Credential", attrs={"domain": value.domain}), value)
    sub(el, "Identity", value.identity)
    if value.shared_secret is not None:
        sub(el, "SharedSecret", value.shared_secret)


def phone(w: Writer, parent: _Element, value: Phone) -> None:
    number_el = sub(w.record(sub(parent, "Phone", attrs={"name": value.name}), value), "TelephoneNumber")
    sub(number_el, "CountryCode", value.country_code, {"isoCountryCode": value.iso_country_code})
    sub(number_el, "AreaOrCityCode", value.area_or_city_code)
    sub(number_el, "Number", value.number)
    if value.extension is not None:
        sub(number_el, "Extension", value.extension)


def postal_address(w: Writer, parent: _Element, value: PostalAddress, path: str) -> None:
    path = f"{path}/PostalAddress"
    el = w.record(sub(parent, "PostalAddress", attrs={"name": value.name}), value)
    for deliver_to in value.deliver_to:
        sub(el, "DeliverTo", deliver_to)
    for street in need(value.street, f"{path}/Street", "cXML requires at least one Street"):
        sub(el, "Street", street)
    sub(el, "City", need(value.city, f"{path}/City", "cXML requires a City"))
    if value.state is not None:
        sub(el, "State", value.state)
    if value.postal_code is not None:
        sub(el, "PostalCode", value.postal_code)
    iso = need(value.iso_country_code, f"{path}/Country/@isoCountryCode", "cXML requires an ISO country code")
    sub(el, "Country", value.country, {"isoCountryCode": iso})


def address(w: Writer, parent: _Element, value: Address, path: str) -> None:
    el = w.record(
        sub(
            parent,
            "Address",
            attrs={"isoCountryCode": value.iso_country_code, "addressID": value.address_id},
        ),
        value,
    )
    sub(el, "Name", value.name, {XML_LANG: value.name_lang or w.lang})
    if value.postal_address is not None:
        postal_address(w, el, value.postal_address, f"{path}/Address")
    if value.email is not None:
        sub(el, "Email", value.email)
    if value.phone is not None:
        phone(w, el, value.phone)


def wrapped_address(w: Writer, parent: _Element, tag: str, value: Address | None, path: str) -> None:
    if value is not None:
        address(w, sub(parent, tag), value, f"{path}/{tag}")


def contact(w: Writer, parent: _Element, value: Contact, path: str) -> None:
    el = w.record(sub(parent, "Contact", attrs={"role": value.role, "addressID": value.address_id}), value)
    sub(el, "Name", value.name, {XML_LANG: value.name_lang or w.lang})
    for postal in value.postal_addresses:
        postal_address(w, el, postal, f"{path}/Contact")
    for email in value.emails:
        sub(el, "Email", email)
    for number_ in value.phones:
        phone(w, el, number_)
    extrinsics(w, el, value.extrinsics)


def contacts(w: Writer, parent: _Element, values: list[Contact], path: str) -> None:
    for value in values:
        contact(w, parent, value, path)


def tax_detail(w: Writer, parent: _Element, value: TaxDetail, path: str) -> None:
    path = f"{path}/TaxDetail"
    el = w.record(
        sub(
            parent,
            "TaxDetail",
            attrs={
                "purpose": value.purpose,
                "category": need(
                    value.category, f"{path}/@category", "cXML requires a tax category (vat, sales…)"
                ),
                "percentageRate": number(value.percentage_rate),
                "exemptDetail": value.exempt_detail,
            },
        ),
        value,
    )
    money_in(el, "TaxableAmount", value.taxable_amount, path, w=w, optional=True)
    money_in(el, "TaxAmount", value.tax_amount, path, w=w)
    if value.location is not None:
        sub(el, "TaxLocation", value.location, {XML_LANG: w.lang})
    if value.description is not None:
        description(w, el, value.description)
    exemption = value.exemption
    if exemption is not None:
        exemption_el = w.record(sub(el, "TaxExemption", attrs={"exemptCode": exemption.code}), exemption)
        if exemption.reason is not None:
            sub(exemption_el, "ExemptReason", exemption.reason, {XML_LANG: exemption.reason_lang or w.lang})


def payment_terms(w: Writer, parent: _Element, values: list[PaymentTerm]) -> None:
    """``PaymentTerm`` elements (an invoice's older ``InvoiceDetailPaymentTerm`` ones first, as the
    DTD orders them)."""
    for term in values:
        if term.older_form:
            rate = term.discount.percent if term.discount is not None else None
            attrs = {"payInNumberOfDays": str(term.pay_in_days), "percentageRate": number(rate) or "0"}
            w.record(sub(parent, "InvoiceDetailPaymentTerm", attrs=attrs), term)
    for term in values:
        if term.older_form:
            continue
        el = w.record(sub(parent, "PaymentTerm", attrs={"payInNumberOfDays": str(term.pay_in_days)}), term)
        discount = term.discount
        if discount is not None and (discount.percent is not None or discount.amount is not None):
            discount_el = w.record(sub(el, "Discount"), discount)
            if discount.percent is not None:
                sub(discount_el, "DiscountPercent", attrs={"percent": number(discount.percent)})
            else:
                money_in(discount_el, "DiscountAmount", discount.amount, "PaymentTerm/Discount")


def terms_of_delivery(w: Writer, parent: _Element, value: TermsOfDelivery | None) -> None:
    if value is None:
        return
    el = w.record(sub(parent, "TermsOfDelivery"), value)
    sub(el, "TermsOfDeliveryCode", value.code_text or None, {"value": value.code})
    sub(el, "ShippingPaymentMethod", value.shipping_payment_text or None, {"value": value.shipping_payment})
    if value.transport_terms is not None:
        sub(el, "TransportTerms", value.transport_terms_text or None, {"value": value.transport_terms})


def tax(w: Writer, parent: _Element, value: Tax | None, path: str) -> None:
    if value is None:
        return
    path = f"{path}/Tax"
    el = w.record(sub(parent, "Tax"), value)
    money(el, value.money, path, w=w)
    description(
        w, el, need(value.description, f"{path}/Description", "cXML requires a Description of the tax")
    )
    for detail in value.details:
        tax_detail(w, el, detail, path)


def shipping(w: Writer, parent: _Element, value: Shipping | None, path: str) -> None:
    if value is None:
        return
    path = f"{path}/Shipping"
    el = w.record(
        sub(parent, "Shipping", attrs={"trackingDomain": value.tracking_domain, "tracking": value.tracking}),
        value,
    )
    money(el, value.money, path, w=w)
    description(
        w, el, need(value.description, f"{path}/Description", "cXML requires a Description of the shipping")
    )


def classification(w: Writer, parent: _Element, value: Classification) -> None:
    w.record(sub(parent, "Classification", value.value, {"domain": value.domain, "code": value.code}), value)


def item_id(w: Writer, parent: _Element, value: ItemID) -> None:
    el = w.record(sub(parent, "ItemID"), value)
    sub(el, "SupplierPartID", value.supplier_part_id)
    if value.supplier_part_auxiliary_id is not None:
        sub(el, "SupplierPartAuxiliaryID", value.supplier_part_auxiliary_id)
    if value.buyer_part_id is not None:
        sub(el, "BuyerPartID", value.buyer_part_id)


def item_detail(w: Writer, parent: _Element, value: ItemDetail | None, path: str) -> None:
    path = f"{path}/ItemDetail"
    value = need(value, path, "cXML requires an ItemDetail (price, description, unit, classification)")
    el = w.record(sub(parent, "ItemDetail"), value)
    money_in(el, "UnitPrice", value.unit_price, path, unit_price=True, w=w)
    for desc in need(value.descriptions, f"{path}/Description", "cXML requires at least one Description"):
        description(w, el, desc)
    unit_of_measure(el, value.unit_of_measure, path, "cXML requires a UnitOfMeasure")
    pbq = value.price_basis_quantity
    if pbq is not None:
        pbq_el = w.record(
            sub(
                el,
                "PriceBasisQuantity",
                attrs={"quantity": number(pbq.quantity), "conversionFactor": number(pbq.conversion_factor)},
            ),
            pbq,
        )
        unit_of_measure(pbq_el, pbq.unit_of_measure, f"{path}/PriceBasisQuantity")
        if pbq.description is not None:
            description(w, pbq_el, pbq.description)
    for value_ in need(
        value.classifications, f"{path}/Classification", "cXML requires at least one Classification"
    ):
        classification(w, el, value_)
    if value.manufacturer_part_id is not None:
        sub(el, "ManufacturerPartID", value.manufacturer_part_id)
    if value.manufacturer_name is not None:
        sub(el, "ManufacturerName", value.manufacturer_name)
    if value.url is not None:
        sub(el, "URL", value.url)
    if value.lead_time is not None:
        sub(el, "LeadTime", str(value.lead_time))
    extrinsics(w, el, value.extrinsics)


def distribution(w: Writer, parent: _Element, value: Distribution, path: str) -> None:
    path = f"{path}/Distribution"
    el = w.record(sub(parent, "Distribution"), value)
    accounting = w.record(sub(el, "Accounting", attrs={"name": value.accounting.name}), value.accounting)
    for segment in need(
        value.accounting.segments,
        f"{path}/Accounting/AccountingSegment",
        "cXML requires at least one segment",
    ):
        if segment.older_form:
            w.record(
                sub(
                    accounting,
                    "Segment",
                    attrs={"type": segment.name, "id": segment.id, "description": segment.description},
                ),
                segment,
            )
            continue
        seg = w.record(sub(accounting, "AccountingSegment", attrs={"id": segment.id}), segment)
        sub(seg, "Name", segment.name, {XML_LANG: w.lang})
        sub(seg, "Description", segment.description, {XML_LANG: w.lang})
    money_in(el, "Charge", value.charge, path, w=w)


def order_reference(w: Writer, parent: _Element, value: OrderReference, path: str) -> None:
    path = f"{path}/OrderReference"
    el = w.record(
        sub(
            parent,
            "OrderReference",
            attrs={
                "orderID": value.order_id,
                "orderDate": w.when(value.order_date, value.source, "orderDate", path),
            },
        ),
        value,
    )
    payload_id = need(
        value.payload_id, f"{path}/DocumentReference", "cXML requires the payloadID of the order it refers to"
    )
    sub(el, "DocumentReference", attrs={"payloadID": payload_id})


def item_in(w: Writer, parent: _Element, item: ItemIn, path: str) -> None:
    el = line(w, parent, "ItemIn", item)
    item_id(w, el, item.item_id)
    if item.item_detail is not None or not carries(item, "BlanketItemDetail"):
        item_detail(w, el, item.item_detail, path)
    wrapped_address(w, el, "ShipTo", item.ship_to, path)
    shipping(w, el, item.shipping, path)
    tax(w, el, item.tax, path)
    contacts(w, el, item.contacts, path)
    if item.comments is not None:
        comments(w, el, [item.comments])
    extrinsics(w, el, item.extrinsics)


def _flat_text(el: _Element) -> str:
    """The text of ``el`` and its descendants, trimmed (how an Extrinsic's value is read)."""
    return str(etree.tostring(el, method="text", encoding=str, with_tail=False)).strip()


def _copy(element: _Element) -> _Element:
    """A copy of ``element`` without its tail (the white space after it in the source) nor its
    layout (``_carry.drop_layout``)."""
    carried = copy.deepcopy(element)
    carried.tail = None
    drop_layout(carried)
    return carried
