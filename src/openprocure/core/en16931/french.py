"""The French e-invoicing rules (BR-FR, AFNOR XP Z12-012, "Flux 2" of the FNFE-MPE schematron v1.2.0)
that matter to us, checked in Python on a CII or UBL invoice or credit note that passed its schema.

The official BR-FR schematron is not among our artefacts, so these checks are ours; their ids,
conditions, code lists and business terms (BT-n) are those of the public specification. Each failure
is a ``Finding`` as for the EN 16931 rules: the rule's id (``BR-FR-10``), its flag, what the rule
means and where in the document (an XPath, the element the rule is about, or its parent when the
element is missing).

When they apply: to a French flow, that is when the seller is established in France, told by its
country (BT-40 = ``FR``) or by its SIREN (BT-30 with scheme ``0002``) being given. The reform obliges
French sellers; an invoice from a seller established abroad is out of its e-invoicing scope (the
French buyer reports it instead), so no French rule refuses it even when the buyer is French. The
official EN 16931 examples (Dutch, German, Norwegian, Danish sellers) are never touched.

Flags: the v1.2.0 artefact publishes every assertion as ``warning`` while the specification is being
trialled, but a platform (PA) must refuse an invoice that breaks the rules that identify the parties
and the document. We therefore flag as ``fatal`` the rules below that concern identification, the
document type and the tax codes, and keep the official ``warning`` for:

- BR-FR-05 (the PMT, PMD and AAB notes): legal mentions whose absence is the seller's liability, not
  a reason for the buyer to refuse the document (our storefront writes all three).
- BR-FR-12 / BR-FR-13 (the buyer's and seller's electronic addresses, BT-49 / BT-34, and their scheme
  from the EAS list): the addresses of the French directory (annuaire) are not in our data yet, so
  none of our documents could pass; they are reported so the gap stays visible.

Checked (one finding per failing element):

- BR-FR-04: the document type (BT-3) is one of the French list (380, 381, 384, 389, ...).
- BR-FR-08: the billing mode (BT-23), when given, is one of B1, S1, M1, B2, ... M8.
- BR-FR-09: a SIRET (scheme ``0009``) of the seller (BT-29) or buyer (BT-46) has 14 digits and starts
  with the party's SIREN (BT-30 / BT-47).
- BR-FR-10: the seller's SIREN (BT-30, scheme ``0002``) is given and has 9 digits.
- BR-FR-11: when the BAR note says ``B2B``, the buyer's SIREN (BT-47, scheme ``0002``) is given and
  has 9 digits.
- BR-FR-15: every VAT category code (BT-95, BT-102, BT-118, BT-151) is one of S, E, AE, K, G, O, Z.
- BR-FR-16: every VAT rate (BT-96, BT-103, BT-119, BT-152) is a French rate.
- BR-FR-20: a BAR note says B2B, B2BINT, B2C, OUTOFSCOPE or ARCHIVEONLY.
- BR-FR-CO-04: a corrective invoice (384, 471, 472, 473) references exactly one preceding invoice
  (BT-25).
- BR-FR-CO-05: a credit note (261, 381, 396, 502, 503) references a preceding invoice with its
  number and date (BT-25, BT-26), in its header or on every line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from lxml import etree

FATAL = "fatal"
WARNING = "warning"

#: BR-FR-04: the document types a French invoice may have (UNTDID 1001).
DOCUMENT_TYPES = frozenset("380 389 393 501 386 500 384 471 472 473 261 262 381 396 502 503".split())
CORRECTIVE_TYPES = frozenset({"384", "471", "472", "473"})
CREDIT_NOTE_TYPES = frozenset({"261", "381", "396", "502", "503"})
#: BR-FR-08: the billing modes (cadre de facturation, BT-23).
BILLING_MODES = frozenset("B1 S1 M1 B2 S2 M2 S3 B4 S4 M4 S5 S6 B7 S7 B8 S8 M8".split())
#: BR-FR-15: the VAT categories that exist in France (UNTDID 5305).
VAT_CATEGORIES = frozenset({"S", "E", "AE", "K", "G", "O", "Z"})
#: BR-FR-16: the French VAT rates, written as the specification lists them.
VAT_RATES = frozenset(
    "0 0.0 0.00 10 10.0 10.00 13 13.0 13.00 20 20.0 20.00 8.5 8.50 19.6 19.60 2.1 2.10 5.5 5.50 "
    "7 7.0 7.00 20.6 20.60 1.05 0.9 0.90 1.75 9.2 9.20 9.6 9.60".split()
)
#: BR-FR-20: what a BAR note (the kind of flow) may say.
BAR_TREATMENTS = frozenset({"B2B", "B2BINT", "B2C", "OUTOFSCOPE", "ARCHIVEONLY"})
#: BR-FR-05: the notes every French invoice carries (recovery fee, late-payment penalties, discount).
MANDATORY_NOTES = {
    "PMT": "the fixed recovery fee",
    "PMD": "the late-payment penalties",
    "AAB": "the early-payment discount or its absence",
}
#: BR-FR-12 / BR-FR-13: the electronic address schemes (EAS code list) an address may use.
EAS_CODES = frozenset(
    """AN AQ AS AU EM 0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0147 0151 0154 0158
    0170 0177 0183 0184 0188 0190 0191 0192 0193 0194 0195 0196 0198 0199 0200 0201 0202 0203 0204
    0205 0208 0209 0210 0211 0212 0213 0215 0216 0217 0218 0221 0225 0230 0235 0240 9910 9913 9914
    9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930 9931 9932 9933 9934 9935 9936
    9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949 9950 9951 9952 9953 9957
    9959""".split()
)
SIREN_SCHEME = "0002"
SIRET_SCHEME = "0009"

_NINE_DIGITS = re.compile(r"\d{9}")
_FOURTEEN_DIGITS = re.compile(r"\d{14}")

CII_NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
UBL_NAMESPACES = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


@dataclass(frozen=True)
class Failure:
    """One failed French rule, before it becomes a ``Finding``: id, flag, message, element."""

    rule: str
    flag: str
    message: str
    element: etree._Element


@dataclass(frozen=True)
class _Syntax:
    """Where each business term the rules read sits in one syntax (XPaths from the root)."""

    namespaces: dict[str, str]
    type_code: str
    billing_mode: str
    seller: str
    buyer: str
    country: str  # from a party
    siren: str  # from a party, any scheme
    siret: str  # from a party, any scheme
    endpoint: str  # from a party
    vat_categories: str  # the tax category elements (BT-95/102, BT-118, BT-151)
    category_code: str  # from a tax category element
    rate: str  # from a tax category element
    header_references: str  # BG-3 preceding invoice references
    reference_number: str  # from a reference
    reference_date: str  # from a reference
    lines: str
    line_references: str  # from a line


CII = _Syntax(
    namespaces=CII_NAMESPACES,
    type_code="rsm:ExchangedDocument/ram:TypeCode",
    billing_mode="rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID",
    seller="rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty",
    buyer="rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty",
    country="ram:PostalTradeAddress/ram:CountryID",
    siren="ram:SpecifiedLegalOrganization/ram:ID",
    siret="ram:GlobalID",
    endpoint="ram:URIUniversalCommunication/ram:URIID",
    vat_categories=(
        "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
        "/ram:CategoryTradeTax"
        " | rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
        " | rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
        "/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"
    ),
    category_code="ram:CategoryCode",
    rate="ram:RateApplicablePercent",
    header_references=(
        "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument"
    ),
    reference_number="ram:IssuerAssignedID",
    reference_date="ram:FormattedIssueDateTime/qdt:DateTimeString",
    lines="rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
    line_references="ram:SpecifiedLineTradeSettlement/ram:InvoiceReferencedDocument",
)
UBL = _Syntax(
    namespaces=UBL_NAMESPACES,
    type_code="cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode",
    billing_mode="cbc:ProfileID",
    seller="cac:AccountingSupplierParty/cac:Party",
    buyer="cac:AccountingCustomerParty/cac:Party",
    country="cac:PostalAddress/cac:Country/cbc:IdentificationCode",
    siren="cac:PartyLegalEntity/cbc:CompanyID",
    siret="cac:PartyIdentification/cbc:ID",
    endpoint="cbc:EndpointID",
    vat_categories=(
        "cac:AllowanceCharge/cac:TaxCategory | cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
        " | cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory"
        " | cac:CreditNoteLine/cac:Item/cac:ClassifiedTaxCategory"
    ),
    category_code="cbc:ID",
    rate="cbc:Percent",
    header_references="cac:BillingReference/cac:InvoiceDocumentReference",
    reference_number="cbc:ID",
    reference_date="cbc:IssueDate",
    lines="cac:InvoiceLine | cac:CreditNoteLine",
    line_references="cac:BillingReference/cac:InvoiceDocumentReference",
)


def _all(element: etree._Element, path: str, syntax: _Syntax) -> list[etree._Element]:
    return list(element.xpath(path, namespaces=syntax.namespaces))  # type: ignore[arg-type]  # lxml-stubs type namespaces too narrowly


def _first(element: etree._Element | None, path: str, syntax: _Syntax) -> etree._Element | None:
    if element is None:
        return None
    found = _all(element, path, syntax)
    return found[0] if found else None


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _schemed(party: etree._Element | None, path: str, scheme: str, syntax: _Syntax) -> list[etree._Element]:
    if party is None:
        return []
    return [element for element in _all(party, path, syntax) if element.get("schemeID") == scheme]


def _notes(root: etree._Element, syntax: _Syntax) -> list[tuple[str, str, etree._Element]]:
    """(subject code, content, element) of each note (BG-1); UBL spells a subject as ``#PMT#text``."""
    notes = []
    if syntax is CII:
        for note in _all(root, "rsm:ExchangedDocument/ram:IncludedNote", syntax):
            subject = _text(_first(note, "ram:SubjectCode", syntax))
            notes.append((subject, _text(_first(note, "ram:Content", syntax)), note))
        return notes
    for note in _all(root, "cbc:Note", syntax):
        text = note.text or ""
        match = re.fullmatch(r"#([A-Z]{3})#(.*)", text.strip(), flags=re.DOTALL)
        notes.append((match.group(1), match.group(2).strip(), note) if match else ("", text.strip(), note))
    return notes


def applies(root: etree._Element, syntax: _Syntax) -> bool:
    """Whether the document is a French flow: its seller is in France or has a SIREN."""
    seller = _first(root, syntax.seller, syntax)
    if seller is None:
        return False
    return _text(_first(seller, syntax.country, syntax)) == "FR" or bool(
        _schemed(seller, syntax.siren, SIREN_SCHEME, syntax)
    )


def failures(root: etree._Element, syntax: _Syntax) -> Iterator[Failure]:
    """Every failed French rule of the document at ``root`` (whether they apply is ``applies``)."""
    yield from _document_type(root, syntax)
    yield from _billing_mode(root, syntax)
    yield from _parties(root, syntax)
    yield from _notes_rules(root, syntax)
    yield from _tax_codes(root, syntax)
    yield from _preceding_invoices(root, syntax)


def _unlisted_code(
    parent: etree._Element, path: str, syntax: _Syntax, allowed: Collection[str], rule: str, message: str
) -> Iterator[Failure]:
    """A fatal failure of ``rule`` when the element at ``path`` under ``parent`` is there and its text is
    not one of ``allowed``; ``message`` names the value found where it says ``{found}`` (quoted)."""
    element = _first(parent, path, syntax)
    if element is not None and _text(element) not in allowed:
        yield Failure(rule, FATAL, message.format(found=repr(_text(element))), element)


def _document_type(root: etree._Element, syntax: _Syntax) -> Iterator[Failure]:
    yield from _unlisted_code(
        root,
        syntax.type_code,
        syntax,
        DOCUMENT_TYPES,
        "BR-FR-04",
        "The document type code (BT-3) {found} is not allowed in France: use 380, 381, 384, "
        "386, 389, 393, 261, 262, 396, 471, 472, 473, 500, 501, 502 or 503.",
    )


def _billing_mode(root: etree._Element, syntax: _Syntax) -> Iterator[Failure]:
    yield from _unlisted_code(
        root,
        syntax.billing_mode,
        syntax,
        BILLING_MODES,
        "BR-FR-08",
        "The billing mode (BT-23) {found} is not allowed: use B1, S1, M1, B2, S2, M2, S3, B4, "
        "S4, M4, S5, S6, B7, S7, B8, S8 or M8.",
    )


def _parties(root: etree._Element, syntax: _Syntax) -> Iterator[Failure]:
    seller = _first(root, syntax.seller, syntax)
    buyer = _first(root, syntax.buyer, syntax)
    for party, terms in ((seller, ("seller", "BT-29", "BT-30")), (buyer, ("buyer", "BT-46", "BT-47"))):
        role, siret_term, siren_term = terms
        sirets = _schemed(party, syntax.siret, SIRET_SCHEME, syntax)
        sirens = _schemed(party, syntax.siren, SIREN_SCHEME, syntax)
        if sirets and not (
            _FOURTEEN_DIGITS.fullmatch(_text(sirets[0]))
            and sirens
            and _text(sirets[0])[:9] == _text(sirens[0])
        ):
            yield Failure(
                "BR-FR-09",
                FATAL,
                f"The {role}'s SIRET ({siret_term}, scheme 0009) {_text(sirets[0])!r} must have 14 digits and "
                f"start with the {role}'s SIREN ({siren_term}, scheme 0002) "
                f"{_text(sirens[0]) if sirens else ''!r}.",
                sirets[0],
            )
    seller_siren = _schemed(seller, syntax.siren, SIREN_SCHEME, syntax)
    if seller is not None and not (seller_siren and _NINE_DIGITS.fullmatch(_text(seller_siren[0]))):
        yield Failure(
            "BR-FR-10",
            FATAL,
            "The seller's SIREN (BT-30, legal registration identifier with scheme 0002) is mandatory and "
            f"has exactly 9 digits; found {_text(seller_siren[0]) if seller_siren else 'none'}.",
            seller_siren[0] if seller_siren else seller,
        )
    bar = [content for subject, content, _note in _notes(root, syntax) if subject == "BAR"]
    buyer_siren = _schemed(buyer, syntax.siren, SIREN_SCHEME, syntax)
    if (
        "B2B" in bar
        and buyer is not None
        and not (buyer_siren and _NINE_DIGITS.fullmatch(_text(buyer_siren[0])))
    ):
        yield Failure(
            "BR-FR-11",
            FATAL,
            "In a B2B flow (note BAR saying B2B) the buyer's SIREN (BT-47, legal registration identifier "
            "with scheme 0002) is mandatory and has exactly 9 digits; found "
            f"{_text(buyer_siren[0]) if buyer_siren else 'none'}.",
            buyer_siren[0] if buyer_siren else buyer,
        )
    for party, rule, term, role in (
        (buyer, "BR-FR-12", "BT-49", "buyer"),
        (seller, "BR-FR-13", "BT-34", "seller"),
    ):
        if party is None:
            continue
        endpoint = _first(party, syntax.endpoint, syntax)
        if not _text(endpoint):
            yield Failure(rule, WARNING, f"The {role}'s electronic address ({term}) is mandatory.", party)
        elif endpoint is not None and endpoint.get("schemeID", "") not in EAS_CODES:
            yield Failure(
                rule,
                WARNING,
                f"The scheme {endpoint.get('schemeID', '')!r} of the {role}'s electronic address ({term}-1) "
                "is not in the EAS code list.",
                endpoint,
            )


def _notes_rules(root: etree._Element, syntax: _Syntax) -> Iterator[Failure]:
    notes = _notes(root, syntax)
    subjects = {subject for subject, _content, _note in notes}
    for subject, meaning in MANDATORY_NOTES.items():
        if subject not in subjects:
            yield Failure(
                "BR-FR-05",
                WARNING,
                f"The note (BT-22) with subject {subject} ({meaning}) is a mandatory mention in France.",
                root,
            )
    for subject, content, note in notes:
        if subject == "BAR" and content not in BAR_TREATMENTS:
            yield Failure(
                "BR-FR-20",
                FATAL,
                f"A BAR note (BT-21) says {content!r}: it must be B2B, B2BINT, B2C, OUTOFSCOPE or ARCHIVEONLY.",
                note,
            )


def _tax_codes(root: etree._Element, syntax: _Syntax) -> Iterator[Failure]:
    for category in _all(root, syntax.vat_categories, syntax):
        yield from _unlisted_code(
            category,
            syntax.category_code,
            syntax,
            VAT_CATEGORIES,
            "BR-FR-15",
            "The VAT category code {found} does not exist in France: use S, E, AE, K, G, O or Z.",
        )
        yield from _unlisted_code(
            category,
            syntax.rate,
            syntax,
            VAT_RATES,
            "BR-FR-16",
            "The VAT rate {found} is not a French VAT rate (a percentage without the % sign).",
        )


def _preceding_invoices(root: etree._Element, syntax: _Syntax) -> Iterator[Failure]:
    type_code = _first(root, syntax.type_code, syntax)
    code = _text(type_code)
    references = _all(root, syntax.header_references, syntax)
    if code in CORRECTIVE_TYPES and len(references) != 1:
        yield Failure(
            "BR-FR-CO-04",
            FATAL,
            f"A corrective invoice ({code}) references exactly one preceding invoice (BT-25); "
            f"found {len(references)}.",
            type_code if type_code is not None else root,
        )

    def complete(reference: etree._Element) -> bool:
        return bool(
            _text(_first(reference, syntax.reference_number, syntax))
            and _text(_first(reference, syntax.reference_date, syntax))
        )

    lines = _all(root, syntax.lines, syntax)
    on_every_line = bool(lines) and all(
        any(complete(reference) for reference in _all(line, syntax.line_references, syntax)) for line in lines
    )
    if code in CREDIT_NOTE_TYPES and not (any(complete(r) for r in references) or on_every_line):
        yield Failure(
            "BR-FR-CO-05",
            FATAL,
            f"A credit note ({code}) references the preceding invoice it credits, with its number (BT-25) "
            "and its issue date (BT-26), in its header or on every line.",
            type_code if type_code is not None else root,
        )


def location(element: etree._Element) -> str:
    """The XPath of ``element`` as the EN 16931 findings spell it: each step its local name and its
    position among its same-named siblings (``/CrossIndustryInvoice[1]/ExchangedDocument[1]/TypeCode[1]``)."""
    steps = []
    current: etree._Element | None = element
    while current is not None:
        parent = current.getparent()
        position = (
            1
            if parent is None
            else [sibling for sibling in parent if sibling.tag == current.tag].index(current) + 1
        )
        steps.append(f"{etree.QName(current).localname}[{position}]")
        current = parent
    return "/" + "/".join(reversed(steps))
