"""French e-invoicing lifecycle statuses as UN/CEFACT CDAR D22B messages (plain Python, no Django).

A status message (a "CDV", ``CrossDomainAcknowledgementAndResponse``) tells the life of one invoice:
who says it (issuer), to whom (recipients), about which invoice (its number BT-1, issue date BT-2
and type BT-3), which status (``ProcessConditionCode``, MDT-105: 200 Déposée … 213 Rejetée, 220
Annulée…), why (a reason code MDT-113 and its text) and, for 212 Encaissée, the amount cashed and
its VAT rate.

Lenient in (:func:`parse` reads what a platform sends, comments and odd spacing included, and only
refuses a message that names no invoice or no status), strict out (:func:`build` refuses a message
the French rules BR-FR-CDV would refuse: a missing party, a status code out of the list, a reason
missing where it is mandatory, an Encaissée without its amount). The product does not validate
against the D22B schema or the FNFE-MPE schematron at run time: the tests do, with the official
artefacts from the interop corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

RSM = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}

#: MDT-3 of a status message that goes to the counterparty (the copy for the PPF says ``einvoicingF2``).
GUIDELINE_INVOICE = "urn.cpro.gouv.fr:1p0:CDV:invoice"
BUSINESS_PROCESS = "REGULATED"
#: ISO 6523 scheme of a SIREN (MDT-38, MDT-57, MDT-129) and of an electronic address (MDT-73).
SIREN_SCHEME = "0002"
ADDRESS_SCHEME = "0225"

#: The statuses' French labels (MDT-106), by code: the official examples and rule BR-FR-CDV-CL-09.
LABELS: dict[str, str] = {
    "200": "Déposée",
    "201": "Émise",
    "202": "Reçue",
    "203": "Mise à disposition",
    "204": "Prise en charge",
    "205": "Approuvée",
    "206": "Approuvée partiellement",
    "207": "En litige",
    "208": "Suspendue",
    "209": "Complétée",
    "210": "Refusée",
    "211": "Paiement transmis",
    "212": "Encaissée",
    "213": "Rejetée",
    "214": "Visée",
    "220": "Annulée",
    "221": "Erreur de routage",
    "501": "Irrecevable",
}
#: Every status code rule BR-FR-CDV-CL-06 accepts.
CODES = frozenset(
    [*LABELS, "224", "225", "226", "227", "228", "250", "251", "300", "301", "400", "401", "500", "601"]
)
#: Statuses that need a reason code (BR-FR-CDV-15).
REASON_REQUIRED = frozenset(["206", "207", "208", "210", "213", "501"])
#: The reason codes BR-FR-CDV-CL-09 allows for each status that takes one (V1.4.0).
REASONS: dict[str, frozenset[str]] = {
    "213": frozenset(
        "MONTANTTOTAL_ERR CALCUL_ERR DOUBLON DEST_INC ADR_ERR REJ_SEMAN REJ_UNI REJ_COH REJ_ADR "
        "REJ_CONT_B2G REJ_REF_PJ REJ_ASS_PJ".split()
    ),
    "210": frozenset(
        "TX_TVA_ERR MONTANTTOTAL_ERR CALCUL_ERR NON_CONFORME DOUBLON DEST_ERR TRANSAC_INC EMMET_INC "
        "CONTRAT_TERM DOUBLE_FACT CMD_ERR ADR_ERR REF_CT_ABSENT".split()
    ),
    "207": frozenset(
        "AUTRE COORD_BANC_ERR TX_TVA_ERR MONTANTTOTAL_ERR CALCUL_ERR NON_CONFORME DOUBLON DEST_INC "
        "DEST_ERR TRANSAC_INC EMMET_INC CONTRAT_TERM DOUBLE_FACT CMD_ERR ADR_ERR SIRET_ERR "
        "CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR PU_ERR REM_ERR QTE_ERR ART_ERR MODPAI_ERR QUALITE_ERR "
        "LIVR_INCOMP".split()
    ),
    "206": frozenset(
        "AUTRE CMD_ERR SIRET_ERR CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR PU_ERR REM_ERR QTE_ERR ART_ERR "
        "MODPAI_ERR QUALITE_ERR LIVR_INCOMP".split()
    ),
    "208": frozenset(
        "JUSTIF_ABS COORD_BANC_ERR CMD_ERR SIRET_ERR CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR".split()
    ),
}
#: Statuses of the transmission phase (MDT-77 = 305); the others are processing (23).
TRANSMISSION = frozenset(["200", "201", "202", "203", "213", "221"])
#: The UNCL 4343 status (MDT-88) the official examples give each status; omitted for the others.
STATUS_TYPE = {
    "200": "10",
    "202": "43",
    "203": "48",
    "204": "45",
    "205": "1",
    "207": "46",
    "211": "47",
    "212": "47",
}


class CDARError(ValueError):
    """A status message that cannot be read, or one that cannot be built as asked; says what and where."""


@dataclass(frozen=True)
class Party:
    """A party of a status message: its SIREN (or other ``scheme``), name, role (SE seller, BY buyer,
    WK platform, DFH the tax administration's platform) and electronic address."""

    id: str
    role: str
    name: str = ""
    scheme: str = SIREN_SCHEME
    address: str = ""
    address_scheme: str = ADDRESS_SCHEME


@dataclass(frozen=True)
class StatusMessage:
    """One lifecycle status of one invoice (a CDV with one referenced document)."""

    #: MDT-4: the message's own id, unique per issuer.
    id: str
    #: MDT-8: when the message was made.
    issued_at: datetime
    issuer: Party
    recipients: tuple[Party, ...]
    #: BT-1, BT-2, BT-3 of the invoice the status is about.
    invoice_id: str
    invoice_date: date
    status_code: str
    invoice_type: str = "380"
    #: MDT-78: when the status was reached (defaults to ``issued_at``).
    status_at: datetime | None = None
    #: MDT-129: the SIREN of the invoice's issuer (the seller).
    invoice_issuer_id: str = ""
    #: MDT-106 as sent (the French label of ``status_code`` when built).
    status_label: str = ""
    reason_code: str = ""
    reason: str = ""
    #: For 212 Encaissée: the amount cashed and its VAT rate (MDT-215, MDT-224).
    amount: Decimal | None = None
    currency: str = ""
    vat_rate: Decimal | None = None
    #: MDT-5: a name for the message (optional).
    name: str = ""
    #: MDT-21: the role of who sends it on the network (the platform: WK).
    sender_role: str = "WK"
    guideline: str = GUIDELINE_INVOICE
    #: Anything odd :func:`parse` forgave, with where.
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        """The status's French label: the official one for a known code, else as sent."""
        return LABELS.get(self.status_code, self.status_label)


# -- reading -----------------------------------------------------------------------------------------
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


def _text(node: etree._Element | None, path: str) -> str:
    if node is None:
        return ""
    found = node.find(path, NSMAP)
    return " ".join((found.text or "").split()) if found is not None else ""


def _datetime(text: str, where: str, warnings: list[str]) -> datetime | None:
    text = text.strip()
    pattern = {14: "%Y%m%d%H%M%S", 12: "%Y%m%d%H%M", 8: "%Y%m%d"}.get(len(text))
    if pattern and text.isdigit():
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            pass
    if text:
        warnings.append(f"{where}: {text!r} is not a date-time in format 204 (YYYYMMDDHHMMSS); ignored")
    return None


def _decimal(text: str, where: str, warnings: list[str]) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        warnings.append(f"{where}: {text!r} is not a number; ignored")
        return None


def _party(node: etree._Element) -> Party:
    global_id = node.find("ram:GlobalID", NSMAP)
    uri = node.find("ram:URIUniversalCommunication/ram:URIID", NSMAP)
    return Party(
        id=" ".join((global_id.text or "").split()) if global_id is not None else "",
        scheme=(global_id.get("schemeID") or "") if global_id is not None else SIREN_SCHEME,
        role=_text(node, "ram:RoleCode"),
        name=_text(node, "ram:Name"),
        address=" ".join((uri.text or "").split()) if uri is not None else "",
        address_scheme=(uri.get("schemeID") or "") if uri is not None else ADDRESS_SCHEME,
    )


def parse(data: bytes) -> StatusMessage:
    """Read a CDAR status message about one invoice (the first referenced document when it names
    several). Raises :class:`CDARError` when it is not XML, not a CDAR message, or names no invoice
    or no status code."""
    try:
        root = etree.fromstring(data.lstrip(b"\xef\xbb\xbf \r\n\t"), parser=_PARSER)
    except etree.XMLSyntaxError as error:
        raise CDARError(f"not well-formed XML: {error}") from error
    if root.tag != f"{{{RSM}}}CrossDomainAcknowledgementAndResponse":
        raise CDARError(f"not a CDAR status message: the root element is {etree.QName(root).localname}")
    warnings: list[str] = []
    document = root.find("rsm:ExchangedDocument", NSMAP)
    acknowledgement = root.find("rsm:AcknowledgementDocument", NSMAP)
    referenced = (
        acknowledgement.find("ram:ReferenceReferencedDocument", NSMAP)
        if acknowledgement is not None
        else None
    )
    if document is None or acknowledgement is None or referenced is None:
        raise CDARError(
            "the message has no ExchangedDocument, AcknowledgementDocument or ReferenceReferencedDocument"
        )
    invoice_id = _text(referenced, "ram:IssuerAssignedID")
    if not invoice_id:
        raise CDARError(
            "ReferenceReferencedDocument/IssuerAssignedID (MDT-87): the invoice number is missing"
        )
    code = _text(referenced, "ram:ProcessConditionCode")
    if not code:
        raise CDARError(
            "ReferenceReferencedDocument/ProcessConditionCode (MDT-105): the status code is missing"
        )
    if code not in CODES:
        warnings.append(
            f"ProcessConditionCode: {code!r} is not in the list of status codes (BR-FR-CDV-CL-06)"
        )
    issued = _datetime(_text(document, "ram:IssueDateTime/udt:DateTimeString"), "IssueDateTime", warnings)
    status_at = _datetime(
        _text(acknowledgement, "ram:IssueDateTime/udt:DateTimeString"),
        "AcknowledgementDocument/IssueDateTime",
        warnings,
    )
    invoice_day = _datetime(
        _text(referenced, "ram:FormattedIssueDateTime/qdt:DateTimeString"), "FormattedIssueDateTime", warnings
    )
    issuer = document.find("ram:IssuerTradeParty", NSMAP)
    status = referenced.find("ram:SpecifiedDocumentStatus", NSMAP)
    amount_node = None
    vat_rate: Decimal | None = None
    if status is not None:
        for characteristic in status.findall("ram:SpecifiedDocumentCharacteristic", NSMAP):
            if _text(characteristic, "ram:TypeCode") == "MEN":
                amount_node = characteristic.find("ram:ValueAmount", NSMAP)
                vat_rate = _decimal(_text(characteristic, "ram:ValuePercent"), "ValuePercent", warnings)
                break
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    if issued is None:
        warnings.append("IssueDateTime (MDT-8): missing")
    return StatusMessage(
        id=_text(document, "ram:ID"),
        name=_text(document, "ram:Name"),
        issued_at=issued or status_at or epoch,
        sender_role=_text(document, "ram:SenderTradeParty/ram:RoleCode"),
        issuer=_party(issuer) if issuer is not None else Party(id="", role=""),
        recipients=tuple(_party(node) for node in document.findall("ram:RecipientTradeParty", NSMAP)),
        guideline=_text(
            root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
        ),
        invoice_id=invoice_id,
        invoice_date=(invoice_day or epoch).date(),
        invoice_type=_text(referenced, "ram:TypeCode"),
        status_code=code,
        status_label=_text(referenced, "ram:ProcessCondition"),
        status_at=status_at,
        invoice_issuer_id=_text(referenced, "ram:IssuerTradeParty/ram:GlobalID"),
        reason_code=_text(status, "ram:ReasonCode"),
        reason=_text(status, "ram:Reason"),
        amount=_decimal(" ".join((amount_node.text or "").split()), "ValueAmount", warnings)
        if amount_node is not None
        else None,
        currency=(amount_node.get("currencyID") or "") if amount_node is not None else "",
        vat_rate=vat_rate,
        warnings=tuple(warnings),
    )


# -- building ----------------------------------------------------------------------------------------
def _check(message: StatusMessage) -> None:
    problems = []
    if message.status_code not in CODES:
        problems.append(
            f"status code {message.status_code!r} is not one of the French statuses (BR-FR-CDV-CL-06)"
        )
    if not message.id.strip():
        problems.append("the message needs an id (MDT-4)")
    if not message.issuer.role or (not message.issuer.id.strip() and message.issuer.role != "WK"):
        problems.append("the issuer needs a role, and an identifier unless it is a platform (MDT-38, MDT-40)")
    if message.status_code in TRANSMISSION and message.issuer.role != "WK":
        problems.append(
            f"status {message.status_code} is a transmission status: its issuer is a platform, role WK "
            "(BR-FR-CDV-CL-03)"
        )
    if not message.recipients or any(not p.id.strip() or not p.role for p in message.recipients):
        problems.append("each recipient needs an identifier and a role (MDT-57, MDT-59)")
    if not message.invoice_id.strip():
        problems.append("the invoice number is missing (MDT-87)")
    if message.status_code in REASON_REQUIRED and not message.reason_code:
        problems.append(f"status {message.status_code} needs a reason code (BR-FR-CDV-15)")
    allowed = REASONS.get(message.status_code)
    if message.reason_code and allowed is not None and message.reason_code not in allowed:
        problems.append(
            f"reason {message.reason_code!r} is not allowed with status {message.status_code} (BR-FR-CDV-CL-09)"
        )
    if message.status_code == "212" and (
        message.amount is None or message.vat_rate is None or not message.currency
    ):
        problems.append(
            "status 212 (Encaissée) needs the amount cashed, its currency and VAT rate (BR-FR-CDV-14)"
        )
    if problems:
        raise CDARError("; ".join(problems))


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    prefix, _, name = tag.partition(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _stamp(parent: etree._Element, tag: str, moment: datetime) -> None:
    _sub(
        _sub(parent, tag), "udt:DateTimeString", moment.astimezone(UTC).strftime("%Y%m%d%H%M%S"), format="204"
    )


def _write_party(parent: etree._Element, tag: str, party: Party) -> None:
    node = _sub(parent, tag)
    if party.id:
        _sub(node, "ram:GlobalID", party.id, schemeID=party.scheme)
    if party.name:
        _sub(node, "ram:Name", party.name)
    _sub(node, "ram:RoleCode", party.role)
    if party.address:
        uri = _sub(node, "ram:URIUniversalCommunication")
        _sub(uri, "ram:URIID", party.address, schemeID=party.address_scheme)


def _number(value: Decimal) -> str:
    return format(value, "f")


def build(message: StatusMessage) -> bytes:
    """The CDAR D22B XML of ``message`` (UTF-8, with declaration). Raises :class:`CDARError` naming
    every rule the message would break."""
    _check(message)
    root = etree.Element(f"{{{RSM}}}CrossDomainAcknowledgementAndResponse", nsmap=NSMAP)
    context = _sub(root, "rsm:ExchangedDocumentContext")
    _sub(_sub(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", BUSINESS_PROCESS)
    _sub(_sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", message.guideline)
    document = _sub(root, "rsm:ExchangedDocument")
    _sub(document, "ram:ID", message.id)
    if message.name:
        _sub(document, "ram:Name", message.name)
    _stamp(document, "ram:IssueDateTime", message.issued_at)
    _sub(_sub(document, "ram:SenderTradeParty"), "ram:RoleCode", message.sender_role)
    _write_party(document, "ram:IssuerTradeParty", message.issuer)
    for recipient in message.recipients:
        _write_party(document, "ram:RecipientTradeParty", recipient)
    acknowledgement = _sub(root, "rsm:AcknowledgementDocument")
    _sub(_sub(acknowledgement, "ram:MultipleReferencesIndicator"), "udt:Indicator", "false")
    _sub(acknowledgement, "ram:TypeCode", "305" if message.status_code in TRANSMISSION else "23")
    _stamp(acknowledgement, "ram:IssueDateTime", message.status_at or message.issued_at)
    referenced = _sub(acknowledgement, "ram:ReferenceReferencedDocument")
    _sub(referenced, "ram:IssuerAssignedID", message.invoice_id)
    if message.status_code in STATUS_TYPE:
        _sub(referenced, "ram:StatusCode", STATUS_TYPE[message.status_code])
    _sub(referenced, "ram:TypeCode", message.invoice_type)
    issue_date = _sub(referenced, "ram:FormattedIssueDateTime")
    _sub(issue_date, "qdt:DateTimeString", message.invoice_date.strftime("%Y%m%d"), format="102")
    _sub(referenced, "ram:ProcessConditionCode", message.status_code)
    _sub(referenced, "ram:ProcessCondition", LABELS.get(message.status_code, message.status_label))
    if message.invoice_issuer_id:
        _sub(
            _sub(referenced, "ram:IssuerTradeParty"),
            "ram:GlobalID",
            message.invoice_issuer_id,
            schemeID=SIREN_SCHEME,
        )
    if message.reason_code or message.amount is not None:
        status = _sub(referenced, "ram:SpecifiedDocumentStatus")
        if message.reason_code:
            _sub(status, "ram:ReasonCode", message.reason_code)
            if message.reason:
                _sub(status, "ram:Reason", message.reason)
        _sub(status, "ram:SequenceNumeric", "1")
        if message.amount is not None:
            characteristic = _sub(status, "ram:SpecifiedDocumentCharacteristic")
            _sub(characteristic, "ram:TypeCode", "MEN")
            _sub(_sub(characteristic, "ram:ValueChangedIndicator"), "udt:IndicatorString", "false")
            _sub(characteristic, "ram:ValueAmount", _number(message.amount), currencyID=message.currency)
            if message.vat_rate is not None:
                _sub(characteristic, "ram:ValuePercent", _number(message.vat_rate))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
