"""Reading BODs: lenient in, nothing lost, warnings that name the path.

The reader accepts what real systems send (a BOD without the OAGIS namespace or in another OAGIS
release's namespace, codes in the wrong case, dates in a loose form or with no time) and says what
it forgave in ``warnings``, as it does for content the OAGIS 10.2 schemas do not allow in a
modelled element (which the writer leaves out). It refuses, with the path, only what no reader could use: text that
is not XML, a DOCTYPE, a BOD it does not know, a BOD without its ApplicationArea, DataArea, verb
or noun, and amounts or quantities that are not numbers.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from punchout.cxml.dates import parse_datetime
from punchout.cxml.parser import hardened_parser
from punchout.money import InvalidNumber, parse_decimal
from punchout.oagis._tree import NS, children, first, local, not_allowed, path_of, q
from punchout.oagis.errors import (
    DocumentTooLarge,
    ForbiddenConstruct,
    InvalidBOD,
    NotWellFormed,
    UnsupportedBOD,
)
from punchout.oagis.model import (
    Address,
    Amount,
    ApplicationArea,
    BODOutcome,
    BODResult,
    ConfirmBOD,
    Item,
    LineStatus,
    Message,
    ParseWarning,
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

__all__ = ["DEFAULT_MAX_BYTES", "parse", "parse_confirm", "parse_purchase_order"]

_Element = etree._Element

#: A purchase order of a few thousand lines is a few MB; anything far beyond is refused unread.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_OAGIS_NAMESPACE = re.compile(r"https?://www\.openapplications\.org/oagis(/.*)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: xsd:dateTime with a zone, as the schemas type it (``Z`` or an offset; fractional seconds allowed)
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_VERBS = {f"{verb.value}PurchaseOrder": verb for verb in Verb}
_STATUSES = {status.value.casefold(): status.value for status in LineStatus}
_ACTIONS = {
    code.casefold(): code
    for code in ("Add", "Change", "Delete", "Replace", "UpSert", *(s.value for s in LineStatus))
}


class _Reader:
    def __init__(self) -> None:
        self.warnings: list[ParseWarning] = []

    def warn(self, code: str, element: _Element, message: str) -> None:
        self.warnings.append(ParseWarning(code, path_of(element), message))

    def allowed(self, element: _Element) -> _Element:
        """``element``, after a warning for each child OAGIS 10.2 does not allow in it (the writer
        leaves those out)."""
        for child in not_allowed(element):
            self.warn(
                "not-allowed",
                child,
                f"{local(child.tag)} is not allowed in {local(element.tag)} by the OAGIS 10.2 schemas; "
                "left out when the BOD is written",
            )
        return element

    # leaves ----------------------------------------------------------------------------------
    def text(self, parent: _Element | None, name: str) -> str | None:
        element = first(parent, name)
        if element is None:
            return None
        return (element.text or "").strip()

    def verbatim(self, parent: _Element | None, name: str) -> str | None:
        """A leaf's text as written (an item identifier travels byte for byte, as cXML's
        SupplierPartID and SupplierPartAuxiliaryID do)."""
        element = first(parent, name)
        if element is None:
            return None
        return element.text or ""

    def texts(self, parent: _Element, name: str) -> list[str]:
        return [(element.text or "").strip() for element in children(parent, name)]

    def number(self, element: _Element) -> Decimal:
        try:
            return parse_decimal(element.text or "")
        except InvalidNumber as exc:
            raise InvalidBOD(f"{path_of(element)} is not a number: {exc}", path=path_of(element)) from exc

    def amount(self, parent: _Element | None, name: str) -> Amount | None:
        element = first(parent, name)
        if element is None:
            return None
        return Amount(self.number(element), element.get("currencyCode"))

    def quantity(self, parent: _Element | None, name: str) -> Quantity | None:
        element = first(parent, name)
        if element is None:
            return None
        return Quantity(self.number(element), element.get("unitCode"))

    def stamp(self, parent: _Element | None, name: str) -> Stamp | None:
        element = first(parent, name)
        if element is None:
            return None
        raw = (element.text or "").strip()
        try:
            if _DATE.fullmatch(raw):
                return date.fromisoformat(raw)
            if _DATE_TIME.fullmatch(raw):
                return datetime.fromisoformat(raw)
        except ValueError:  # out-of-range fields (month 13): the lenient reading below says so
            pass
        value, note = parse_datetime(raw)
        if value is None:
            self.warn("unreadable-date", element, f"{raw[:40]!r} is not a date; kept as written")
            return element.text or ""
        if note is not None:
            self.warn("lenient-date", element, f"read {raw[:40]!r} as {value.isoformat()}: {note}")
        return value

    def action_code(self, element: _Element) -> str | None:
        code = element.get("actionCode")
        canonical = _ACTIONS.get(code.casefold()) if code is not None else None
        if code is not None and canonical is not None and canonical != code:
            self.warn("action-case", element, f"read actionCode {code!r} as {canonical!r}")
            return canonical
        return code

    def status(self, parent: _Element) -> tuple[str | None, str | None]:
        status = first(parent, "Status")
        if status is None:
            return None, None
        code_element = first(status, "Code")
        code = None
        if code_element is not None:
            code = (code_element.text or "").strip()
            canonical = _STATUSES.get(code.casefold())
            if canonical is not None and canonical != code:
                self.warn("status-case", code_element, f"read status {code!r} as {canonical!r}")
                code = canonical
        return code, self.text(status, "Reason")

    # pieces ----------------------------------------------------------------------------------
    def application_area(self, element: _Element) -> ApplicationArea:
        sender = first(self.allowed(element), "Sender")
        creation_element = first(element, "CreationDateTime")
        if creation_element is None:
            self.warn("missing", element, "the ApplicationArea has no CreationDateTime")
        return ApplicationArea(
            sender_logical_id=self.text(sender, "LogicalID"),
            sender_component_id=self.text(sender, "ComponentID"),
            creation=self.stamp(element, "CreationDateTime"),
            bod_id=self.text(element, "BODID"),
            source=element,
        )

    def party(self, parent: _Element, name: str) -> Party | None:
        element = first(parent, name)
        if element is None:
            return None
        address_element = first(first(self.allowed(element), "Location"), "Address")
        address = None
        if address_element is not None:
            self.allowed(address_element)
            address = Address(
                lines=self.texts(address_element, "AddressLine"),
                building_number=self.text(address_element, "BuildingNumber"),
                street_name=self.text(address_element, "StreetName"),
                city=self.text(address_element, "CityName"),
                country_subdivision=self.text(address_element, "CountrySubDivisionCode"),
                country_code=self.text(address_element, "CountryCode"),
                postal_code=self.text(address_element, "PostalCode"),
                source=address_element,
            )
        return Party(
            id=self.text(element, "ID"), name=self.text(element, "Name"), address=address, source=element
        )

    def payment_term(self, element: _Element) -> PaymentTerm:
        discount = first(self.allowed(element), "DiscountPercent")
        return PaymentTerm(
            code=self.text(element, "ID"),
            description=self.text(element, "Description"),
            discount_percent=self.number(discount) if discount is not None else None,
            due=self.stamp(element, "DueDateTime"),
            source=element,
        )

    def item(self, element: _Element) -> Item:
        self.allowed(element)
        return Item(
            id=self.verbatim(element, "ID"),
            buyer_item_id=self.verbatim(first(element, "CustomerItemIdentification"), "ID"),
            supplier_item_id=self.verbatim(first(element, "SupplierItemIdentification"), "ID"),
            manufacturer_item_id=self.verbatim(first(element, "ManufacturerItemIdentification"), "ID"),
            source=element,
        )

    def header(self, element: _Element) -> PurchaseOrderHeader:
        status, reason = self.status(self.allowed(element))
        return PurchaseOrderHeader(
            id=self.text(element, "ID"),
            revision_id=self.text(element, "RevisionID"),
            document_date=self.stamp(element, "DocumentDateTime"),
            order_date=self.stamp(element, "OrderDateTime"),
            descriptions=self.texts(element, "Description"),
            notes=self.texts(element, "Note"),
            status=status,
            status_reason=reason,
            buyer=self.party(element, "CustomerParty"),
            supplier=self.party(element, "SupplierParty"),
            ship_to=self.party(element, "ShipToParty"),
            bill_to=self.party(element, "BillToParty"),
            extended_amount=self.amount(element, "ExtendedAmount"),
            total_amount=self.amount(element, "TotalAmount"),
            payment_terms=[self.payment_term(e) for e in children(element, "PaymentTerm")],
            source=element,
        )

    def line(self, element: _Element) -> PurchaseOrderLine:
        status, reason = self.status(self.allowed(element))
        item = first(element, "Item")
        price = first(element, "UnitPrice")
        return PurchaseOrderLine(
            line_number=self.text(element, "LineNumberID"),
            item=self.item(item) if item is not None else None,
            descriptions=self.texts(element, "Description"),
            notes=self.texts(element, "Note"),
            quantity=self.quantity(element, "Quantity"),
            unit_price=self.amount(price, "ChargeAmount"),
            price_basis=self.quantity(price, "BasisQuantity"),
            extended_amount=self.amount(element, "ExtendedAmount"),
            total_amount=self.amount(element, "TotalAmount"),
            requested_delivery=self.stamp(element, "RequiredDeliveryDateTime"),
            promised_delivery=self.stamp(element, "PromisedDeliveryDateTime"),
            status=status,
            status_reason=reason,
            action_code=self.action_code(element),
            source=element,
        )

    def purchase_order(self, element: _Element) -> PurchaseOrder:
        header = _required(self.allowed(element), "PurchaseOrderHeader", "PurchaseOrder")
        return PurchaseOrder(
            self.header(header),
            [self.line(e) for e in children(element, "PurchaseOrderLine")],
            action_code=self.action_code(element),
            source=element,
        )

    def outcome(self, parent: _Element, name: str) -> BODOutcome | None:
        element = first(parent, name)
        if element is None:
            return None
        self.allowed(element)
        return BODOutcome(
            errors=[self.message(e) for e in children(element, "ErrorProcessMessage")],
            warnings=[self.message(e) for e in children(element, "WarningProcessMessage")],
            source=element,
        )

    def message(self, element: _Element) -> Message:
        self.allowed(element)
        return Message(
            description=self.text(element, "Description"),
            reason_code=self.text(element, "ReasonCode"),
            location=self.text(element, "SourceLocationExpression"),
            source=element,
        )

    def result(self, element: _Element) -> BODResult:
        self.allowed(element)
        return BODResult(
            bod_id=self.text(element, "BODID"),
            result_code=self.text(element, "ProcessingResultCode"),
            failure=self.outcome(element, "BODFailureMessage"),
            partial_failure=self.outcome(element, "PartialBODFailureMessage"),
            success=self.outcome(element, "BODSuccessMessage"),
            source=element,
        )


def _root(data: bytes | str, max_bytes: int) -> _Element:
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise DocumentTooLarge(f"the document is {len(raw)} bytes, more than the {max_bytes} accepted")
    if isinstance(data, str):
        # a str carries no encoding of its own: read it as UTF-8, its declaration aside
        raw = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", raw)
    try:
        tree = etree.fromstring(raw, hardened_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise NotWellFormed(f"the document is not well-formed XML: {exc.msg}") from exc
    if tree.docinfo.internalDTD is not None:  # libxml2 reports every DOCTYPE there
        raise ForbiddenConstruct("the document has a DOCTYPE; OAGIS BODs are described by XML schemas only")
    return tree.getroot()


def _into_namespace(root: _Element, reader: _Reader) -> None:
    """Read a BOD without the OAGIS 10 namespace (or in another release's) as if it had it."""
    namespace = etree.QName(root).namespace
    if namespace == NS:
        return
    if namespace is not None and not _OAGIS_NAMESPACE.fullmatch(namespace):
        return  # not OAGIS at all: the caller refuses the root by name
    said = f"namespace {namespace!r}" if namespace else "no namespace"
    reader.warn("namespace", root, f"the BOD has {said}; read as OAGIS 10 ({NS})")
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == namespace:
            element.tag = q(etree.QName(element).localname)
    etree.cleanup_namespaces(root)


def _required(parent: _Element, name: str, what: str) -> _Element:
    element = first(parent, name)
    if element is None:
        raise InvalidBOD(
            f"the {what} has no {name} ({path_of(parent)}/{name})", path=f"{path_of(parent)}/{name}"
        )
    return element


def parse(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PurchaseOrderBOD | ConfirmBOD:
    """Read a Process/Change/Cancel/Acknowledge PurchaseOrder or a ConfirmBOD.

    Raises :class:`~punchout.oagis.errors.OAGISError` subclasses for what cannot be read; what was
    forgiven is in the result's ``warnings``.
    """
    root = _root(data, max_bytes)
    reader = _Reader()
    _into_namespace(root, reader)
    name = local(root.tag)
    if etree.QName(root).namespace != NS or (name not in _VERBS and name != "ConfirmBOD"):
        known = ", ".join([*_VERBS, "ConfirmBOD"])
        raise UnsupportedBOD(f"{name} is not a BOD this system reads (it reads {known})", path=f"/{name}")
    for child in root:
        if isinstance(child.tag, str) and child.tag not in (q("ApplicationArea"), q("DataArea")):
            reader.warn(
                "not-allowed",
                child,
                f"{local(child.tag)} is not allowed in {name} by the OAGIS 10.2 schemas; left out when the BOD is written",
            )
    area = reader.application_area(_required(root, "ApplicationArea", name))
    data_area = _required(root, "DataArea", name)
    release_id = root.get("releaseID")
    if not release_id:
        reader.warn("missing", root, f"the {name} has no releaseID; read as 10.2")
        release_id = "10.2"
    if name == "ConfirmBOD":
        confirm = _required(data_area, "Confirm", "DataArea")
        original = first(confirm, "OriginalApplicationArea")
        results = [reader.result(e) for e in children(data_area, "BOD")]
        if not results:
            _required(data_area, "BOD", "DataArea")
        return ConfirmBOD(
            application_area=area,
            original_application_area=reader.application_area(original) if original is not None else None,
            results=results,
            release_id=release_id,
            language_code=root.get("languageCode"),
            source=root,
            warnings=reader.warnings,
        )
    verb = _VERBS[name]
    verb_element = _required(data_area, verb.value, "DataArea")
    orders = children(data_area, "PurchaseOrder")
    if not orders:
        _required(data_area, "PurchaseOrder", "DataArea")
    original = first(verb_element, "OriginalApplicationArea") if verb is Verb.ACKNOWLEDGE else None
    return PurchaseOrderBOD(
        verb=verb,
        application_area=area,
        purchase_orders=[reader.purchase_order(e) for e in orders],
        original_application_area=reader.application_area(original) if original is not None else None,
        release_id=release_id,
        language_code=root.get("languageCode"),
        source=root,
        warnings=reader.warnings,
    )


def parse_purchase_order(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PurchaseOrderBOD:
    """:func:`parse`, refusing anything but a PurchaseOrder BOD."""
    document = parse(data, max_bytes=max_bytes)
    if not isinstance(document, PurchaseOrderBOD):
        raise UnsupportedBOD(
            "a ConfirmBOD was sent where a PurchaseOrder BOD was expected", path="/ConfirmBOD"
        )
    return document


def parse_confirm(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ConfirmBOD:
    """:func:`parse`, refusing anything but a ConfirmBOD."""
    document = parse(data, max_bytes=max_bytes)
    if not isinstance(document, ConfirmBOD):
        raise UnsupportedBOD(
            f"a {document.name} was sent where a ConfirmBOD was expected", path=f"/{document.name}"
        )
    return document
