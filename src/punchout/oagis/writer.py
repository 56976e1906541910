"""Writing BODs: strict out, schema positions, nothing of a read document lost.

Each element starts from a copy of the element its model was read from (or from nothing, for a
model built in code); the writer then makes the modelled children say what the model says,
inserting new ones at their OAGIS 10.2 schema position (``_tree.ORDER``). What the model does not
represent is thereby carried verbatim where it was. What the model represents and no longer
holds (a removed line, party or note) is removed.

Strict: children that OAGIS 10.2 does not allow in a modelled element (another namespace, a
name its type does not have) are left out (the reader warned of each, with its path), and the
writer refuses (:class:`~punchout.oagis.errors.BuildError`, naming the path) a BOD
without releaseID, CreationDateTime or BODID, a PurchaseOrder without document ID, a ConfirmBOD
without a BOD, and a date-time without a zone.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from punchout.oagis._tree import (
    NS,
    drop,
    first,
    local,
    new_child,
    not_allowed,
    place,
    q,
    set_leaf,
    set_leaves,
)
from punchout.oagis.errors import BuildError
from punchout.oagis.model import (
    Address,
    Amount,
    ApplicationArea,
    BODOutcome,
    BODResult,
    ConfirmBOD,
    Item,
    Message,
    Party,
    PaymentTerm,
    PurchaseOrder,
    PurchaseOrderBOD,
    PurchaseOrderHeader,
    PurchaseOrderLine,
    Quantity,
    Stamp,
    Verb,
)

__all__ = ["build", "build_tree"]

_Element = etree._Element


def _number(value: Decimal) -> str:
    """A decimal as XML Schema writes it: no exponent."""
    text = format(value, "f")
    return "0" if text in {"-0", "+0"} else text


def _position(index: int, siblings: Sequence[object]) -> str:
    """``[2]`` in a path where a name repeats, nothing for an only child (as the reader's paths)."""
    return f"[{index}]" if len(siblings) > 1 else ""


def _stamp(value: Stamp | None, path: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise BuildError(
                f"{path} needs a time zone: the date-time {value.isoformat()} has none", path=path
            )
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    assert isinstance(value, date)
    return value.isoformat()


def _amount(parent: _Element, kind: str, name: str, amount: Amount | None) -> None:
    set_leaf(
        parent,
        kind,
        name,
        None if amount is None else _number(amount.value),
        {"currencyCode": amount.currency} if amount is not None else None,
    )


def _quantity(parent: _Element, kind: str, name: str, quantity: Quantity | None) -> None:
    set_leaf(
        parent,
        kind,
        name,
        None if quantity is None else _number(quantity.value),
        {"unitCode": quantity.unit_code} if quantity is not None else None,
    )


def _start(parent: _Element, kind: str, name: str, source: _Element | None) -> _Element:
    """The element ``name`` for a model: a copy of its source, or a new one, at its place."""
    if source is not None and local(source.tag) == name:
        element = copy.deepcopy(source)
        element.tail = None
        for child in not_allowed(element):  # the reader warned of each: strict out
            element.remove(child)
        parent.append(element)
        return place(parent, kind, element)
    return new_child(parent, kind, name)


def _sub(parent: _Element, kind: str, name: str) -> _Element:
    """The existing child ``name`` (carried content and all), or a new one at its place."""
    existing = first(parent, name)
    return existing if existing is not None else new_child(parent, kind, name)


def _application_area(parent: _Element, kind: str, name: str, area: ApplicationArea, path: str) -> None:
    drop(parent, name)
    element = _start(parent, kind, name, area.source)
    if area.sender_logical_id is not None or area.sender_component_id is not None:
        sender = _sub(element, "ApplicationArea", "Sender")
        set_leaf(sender, "Sender", "LogicalID", area.sender_logical_id)
        set_leaf(sender, "Sender", "ComponentID", area.sender_component_id)
    elif (carried := first(element, "Sender")) is not None:
        set_leaf(carried, "Sender", "LogicalID", None)
        set_leaf(carried, "Sender", "ComponentID", None)
    if area.creation is None:
        raise BuildError(f"{path}/CreationDateTime is required: the BOD has no creation date-time", path=path)
    set_leaf(
        element, "ApplicationArea", "CreationDateTime", _stamp(area.creation, f"{path}/CreationDateTime")
    )
    set_leaf(element, "ApplicationArea", "BODID", area.bod_id)


def _status(parent: _Element, kind: str, code: str | None, reason: str | None) -> None:
    status = first(parent, "Status")
    if code is None and reason is None:
        if status is not None and first(status, "Code") is not None:
            set_leaf(status, "Status", "Code", None)
        if status is not None and first(status, "Reason") is not None:
            set_leaf(status, "Status", "Reason", None)
        return
    status = status if status is not None else new_child(parent, kind, "Status")
    set_leaf(status, "Status", "Code", code)
    set_leaf(status, "Status", "Reason", reason)


def _address(location: _Element, address: Address | None) -> None:
    existing = first(location, "Address")
    position = location.index(existing) if existing is not None else None
    if existing is not None:
        location.remove(existing)
    if address is None:
        return
    element = _start(location, "Location", "Address", address.source)
    if position is not None:
        location.insert(position, element)  # stays the first of several addresses
    set_leaves(element, "Address", "AddressLine", address.lines)
    set_leaf(element, "Address", "BuildingNumber", address.building_number)
    set_leaf(element, "Address", "StreetName", address.street_name)
    set_leaf(element, "Address", "CityName", address.city)
    set_leaf(element, "Address", "CountrySubDivisionCode", address.country_subdivision)
    set_leaf(element, "Address", "CountryCode", address.country_code)
    set_leaf(element, "Address", "PostalCode", address.postal_code)


def _party(parent: _Element, kind: str, name: str, party: Party | None) -> None:
    drop(parent, name)
    if party is None:
        return
    element = _start(parent, kind, name, party.source)
    set_leaf(element, "Party", "ID", party.id)
    set_leaf(element, "Party", "Name", party.name)
    location = first(element, "Location")
    if party.address is not None and location is None:
        location = new_child(element, "Party", "Location")
    if location is not None:
        _address(location, party.address)


def _payment_term(parent: _Element, term: PaymentTerm, path: str) -> None:
    element = _start(parent, "PurchaseOrderHeader", "PaymentTerm", term.source)
    set_leaf(element, "PaymentTerm", "ID", term.code)
    set_leaf(element, "PaymentTerm", "Description", term.description)
    set_leaf(element, "PaymentTerm", "DueDateTime", _stamp(term.due, f"{path}/DueDateTime"))
    set_leaf(
        element,
        "PaymentTerm",
        "DiscountPercent",
        None if term.discount_percent is None else _number(term.discount_percent),
    )


def _identification(item: _Element, name: str, value: str | None) -> None:
    existing = first(item, name)
    if value is None:
        if existing is not None:
            set_leaf(existing, "ItemIdentification", "ID", None)
            if len(existing) == 0 and not existing.attrib:
                item.remove(existing)
        return
    element = existing if existing is not None else new_child(item, "Item", name)
    set_leaf(element, "ItemIdentification", "ID", value)


def _item(line: _Element, item: Item | None) -> None:
    drop(line, "Item")
    if item is None:
        return
    element = _start(line, "PurchaseOrderLine", "Item", item.source)
    set_leaf(element, "Item", "ID", item.id)
    _identification(element, "CustomerItemIdentification", item.buyer_item_id)
    _identification(element, "ManufacturerItemIdentification", item.manufacturer_item_id)
    _identification(element, "SupplierItemIdentification", item.supplier_item_id)


def _action_code(element: _Element, code: str | None) -> None:
    if code is None:
        if "actionCode" in element.attrib:
            del element.attrib["actionCode"]
    else:
        element.set("actionCode", code)


def _line(parent: _Element, line: PurchaseOrderLine, path: str) -> None:
    element = _start(parent, "PurchaseOrder", "PurchaseOrderLine", line.source)
    kind = "PurchaseOrderLine"
    _action_code(element, line.action_code)
    set_leaf(element, kind, "LineNumberID", line.line_number)
    set_leaves(element, kind, "Description", line.descriptions)
    set_leaves(element, kind, "Note", line.notes)
    _status(element, kind, line.status, line.status_reason)
    _item(element, line.item)
    _quantity(element, kind, "Quantity", line.quantity)
    price = first(element, "UnitPrice")
    if line.unit_price is not None or line.price_basis is not None:
        price = price if price is not None else new_child(element, kind, "UnitPrice")
    if price is not None:
        _amount(price, "UnitPrice", "ChargeAmount", line.unit_price)
        _quantity(price, "UnitPrice", "BasisQuantity", line.price_basis)
    _amount(element, kind, "ExtendedAmount", line.extended_amount)
    _amount(element, kind, "TotalAmount", line.total_amount)
    set_leaf(
        element,
        kind,
        "RequiredDeliveryDateTime",
        _stamp(line.requested_delivery, f"{path}/RequiredDeliveryDateTime"),
    )
    set_leaf(
        element,
        kind,
        "PromisedDeliveryDateTime",
        _stamp(line.promised_delivery, f"{path}/PromisedDeliveryDateTime"),
    )


def _header(parent: _Element, header: PurchaseOrderHeader, path: str, *, required_id: bool) -> None:
    if required_id and not header.id:
        raise BuildError(f"{path}/ID is required: the purchase order has no document ID", path=f"{path}/ID")
    element = _start(parent, "PurchaseOrder", "PurchaseOrderHeader", header.source)
    kind = "PurchaseOrderHeader"
    set_leaf(element, kind, "ID", header.id)
    set_leaf(element, kind, "RevisionID", header.revision_id)
    set_leaf(element, kind, "DocumentDateTime", _stamp(header.document_date, f"{path}/DocumentDateTime"))
    set_leaves(element, kind, "Description", header.descriptions)
    set_leaves(element, kind, "Note", header.notes)
    _status(element, kind, header.status, header.status_reason)
    _party(element, kind, "CustomerParty", header.buyer)
    _party(element, kind, "SupplierParty", header.supplier)
    _party(element, kind, "ShipToParty", header.ship_to)
    _amount(element, kind, "ExtendedAmount", header.extended_amount)
    _amount(element, kind, "TotalAmount", header.total_amount)
    _party(element, kind, "BillToParty", header.bill_to)
    drop(element, "PaymentTerm")
    for index, term in enumerate(header.payment_terms, 1):
        _payment_term(element, term, f"{path}/PaymentTerm{_position(index, header.payment_terms)}")
    set_leaf(element, kind, "OrderDateTime", _stamp(header.order_date, f"{path}/OrderDateTime"))


def _purchase_order(data_area: _Element, order: PurchaseOrder, path: str) -> None:
    element = _start(data_area, "PurchaseOrderDataArea", "PurchaseOrder", order.source)
    _action_code(element, order.action_code)
    drop(element, "PurchaseOrderHeader")
    drop(element, "PurchaseOrderLine")
    _header(element, order.header, f"{path}/PurchaseOrderHeader", required_id=True)
    for index, line in enumerate(order.lines, 1):
        _line(element, line, f"{path}/PurchaseOrderLine{_position(index, order.lines)}")


def _root(document: PurchaseOrderBOD | ConfirmBOD, name: str) -> _Element:
    if not document.release_id:
        raise BuildError(
            f"/{name}/@releaseID is required: the BOD has no release ID", path=f"/{name}/@releaseID"
        )
    source = document.source
    if source is not None and local(source.tag) == name:
        root = copy.deepcopy(source)
        for child in [
            c for c in root if isinstance(c.tag, str) and c.tag not in (q("ApplicationArea"), q("DataArea"))
        ]:
            root.remove(child)  # the reader warned of each: strict out
    else:
        root = etree.fromstring(f'<{name} xmlns="{NS}"/>')  # the default namespace, as the official instances
    root.set("releaseID", document.release_id)
    if document.language_code is not None:
        root.set("languageCode", document.language_code)
    elif "languageCode" in root.attrib:
        del root.attrib["languageCode"]
    area = document.application_area
    if not area.bod_id:
        raise BuildError(
            f"/{name}/ApplicationArea/BODID is required: the BOD has no BODID",
            path=f"/{name}/ApplicationArea/BODID",
        )
    _application_area(root, "BOD_ROOT", "ApplicationArea", area, f"/{name}/ApplicationArea")
    return root


def build_tree(document: PurchaseOrderBOD | ConfirmBOD) -> _Element:
    """The BOD as an lxml element (see :func:`build`)."""
    if isinstance(document, ConfirmBOD):
        return _confirm(document)
    name = document.name
    root = _root(document, name)
    data_area = _sub(root, "BOD_ROOT", "DataArea")
    for other in Verb:
        if other is not document.verb:
            drop(data_area, other.value)
    verb = _sub(data_area, "PurchaseOrderDataArea", document.verb.value)
    if document.verb is Verb.ACKNOWLEDGE:
        path = f"/{name}/DataArea/Acknowledge/OriginalApplicationArea"
        _original(verb, "Acknowledge", document.original_application_area, path)
    if not document.purchase_orders:
        raise BuildError(f"/{name}/DataArea/PurchaseOrder is required: the BOD has no purchase order")
    drop(data_area, "PurchaseOrder")
    for index, order in enumerate(document.purchase_orders, 1):
        _purchase_order(
            data_area, order, f"/{name}/DataArea/PurchaseOrder{_position(index, document.purchase_orders)}"
        )
    etree.cleanup_namespaces(root)
    return root


def _original(parent: _Element, kind: str, area: ApplicationArea | None, path: str) -> None:
    """The ``OriginalApplicationArea`` an acknowledgement or a confirmation answers (none: removed)."""
    if area is None:
        drop(parent, "OriginalApplicationArea")
    else:
        _application_area(parent, kind, "OriginalApplicationArea", area, path)


def _outcome(parent: _Element, name: str, outcome: BODOutcome | None, path: str) -> None:
    drop(parent, name)
    if outcome is None:
        return
    if name == "BODSuccessMessage" and outcome.errors:
        raise BuildError(f"{path}: a BODSuccessMessage carries no error messages", path=path)
    element = _start(parent, "BOD", name, outcome.source)
    for kind_name, messages in (
        ("ErrorProcessMessage", outcome.errors),
        ("WarningProcessMessage", outcome.warnings),
    ):
        if name == "BODSuccessMessage" and kind_name == "ErrorProcessMessage":
            continue
        drop(element, kind_name)
        for message in messages:
            _message(element, kind_name, message)


def _message(parent: _Element, name: str, message: Message) -> None:
    element = _start(parent, "Outcome", name, message.source)
    set_leaf(element, "Message", "Description", message.description)
    set_leaf(element, "Message", "ReasonCode", message.reason_code)
    set_leaf(element, "Message", "SourceLocationExpression", message.location)


def _result(data_area: _Element, result: BODResult, path: str) -> None:
    element = _start(data_area, "ConfirmDataArea", "BOD", result.source)
    set_leaf(element, "BOD", "BODID", result.bod_id)
    set_leaf(element, "BOD", "ProcessingResultCode", result.result_code)
    _outcome(element, "BODFailureMessage", result.failure, f"{path}/BODFailureMessage")
    _outcome(element, "BODSuccessMessage", result.success, f"{path}/BODSuccessMessage")
    _outcome(element, "PartialBODFailureMessage", result.partial_failure, f"{path}/PartialBODFailureMessage")


def _confirm(document: ConfirmBOD) -> _Element:
    root = _root(document, "ConfirmBOD")
    data_area = _sub(root, "BOD_ROOT", "DataArea")
    confirm = _sub(data_area, "ConfirmDataArea", "Confirm")
    path = "/ConfirmBOD/DataArea/Confirm/OriginalApplicationArea"
    _original(confirm, "Confirm", document.original_application_area, path)
    if not document.results:
        raise BuildError("/ConfirmBOD/DataArea/BOD is required: the ConfirmBOD confirms no BOD")
    drop(data_area, "BOD")
    for index, result in enumerate(document.results, 1):
        _result(data_area, result, f"/ConfirmBOD/DataArea/BOD{_position(index, document.results)}")
    etree.cleanup_namespaces(root)
    return root


def build(document: PurchaseOrderBOD | ConfirmBOD) -> bytes:
    """The BOD as UTF-8 XML with a declaration, in the OAGIS 10 default namespace.

    Raises :class:`~punchout.oagis.errors.BuildError` for a BOD the schemas would refuse for lack
    of a required part (see the module docstring).
    """
    return etree.tostring(build_tree(document), xml_declaration=True, encoding="UTF-8")
