"""Carrying what the model does not interpret: which parts of each element the model reads, how the
parser names the rest, and how ``build()`` re-emits it.

``MODELLED`` lists, per element, the children and attributes the typed model represents (its
readers bind them and its writers emit them). Everything else a parsed element holds is *carried*:
when the document is built again, each built element is matched with the element it was read from
(its model's ``source``; wrappers and leaves, which have no model of their own, by position among
the children of the same name) and receives

- the source's attributes it does not have, when the model does not represent them and the DTD
  allows them there with that value;
- the source's children whose name the model does not represent, copied verbatim and inserted at
  their DTD place, when the DTD allows them there and the copy is valid on its own.

What the model represents is never carried back: if code removes a line or a ShipTo from a parsed
document, it stays removed. What cannot be carried (not allowed by the DTD) is reported with its
path, by the parser when it reads it and by the builder when it leaves it out.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from lxml import etree

from punchout.cxml._paths import Paths
from punchout.cxml.limits import MAX_WARNINGS
from punchout.cxml.schema import Schema

__all__ = ["MODELLED", "OBJECTS", "Carrier", "Modelled", "classify"]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_Element = etree._Element


@dataclass(frozen=True, slots=True)
class Modelled:
    """The children and attributes of one element that the model represents (``every_attribute``:
    all of them, as for the ``yes`` flags of the invoice indicators)."""

    children: frozenset[str] = frozenset()
    attributes: frozenset[str] = frozenset()
    every_attribute: bool = False


def _m(children: str = "", attributes: str = "", *, every_attribute: bool = False) -> Modelled:
    return Modelled(
        frozenset(children.split()),
        frozenset(XML_LANG if a == "xml:lang" else a for a in attributes.split()),
        every_attribute,
    )


_BODIES = (
    "PunchOutSetupRequest PunchOutSetupResponse PunchOutOrderMessage OrderRequest ProfileRequest "
    "ProfileResponse StatusUpdateRequest ConfirmationRequest ShipNoticeRequest InvoiceDetailRequest"
)

#: Per element: what the typed model represents (see the module docstring). Elements not listed
#: are represented by their text only (leaves) or not at all: all their attributes and children
#: are carried.
MODELLED: dict[str, Modelled] = {
    # envelope (deploymentMode is read on cXML when misplaced there, and written on the wrapper)
    "cXML": _m("Header Request Message Response", "payloadID timestamp version xml:lang deploymentMode"),
    "Header": _m("From To Sender"),
    "From": _m("Credential"),
    "To": _m("Credential"),
    "Sender": _m("Credential UserAgent"),
    "Credential": _m("Identity SharedSecret", "domain"),
    "Request": _m(_BODIES, "deploymentMode"),
    "Message": _m("Status " + _BODIES, "deploymentMode inReplyTo"),
    "Response": _m("Status " + _BODIES),
    "Status": _m("", "code text xml:lang"),
    # shared pieces
    "Extrinsic": _m("", "name"),
    "Description": _m("ShortName", "xml:lang"),
    "Comments": _m("", "xml:lang type"),
    "Address": _m("Name PostalAddress Email Phone", "isoCountryCode addressID"),
    "ShipTo": _m("Address"),
    "BillTo": _m("Address"),
    "PostalAddress": _m("DeliverTo Street City State PostalCode Country", "name"),
    "Country": _m("", "isoCountryCode"),
    "Phone": _m("TelephoneNumber", "name"),
    "TelephoneNumber": _m("CountryCode AreaOrCityCode Number Extension"),
    "CountryCode": _m("", "isoCountryCode"),
    "Contact": _m("Name PostalAddress Email Phone Extrinsic", "role addressID"),
    "Money": _m("", "currency"),
    "Tax": _m("Money Description TaxDetail"),
    "TaxDetail": _m(
        "TaxAmount TaxableAmount TaxLocation Description TaxExemption",
        "category percentageRate purpose exemptDetail",
    ),
    "TaxExemption": _m("ExemptReason", "exemptCode"),
    "ExemptReason": _m("", "xml:lang"),
    "PaymentTerm": _m("Discount", "payInNumberOfDays"),
    "InvoiceDetailPaymentTerm": _m("", "payInNumberOfDays percentageRate"),
    "Discount": _m("DiscountPercent DiscountAmount"),
    "DiscountPercent": _m("", "percent"),
    "DiscountAmount": _m("Money"),
    "TermsOfDelivery": _m("TermsOfDeliveryCode ShippingPaymentMethod TransportTerms"),
    "TermsOfDeliveryCode": _m("", "value"),
    "ShippingPaymentMethod": _m("", "value"),
    "TransportTerms": _m("", "value"),
    "Shipping": _m("Money Description", "trackingDomain tracking"),
    "Classification": _m("", "domain code"),
    "ItemID": _m("SupplierPartID SupplierPartAuxiliaryID BuyerPartID"),
    "ItemDetail": _m(
        "UnitPrice Description UnitOfMeasure PriceBasisQuantity Classification ManufacturerPartID "
        "ManufacturerName URL LeadTime Extrinsic"
    ),
    "PriceBasisQuantity": _m("UnitOfMeasure Description", "quantity conversionFactor"),
    "Distribution": _m("Accounting Charge"),
    "Accounting": _m("Segment AccountingSegment", "name"),
    "AccountingSegment": _m("Name Description", "id"),
    "Segment": _m("", "id type description"),
    "OrderReference": _m("DocumentReference", "orderID orderDate"),
    "OrderIDInfo": _m("", "orderID orderDate"),
    "DocumentReference": _m("", "payloadID"),
    # PunchOut
    "PunchOutSetupRequest": _m(
        "BuyerCookie Extrinsic BrowserFormPost Contact SupplierSetup ShipTo SelectedItem ItemOut", "operation"
    ),
    "BrowserFormPost": _m("URL"),
    "SupplierSetup": _m("URL"),
    "SelectedItem": _m("ItemID"),
    "PunchOutSetupResponse": _m("StartPage"),
    "StartPage": _m("URL"),
    "PunchOutOrderMessage": _m("BuyerCookie PunchOutOrderMessageHeader ItemIn"),
    "PunchOutOrderMessageHeader": _m("Total ShipTo Shipping Tax", "operationAllowed"),
    "ItemIn": _m("ItemID ItemDetail ShipTo Shipping Tax Contact Comments Extrinsic", "quantity lineNumber"),
    # OrderRequest
    "OrderRequest": _m("OrderRequestHeader ItemOut"),
    "OrderRequestHeader": _m(
        "Total ShipTo BillTo Shipping Tax Payment PaymentTerm Contact Comments DocumentReference TermsOfDelivery Extrinsic",
        "orderID orderDate type orderType orderVersion requestedDeliveryDate",
    ),
    "Payment": _m("PCard"),
    "PCard": _m("", "number expiration name"),
    "ItemOut": _m(
        "ItemID ItemDetail ShipTo Shipping Tax Distribution Contact TermsOfDelivery Comments ScheduleLine",
        "quantity lineNumber requestedDeliveryDate",
    ),
    "ScheduleLine": _m("UnitOfMeasure", "quantity lineNumber requestedDeliveryDate"),
    # Profile and status
    "ProfileResponse": _m("Option Transaction", "effectiveDate lastRefresh"),
    "Transaction": _m("URL Option", "requestName"),
    "Option": _m("", "name"),
    "StatusUpdateRequest": _m("DocumentReference Status InvoiceStatus DocumentStatus Extrinsic"),
    "InvoiceStatus": _m("InvoiceIDInfo PartialAmount Comments", "type paymentNetDueDate"),
    "InvoiceIDInfo": _m("", "invoiceID invoiceDate"),
    "PartialAmount": _m("Money"),
    "DocumentStatus": _m("DocumentInfo Comments", "type"),
    "DocumentInfo": _m("", "documentID documentType documentDate"),
    # Fulfill
    "ConfirmationRequest": _m("ConfirmationHeader OrderReference ConfirmationItem"),
    "ConfirmationHeader": _m(
        "Total Shipping Tax Contact Comments Extrinsic", "type noticeDate confirmID operation invoiceID"
    ),
    "ConfirmationItem": _m("UnitOfMeasure ConfirmationStatus", "quantity lineNumber"),
    "ConfirmationStatus": _m(
        "UnitOfMeasure ItemIn UnitPrice Tax Shipping Comments Extrinsic",
        "quantity type deliveryDate shipmentDate",
    ),
    "ShipNoticeRequest": _m("ShipNoticeHeader ShipControl ShipNoticePortion"),
    "ShipNoticeHeader": _m(
        "ServiceLevel Contact Comments TermsOfDelivery Extrinsic",
        "shipmentID operation noticeDate shipmentDate deliveryDate",
    ),
    "ServiceLevel": _m("", "xml:lang"),
    "ShipControl": _m("CarrierIdentifier ShipmentIdentifier", "startDate"),
    "CarrierIdentifier": _m("", "domain"),
    "ShipmentIdentifier": _m("", "domain trackingURL"),
    "ShipNoticePortion": _m("OrderReference Comments Extrinsic ShipNoticeItem"),
    "ShipNoticeItem": _m("ItemID ShipNoticeItemDetail UnitOfMeasure TermsOfDelivery", "quantity lineNumber"),
    "ShipNoticeItemDetail": _m("UnitPrice Description UnitOfMeasure"),
    # InvoiceDetail
    "InvoiceDetailRequest": _m("InvoiceDetailRequestHeader InvoiceDetailOrder InvoiceDetailSummary"),
    "InvoiceDetailRequestHeader": _m(
        "InvoiceDetailHeaderIndicator InvoiceDetailLineIndicator InvoicePartner InvoiceDetailPaymentTerm "
        "PaymentTerm Comments Extrinsic",
        "invoiceID purpose operation invoiceDate",
    ),
    "InvoiceDetailHeaderIndicator": _m(every_attribute=True),
    "InvoiceDetailLineIndicator": _m(every_attribute=True),
    "InvoicePartner": _m("Contact IdReference"),
    "IdReference": _m("", "identifier domain"),
    "InvoiceDetailOrder": _m("InvoiceDetailOrderInfo InvoiceDetailItem"),
    "InvoiceDetailOrderInfo": _m("OrderReference OrderIDInfo"),
    "InvoiceDetailItem": _m(
        "UnitOfMeasure UnitPrice InvoiceDetailItemReference SubtotalAmount Tax GrossAmount NetAmount "
        "Comments Extrinsic",
        "invoiceLineNumber quantity",
    ),
    "InvoiceDetailItemReference": _m(
        "ItemID Description Classification ManufacturerPartID ManufacturerName", "lineNumber"
    ),
    "InvoiceDetailSummary": _m(
        "SubtotalAmount Tax SpecialHandlingAmount ShippingAmount GrossAmount NetAmount DueAmount"
    ),
}

#: Elements written from a model object of their own (which knows its ``source``): they are never
#: matched by position, so a line made in code never receives what a removed line carried.
OBJECTS = frozenset(
    """
    cXML Header Credential Status Extrinsic Description Comments Phone PostalAddress Address Contact
    TaxDetail Tax Shipping Classification ItemID PriceBasisQuantity ItemDetail AccountingSegment
    Segment Accounting Distribution OrderReference OrderIDInfo ScheduleLine PCard ItemOut
    OrderRequestHeader OrderRequest PunchOutSetupRequest PunchOutSetupResponse ItemIn
    PunchOutOrderMessageHeader PunchOutOrderMessage ConfirmationStatus ConfirmationItem
    ConfirmationHeader ConfirmationRequest CarrierIdentifier ShipmentIdentifier ShipControl
    ShipNoticeItem ShipNoticePortion ShipNoticeHeader ShipNoticeRequest InvoicePartner
    InvoiceDetailItemReference InvoiceDetailItem InvoiceDetailOrder InvoiceDetailSummary
    InvoiceDetailRequestHeader InvoiceDetailRequest ProfileRequest Option Transaction ProfileResponse
    InvoiceStatus DocumentStatus StatusUpdateRequest PaymentTerm InvoiceDetailPaymentTerm Discount TermsOfDelivery
    TaxExemption ShipNoticeItemDetail ServiceLevel
    """.split()
)


def classify(schema: Schema, parent: str, child: str) -> str:
    """What becomes of a child the model does not read: ``"kept"`` (carried verbatim), ``"unread"``
    (a second occurrence of something the model reads once) or ``"unknown"`` (not allowed there)."""
    modelled = MODELLED.get(parent)
    if modelled is not None and child in modelled.children:
        return "unread"
    return "kept" if schema.allows_child(parent, child) else "unknown"


@dataclass(slots=True)
class Note:
    """Something the builder did with carried content: kept as written, or left out."""

    code: str
    path: str
    message: str


@dataclass
class Carrier:
    """Merges what built elements' sources hold and the model does not (see the module docstring)."""

    schema: Schema
    sources: dict[_Element, _Element]
    notes: list[Note] = field(default_factory=list)
    #: notes past ``MAX_WARNINGS``, only counted
    more_notes: int = 0
    _done: set[_Element] = field(default_factory=set)
    _paths: Paths = field(default_factory=Paths)
    #: per built element: what was carried into it (children copied, attribute names) and from where
    _carried: dict[_Element, list[tuple[_Element | str, _Element]]] = field(default_factory=dict)

    def note(self, code: str, element: _Element, message: str) -> None:
        """Record what became of ``element`` of a source document (at most ``MAX_WARNINGS`` notes)."""
        if len(self.notes) < MAX_WARNINGS:
            self.notes.append(Note(code, self._paths(element), message))
        else:
            self.more_notes += 1

    def carry(self, root: _Element) -> None:
        """Merge every built element that has a source under ``root`` (ancestors first), then make
        sure each element that received carried content still follows the DTD."""
        if not self.sources:
            return
        for built in root.iter(etree.Element):
            if built not in self._done:
                source = self.sources.get(built)
                if source is not None:
                    self._merge(built, source)
        self._verify()

    def _verify(self) -> None:
        """Check each element that received carried content against the DTD, deepest first; where
        it no longer follows it (a choice the model already made, a second occurrence), take the
        carried content out again and say so."""
        if not self._carried:
            return
        by_depth = sorted(self._carried, key=lambda el: -sum(1 for _ in el.iterancestors()))
        for built in by_depth:
            errors = self.schema.errors(built)
            if not errors:
                continue
            for item, source in self._carried[built]:
                if isinstance(item, str):
                    del built.attrib[item]
                    what = f"@{_local(item)}"
                else:
                    built.remove(item)
                    what = f"<{item.tag}>"
                self.note(
                    "not-kept",
                    source,
                    f"{what} would make <{built.tag}> not follow cXML 1.2.071 ({errors[0]}); it was left out",
                )

    def _merge(self, built: _Element, source: _Element) -> None:
        self._done.add(built)
        tag = str(built.tag)
        modelled = MODELLED.get(tag)
        self._attributes(built, source, modelled)
        claimed: set[_Element] = set()
        unmatched: dict[str, list[_Element]] | None = None  # source children by name, for wrappers
        for child in built:
            if not isinstance(child.tag, str):
                continue
            child_source = self.sources.get(child)
            if child_source is None and child.tag not in OBJECTS:
                if unmatched is None:
                    unmatched = {}
                    for s in reversed(source):
                        if isinstance(s.tag, str):
                            unmatched.setdefault(s.tag, []).append(s)
                candidates = unmatched.get(child.tag)
                while candidates and candidates[-1] in claimed:
                    candidates.pop()
                child_source = candidates.pop() if candidates else None
            if child_source is None:
                continue
            claimed.add(child_source)
            self._merge(child, child_source)
        for child_source in source:
            if not isinstance(child_source.tag, str) or child_source in claimed:
                continue
            name = child_source.tag
            if modelled is not None and name in modelled.children:
                continue  # the model decides: removed or replaced in code, or read elsewhere
            if not self.schema.allows_child(tag, name):
                self.note(
                    "not-kept",
                    child_source,
                    f"<{_local(name)}> is not allowed inside <{tag}> in cXML 1.2.071; it was left out",
                )
                continue
            carried = _copy(child_source)
            errors = self.schema.errors(carried)
            if errors:
                self.note(
                    "not-kept",
                    child_source,
                    f"<{name}> does not follow cXML 1.2.071 ({errors[0]}); it was left out",
                )
                continue
            self._insert(built, carried)
            self._carried.setdefault(built, []).append((carried, child_source))

    def _attributes(self, built: _Element, source: _Element, modelled: Modelled | None) -> None:
        if modelled is not None and modelled.every_attribute:
            return
        present = built.attrib
        for key, raw in source.attrib.items():
            name, value = str(key), str(raw)
            if name in present or (modelled is not None and name in modelled.attributes):
                continue
            if self.schema.allows_attribute(str(built.tag), name, value):
                built.set(name, value)
                self._carried.setdefault(built, []).append((name, source))
            else:
                self.note(
                    "not-kept",
                    source,
                    f"@{_local(name)}={value[:40]!r} is not allowed on <{built.tag}> in cXML 1.2.071; "
                    "it was left out",
                )

    def _insert(self, parent: _Element, child: _Element) -> None:
        """Insert ``child`` before the first element child of ``parent`` with a higher DTD rank."""
        tag = str(parent.tag)
        rank = self.schema.rank(tag, str(child.tag))
        for index, sibling in enumerate(parent):
            if isinstance(sibling.tag, str) and self.schema.rank(tag, sibling.tag) > rank:
                parent.insert(index, child)
                return
        parent.append(child)


def _copy(element: _Element) -> _Element:
    """A copy of ``element`` without its tail (the white space after it in the source) nor its
    layout (:func:`drop_layout`)."""
    carried = copy.deepcopy(element)
    carried.tail = None
    drop_layout(carried)
    return carried


#: Elements whose content the cXML 1.2.071 DTDs declare mixed (``#PCDATA`` with elements) or
#: ``ANY``: the only standard elements where white space between child elements can be text.
MIXED_CONTENT = (
    "BuyerCookie",
    "Comments",
    "Description",
    "DigitalSignature",
    "Extrinsic",
    "Identity",
    "OtherOrderTarget",
    "Route",
    "SharedSecret",
    "SupplierPartAuxiliaryID",
)


def drop_layout(element: _Element) -> None:
    """Remove the white space that lays out element content inside ``element``: the text and
    tails of an element with children when all of them are white space, outside the DTD's
    mixed-content and ``ANY`` elements (:data:`MIXED_CONTENT`), which are left as they are.

    What is carried is then written the same whether its source was read with that white space
    or without it (``parse`` drops it from most bodies, see ``_reader.BlankDroppingParser``),
    and the output's pretty-printing lays it out like everything the builder writes."""
    if element.tag in MIXED_CONTENT or not len(element):
        return
    if not (element.text or "").strip() and not any((c.tail or "").strip() for c in element):
        element.text = None
        for c in element:
            c.tail = None
    for c in element:
        if isinstance(c.tag, str):
            drop_layout(c)


def _local(name: str) -> str:
    return etree.QName(name).localname if name.startswith("{") else name
