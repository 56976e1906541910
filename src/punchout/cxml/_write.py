"""Strict writing of the elements shared by every cXML message, in cXML 1.2.071 DTD order.

Every function takes the parent element and the element path used in :class:`BuildError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from lxml import etree

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
    Phone,
    PostalAddress,
    Shipping,
    Status,
    Tax,
    TaxDetail,
)
from punchout.cxml.dates import format_datetime
from punchout.cxml.errors import BuildError
from punchout.cxml.punchout_msgs import ItemIn
from punchout.money import Money, quantize_money, quantize_unit_price

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
T = TypeVar("T")
_Element = etree._Element


class Writer:
    """Writing state: the default ``xml:lang`` for elements whose language is unknown."""

    __slots__ = ("lang",)

    def __init__(self, lang: str) -> None:
        self.lang = lang


def need(value: T | None, path: str, hint: str) -> T:
    """``value``, or a :class:`BuildError` naming the missing element or attribute."""
    if value is None or value == "" or value == []:
        raise BuildError(f"cannot build {path}: {hint}", path=path)
    return value


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


def date(value: datetime | None, path: str) -> str | None:
    if value is None:
        return None
    try:
        return format_datetime(value)
    except ValueError:
        raise BuildError(
            f"cannot build {path}: the datetime has no zone; pass an aware datetime", path=path
        ) from None


def number(value: Decimal | int | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize() if value == value.to_integral_value() else value, "f")
    return "0" if text in ("-0", "") else text


def money(parent: _Element, value: Money | None, path: str, *, unit_price: bool = False) -> _Element:
    value = need(value, f"{path}/Money", "an amount and a currency are required")
    currency = value.currency.upper()
    amount = (
        quantize_unit_price(value.amount, currency) if unit_price else quantize_money(value.amount, currency)
    )
    return sub(parent, "Money", format(amount, "f"), {"currency": currency})


def money_in(parent: _Element, tag: str, value: Money | None, path: str, *, unit_price: bool = False) -> None:
    money(sub(parent, tag), value, f"{path}/{tag}", unit_price=unit_price)


def description(w: Writer, parent: _Element, value: Description) -> None:
    el = sub(parent, "Description", value.text or None, {XML_LANG: value.lang or w.lang})
    if value.short_name is not None:
        sub(el, "ShortName", value.short_name)


def extrinsics(parent: _Element, values: list[Extrinsic]) -> None:
    for extrinsic in values:
        sub(parent, "Extrinsic", extrinsic.value, {"name": extrinsic.name})


def comments(parent: _Element, values: list[Comment]) -> None:
    for comment in values:
        sub(parent, "Comments", comment.text, {XML_LANG: comment.lang, "type": comment.type})


def status(parent: _Element, value: Status) -> None:
    sub(
        parent,
        "Status",
        value.message or None,
        {"code": str(value.code), "text": value.text, XML_LANG: value.lang},
    )


def credential(parent: _Element, value: Credential) -> None:
    el = sub(parent, "Credential", attrs={"domain": value.domain})
    sub(el, "Identity", value.identity)
    if value.shared_secret is not None:
        sub(el, "SharedSecret", value.shared_secret)


def phone(parent: _Element, value: Phone) -> None:
    number_el = sub(sub(parent, "Phone", attrs={"name": value.name}), "TelephoneNumber")
    sub(number_el, "CountryCode", value.country_code, {"isoCountryCode": value.iso_country_code})
    sub(number_el, "AreaOrCityCode", value.area_or_city_code)
    sub(number_el, "Number", value.number)
    if value.extension is not None:
        sub(number_el, "Extension", value.extension)


def postal_address(parent: _Element, value: PostalAddress, path: str) -> None:
    path = f"{path}/PostalAddress"
    el = sub(parent, "PostalAddress", attrs={"name": value.name})
    for deliver_to in value.deliver_to:
        sub(el, "DeliverTo", deliver_to)
    for street in need(value.street, f"{path}/Street", "at least one Street is required"):
        sub(el, "Street", street)
    sub(el, "City", need(value.city, f"{path}/City", "a City is required"))
    if value.state is not None:
        sub(el, "State", value.state)
    if value.postal_code is not None:
        sub(el, "PostalCode", value.postal_code)
    iso = need(value.iso_country_code, f"{path}/Country/@isoCountryCode", "an ISO country code is required")
    sub(el, "Country", value.country, {"isoCountryCode": iso})


def address(w: Writer, parent: _Element, value: Address, path: str) -> None:
    el = sub(
        parent,
        "Address",
        attrs={"isoCountryCode": value.iso_country_code, "addressID": value.address_id},
    )
    sub(el, "Name", value.name, {XML_LANG: value.name_lang or w.lang})
    if value.postal_address is not None:
        postal_address(el, value.postal_address, f"{path}/Address")
    if value.email is not None:
        sub(el, "Email", value.email)
    if value.phone is not None:
        phone(el, value.phone)


def wrapped_address(w: Writer, parent: _Element, tag: str, value: Address | None, path: str) -> None:
    if value is not None:
        address(w, sub(parent, tag), value, f"{path}/{tag}")


def contact(w: Writer, parent: _Element, value: Contact, path: str) -> None:
    el = sub(parent, "Contact", attrs={"role": value.role, "addressID": value.address_id})
    sub(el, "Name", value.name, {XML_LANG: value.name_lang or w.lang})
    for postal in value.postal_addresses:
        postal_address(el, postal, f"{path}/Contact")
    for email in value.emails:
        sub(el, "Email", email)
    for number_ in value.phones:
        phone(el, number_)
    extrinsics(el, value.extrinsics)


def contacts(w: Writer, parent: _Element, values: list[Contact], path: str) -> None:
    for value in values:
        contact(w, parent, value, path)


def tax_detail(w: Writer, parent: _Element, value: TaxDetail, path: str) -> None:
    path = f"{path}/TaxDetail"
    el = sub(
        parent,
        "TaxDetail",
        attrs={
            "purpose": value.purpose,
            "category": need(value.category, f"{path}/@category", "a tax category (vat, sales…) is required"),
            "percentageRate": number(value.percentage_rate),
        },
    )
    if value.taxable_amount is not None:
        money_in(el, "TaxableAmount", value.taxable_amount, path)
    money_in(el, "TaxAmount", value.tax_amount, path)
    if value.location is not None:
        sub(el, "TaxLocation", value.location, {XML_LANG: w.lang})
    if value.description is not None:
        description(w, el, value.description)


def tax(w: Writer, parent: _Element, value: Tax | None, path: str) -> None:
    if value is None:
        return
    path = f"{path}/Tax"
    el = sub(parent, "Tax")
    money(el, value.money, path)
    description(w, el, need(value.description, f"{path}/Description", "Tax needs a Description"))
    for detail in value.details:
        tax_detail(w, el, detail, path)


def shipping(w: Writer, parent: _Element, value: Shipping | None, path: str) -> None:
    if value is None:
        return
    path = f"{path}/Shipping"
    el = sub(parent, "Shipping", attrs={"trackingDomain": value.tracking_domain, "tracking": value.tracking})
    money(el, value.money, path)
    description(w, el, need(value.description, f"{path}/Description", "Shipping needs a Description"))


def classification(parent: _Element, value: Classification) -> None:
    sub(parent, "Classification", value.value, {"domain": value.domain, "code": value.code})


def item_id(parent: _Element, value: ItemID) -> None:
    el = sub(parent, "ItemID")
    sub(el, "SupplierPartID", value.supplier_part_id)
    if value.supplier_part_auxiliary_id is not None:
        sub(el, "SupplierPartAuxiliaryID", value.supplier_part_auxiliary_id)
    if value.buyer_part_id is not None:
        sub(el, "BuyerPartID", value.buyer_part_id)


def item_detail(w: Writer, parent: _Element, value: ItemDetail | None, path: str) -> None:
    path = f"{path}/ItemDetail"
    value = need(value, path, "an ItemDetail (price, description, unit, classification) is required")
    el = sub(parent, "ItemDetail")
    money_in(el, "UnitPrice", value.unit_price, path, unit_price=True)
    for desc in need(value.descriptions, f"{path}/Description", "at least one Description is required"):
        description(w, el, desc)
    sub(
        el,
        "UnitOfMeasure",
        need(value.unit_of_measure, f"{path}/UnitOfMeasure", "a UnitOfMeasure is required"),
    )
    pbq = value.price_basis_quantity
    if pbq is not None:
        pbq_el = sub(
            el,
            "PriceBasisQuantity",
            attrs={"quantity": number(pbq.quantity), "conversionFactor": number(pbq.conversion_factor)},
        )
        sub(
            pbq_el,
            "UnitOfMeasure",
            need(pbq.unit_of_measure, f"{path}/PriceBasisQuantity", "a unit is required"),
        )
        if pbq.description is not None:
            description(w, pbq_el, pbq.description)
    for value_ in need(
        value.classifications, f"{path}/Classification", "at least one Classification is required"
    ):
        classification(el, value_)
    if value.manufacturer_part_id is not None:
        sub(el, "ManufacturerPartID", value.manufacturer_part_id)
    if value.manufacturer_name is not None:
        sub(el, "ManufacturerName", value.manufacturer_name)
    if value.url is not None:
        sub(el, "URL", value.url)
    if value.lead_time is not None:
        sub(el, "LeadTime", str(value.lead_time))
    extrinsics(el, value.extrinsics)


def distribution(w: Writer, parent: _Element, value: Distribution, path: str) -> None:
    path = f"{path}/Distribution"
    el = sub(parent, "Distribution")
    accounting = sub(el, "Accounting", attrs={"name": value.accounting.name})
    for segment in need(value.accounting.segments, f"{path}/Accounting", "at least one AccountingSegment"):
        seg = sub(accounting, "AccountingSegment", attrs={"id": segment.id})
        sub(seg, "Name", segment.name, {XML_LANG: w.lang})
        sub(seg, "Description", segment.description, {XML_LANG: w.lang})
    money_in(el, "Charge", value.charge, path)


def order_reference(parent: _Element, value: OrderReference, path: str) -> None:
    path = f"{path}/OrderReference"
    el = sub(
        parent,
        "OrderReference",
        attrs={"orderID": value.order_id, "orderDate": date(value.order_date, f"{path}/@orderDate")},
    )
    payload_id = need(value.payload_id, f"{path}/DocumentReference", "the OrderRequest payloadID is required")
    sub(el, "DocumentReference", attrs={"payloadID": payload_id})


def item_in(w: Writer, parent: _Element, item: ItemIn, path: str) -> None:
    el = sub(
        parent,
        "ItemIn",
        attrs={"quantity": number(item.quantity), "lineNumber": number(item.line_number)},
    )
    item_id(el, item.item_id)
    item_detail(w, el, item.item_detail, path)
    wrapped_address(w, el, "ShipTo", item.ship_to, path)
    shipping(w, el, item.shipping, path)
    tax(w, el, item.tax, path)
    contacts(w, el, item.contacts, path)
    if item.comments is not None:
        comments(el, [item.comments])
    extrinsics(el, item.extrinsics)
