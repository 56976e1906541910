"""Element names, schema positions and the small tree edits the writer makes.

``ORDER`` gives, for each kind of element the writer touches, the sequence of its children in the
OAGIS 10.2 schemas (extensions of base types flattened, in schema order). A child the writer adds
is inserted before the first existing sibling that comes later in that sequence, so carried
children keep their place and modelled ones land at theirs.
"""

from __future__ import annotations

from lxml import etree

NS = "http://www.openapplications.org/oagis/10"

_Element = etree._Element


def q(name: str) -> str:
    """The qualified tag of an OAGIS element."""
    return f"{{{NS}}}{name}"


def local(tag: object) -> str:
    """The local name of a tag (``""`` for comments and processing instructions)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _seq(names: str) -> dict[str, int]:
    return {name: rank for rank, name in enumerate(names.split())}


_PARTY = (
    "ID PartyIDSet TaxIDSet TaxID DUNSID CAGEID DODAACID BICID SCACID CCRID AccountID Name Location "
    "Contact CustomerAccountID RequesterContact PlannerContact BuyerContact ReceivingContact "
    "SalesContact ShippingContact CustomerServiceContact AppointmentRequiredIndicator Extension"
)
_AREA = "Sender Intermediary Receiver CreationDateTime Signature ScenarioID CorrelationID BODID Extension"

#: Children of each element the writer edits, in schema order (OAGIS 10.2, see the module docstring).
ORDER: dict[str, dict[str, int]] = {
    "BOD_ROOT": _seq("ApplicationArea DataArea"),
    "ApplicationArea": _seq(_AREA),
    "Sender": _seq("LogicalID ComponentID TaskID ReferenceID ConfirmationCodes AuthorizationID ID"),
    "Receiver": _seq("LogicalID ComponentID ID"),
    "PurchaseOrderDataArea": _seq("Process Change Cancel Acknowledge PurchaseOrder"),
    "ConfirmDataArea": _seq("Confirm BOD"),
    "Acknowledge": _seq("OriginalApplicationArea ResponseCriteria"),
    "Confirm": _seq("OriginalApplicationArea"),
    "PurchaseOrder": _seq("PurchaseOrderHeader PurchaseOrderLine"),
    "PurchaseOrderHeader": _seq(
        "ID RevisionID VariationID DocumentIDSet LastModificationDateTime DocumentDateTime Description "
        "Note DocumentReference Attachment Status Party CustomerParty SupplierParty ShipToParty "
        "PlannerContact CatalogReference ContractReference ExtendedAmount TotalAmount AmountDiscount "
        "EnterpriseUnit BillToParty CarrierParty PayFromParty PartialShipmentAllowedIndicator "
        "DropShipmentAllowedIndicator EarlyShipmentAllowedIndicator LicenseIndicator TaxExemptIndicator "
        "FulfillmentTerm TransportationTerm TransportStep PaymentTerm DistributeCharge DistributeTax Tax "
        "Distribution Charge Allowance SpecialPriceAuthorizationCode EarliestShipDateTime "
        "RequestedShipDateTime PromisedShipDateTime PromisedDeliveryDateTime PaymentMethodCode Payment "
        "ShippingInstructions TaxExemptCodes Event Classification OrderDateTime BuyerParty ShipFromParty "
        "AcceptByDateTime ReleaseNumberID RequisitionReference QuoteReference SalesOrderReference Extension"
    ),
    "PurchaseOrderLine": _seq(
        "LineNumberID LineIDSet Description Note DocumentReference Attachment Status Item Quantity "
        "UnitPrice ExtendedAmount TotalAmount AmountDiscount CatalogReference ContractReference "
        "SampleIncludedIndicator RequiredDeliveryDateTime AllowSubstitutionIndicator Party ShipToParty "
        "DrawingAttachment PartialShipmentAllowedIndicator DropShipmentAllowedIndicator "
        "EarlyShipmentAllowedIndicator LicenseIndicator FulfillmentTerm TransportationTerm TransportStep "
        "PaymentTerm DistributeCharge DistributeTax Tax FreightClassification "
        "SpecialPriceAuthorizationCode SubstituteItemIndicator RequisitionReference PromisedShipDateTime "
        "PromisedDeliveryDateTime ShippingInstructions OrderQuantity TaxExemptCodes Event ShipFromParty "
        "BackOrderedQuantity ReceivedQuantity OpenQuantity QuoteReference SalesOrderReference BuyerParty "
        "MaterialRequiredCertificationIndicator TaxExemptIndicator PurchaseOrderSchedule "
        "PurchaseOrderSubLine Extension"
    ),
    "Party": _seq(_PARTY),
    "Location": _seq(
        "ID IDSet CAGEID Name Directions Coordinate Address Contact Communication PostalAddress "
        "PhysicalAddress Description Note TimeZoneCode AvailableTimePeriod "
        "LocationEquipmentSpecification EffectiveTimePeriod StorageLocation Extension"
    ),
    "Address": _seq(
        "ID IDSet Name AttentionOfName CareOfName AddressLine BuildingNumber BuildingName BlockName "
        "StreetName StreetTypeCode Floor Unit StairCase Door PostOfficeBox DeliveryPointID PlotID "
        "CityName CitySubDivisionName CountrySubDivisionCode CountryCode PostalCode Status Preference "
        "GeographicalCoordinate Usage Extension"
    ),
    "Item": _seq(
        "ID RevisionID VariationID ItemIDSet CustomerItemIdentification ManufacturerItemIdentification "
        "SupplierItemIdentification UPCID EPCID GTINID Description Note Classification Specification "
        "HazardousMaterial Packaging Dimensions ExportControl HarmonizedTariff Trademark "
        "DocumentReference Attachment CountryOfOriginCode RFID SerialNumberID Lot ManufacturingParty "
        "Party Extension"
    ),
    "ItemIdentification": _seq("ID RevisionID VariationID ItemIDSet Extension"),
    "UnitPrice": _seq(
        "ID IDSet ChargeAmount BasisQuantity NetPriceIndicator ChargeAmountRange QuantityRange "
        "UnitAmount TimePeriod Description Note Extension"
    ),
    "Status": _seq("ID IDSet Code Description ReasonCode Reason EffectiveTimePeriod Extension"),
    "PaymentTerm": _seq(
        "ID IDSet Description EffectiveDateTime DueDateTime PaymentBasisCode Duration DiscountPercent "
        "SurchargePercent Amount ProxMonth ProxDayOfMonth Extension"
    ),
    "BOD": _seq(
        "ID IDSet BODID Description Note ProcessingResultCode BODFailureMessage BODSuccessMessage "
        "PartialBODFailureMessage Extension"
    ),
    "Outcome": _seq(
        "ID IDSet NounInstanceID ProcessingResultCode TrackingID SourceLocationExpression "
        "ProcessMessage ErrorProcessMessage WarningProcessMessage NounFailureMessage "
        "NounSuccessMessage Extension"
    ),
    "Message": _seq(
        "ID IDSet NounInstanceID ProcessingResultCode SourceLocationExpression Description Note "
        "ReasonCode Extension"
    ),
}


def children(parent: _Element, name: str) -> list[_Element]:
    """The element children of ``parent`` named ``name`` (in the OAGIS namespace)."""
    tag = q(name)
    return [child for child in parent if child.tag == tag]


def first(parent: _Element | None, name: str) -> _Element | None:
    if parent is None:
        return None
    return parent.find(q(name))


def place(parent: _Element, kind: str, child: _Element) -> _Element:
    """Insert (or move) ``child`` into ``parent`` at its schema position among the element children."""
    order = ORDER[kind]
    rank = order[local(child.tag)]
    position = None
    for index, sibling in enumerate(parent):
        if sibling is child:
            continue
        later = order.get(local(sibling.tag))
        if later is not None and later > rank:
            position = index
            break
    if position is None:
        parent.append(child)
    else:
        parent.insert(position, child)
    return child


def new_child(parent: _Element, kind: str, name: str) -> _Element:
    """A new empty child ``name`` at its schema position (created in the parent's namespace context)."""
    return place(parent, kind, etree.SubElement(parent, q(name)))


def drop(parent: _Element, name: str) -> None:
    """Remove every child named ``name`` (what the model now says replaces them)."""
    for child in children(parent, name):
        parent.remove(child)


def set_leaf(
    parent: _Element, kind: str, name: str, text: str | None, attributes: dict[str, str | None] | None = None
) -> _Element | None:
    """Make the first child ``name`` say ``text`` (with these attributes; ``None`` removes one),
    keeping its other attributes; remove it when ``text`` is ``None``. Further children of the same
    name are left as they are."""
    existing = first(parent, name)
    if text is None:
        if existing is not None:
            parent.remove(existing)
        return None
    element = existing if existing is not None else new_child(parent, kind, name)
    element.text = text
    for key, value in (attributes or {}).items():
        if value is None:
            if key in element.attrib:
                del element.attrib[key]
        else:
            element.set(key, value)
    return element


def set_leaves(parent: _Element, kind: str, name: str, texts: list[str]) -> None:
    """Make the children ``name`` say ``texts`` in order, reusing existing ones (and their
    attributes) position by position; extra existing ones are removed."""
    existing = children(parent, name)
    for index, text in enumerate(texts):
        element = existing[index] if index < len(existing) else new_child(parent, kind, name)
        element.text = text
    for extra in existing[len(texts) :]:
        parent.remove(extra)


def path_of(element: _Element) -> str:
    """``/Root/Child/Other[2]``: local names, with a 1-based position where a name repeats."""
    parts: list[str] = []
    node: _Element | None = element
    while node is not None:
        parent = node.getparent()
        name = local(node.tag)
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


#: The ``ORDER`` entry that lists the children each modelled element may have in OAGIS 10.2.
KIND_OF: dict[str, str] = {
    "ApplicationArea": "ApplicationArea",
    "OriginalApplicationArea": "ApplicationArea",
    "PurchaseOrder": "PurchaseOrder",
    "PurchaseOrderHeader": "PurchaseOrderHeader",
    "PurchaseOrderLine": "PurchaseOrderLine",
    "CustomerParty": "Party",
    "SupplierParty": "Party",
    "ShipToParty": "Party",
    "BillToParty": "Party",
    "Address": "Address",
    "Item": "Item",
    "PaymentTerm": "PaymentTerm",
    "BOD": "BOD",
    "BODFailureMessage": "Outcome",
    "PartialBODFailureMessage": "Outcome",
    "BODSuccessMessage": "Outcome",
    "ErrorProcessMessage": "Message",
    "WarningProcessMessage": "Message",
}


def not_allowed(element: _Element) -> list[_Element]:
    """The element children of a modelled element that OAGIS 10.2 does not allow there (another
    namespace, or a name its type does not have)."""
    order = ORDER[KIND_OF[local(element.tag)]]
    return [
        child
        for child in element
        if isinstance(child.tag, str)
        and (etree.QName(child).namespace != NS or local(child.tag) not in order)
    ]
