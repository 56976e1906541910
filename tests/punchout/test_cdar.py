"""CDAR D22B lifecycle status messages: the official examples read with exact values; what we build
passes the D22B schema and the FNFE-MPE BR-FR-CDV schematron; what we cannot build is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

from punchout import cdar

SAMPLES = "fr-cdar/samples"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"

SELLER = cdar.Party(id="100000009", role="SE", name="VENDEUR", address="100000009_STATUTS")
BUYER = cdar.Party(id="200000008", role="BY", name="ACHETEUR", address="200000008")

# name: (id, issued, issuer id, issuer role, recipients (id, role, address), invoice, type, code, label,
#        reason code, reason, amount, currency, rate, guideline)
EXPECTED = {
    "UC1_F202500003_01-CDV-200_Deposee": (
        "F202500003_200_20250701151000#380_20250701",
        "20250701151500",
        "",
        "WK",
        [("100000009", "SE", "100000009_STATUTS"), ("9998", "DFH", "")],
        "F202500003",
        date(2025, 7, 1),
        "200",
        "Déposée",
        "",
        "",
        None,
        "",
        None,
        cdar.GUIDELINE_INVOICE,
    ),
    "UC1_F202500003_01-CDV-200_Deposee_POUR_PPF": (
        "FFE0614A_CC0238_6099239258834564607",
        "20250701151500",
        "0003",
        "WK",
        [("0000", "DFH", "")],
        "F202500003",
        date(2025, 7, 1),
        "200",
        "Déposée",
        "",
        "",
        None,
        "",
        None,
        "urn.cpro.gouv.fr:1p0:CDV:einvoicingF2",
    ),
    "UC1_F202500003_02-CDV-202_Recue": (
        "F202500003_202_20250701161000#380_20250701",
        "20250701161500",
        "",
        "WK",
        [("100000009", "SE", "100000009_STATUTS"), ("200000008", "BY", "200000008")],
        "F202500003",
        date(2025, 7, 1),
        "202",
        "Reçue",
        "",
        "",
        None,
        "",
        None,
        cdar.GUIDELINE_INVOICE,
    ),
    "UC1_F202500003_03-CDV-203_Mise_a_disposition": (
        "F202500003_203_20250701161000#380_20250701",
        "20250701163000",
        "",
        "WK",
        [("100000009", "SE", "100000009_STATUTS"), ("200000008", "BY", "200000008")],
        "F202500003",
        date(2025, 7, 1),
        "203",
        "Mise_à_disposition",
        "",
        "",
        None,
        "",
        None,
        cdar.GUIDELINE_INVOICE,
    ),
    "UC1_F202500003_04-CDV-204_Prise_en_charge": (
        "F202500003_204_20250701161000#380_20250701",
        "20250701181000",
        "200000008",
        "BY",
        [("100000009", "SE", "100000009_STATUTS")],
        "F202500003",
        date(2025, 7, 1),
        "204",
        "Prise_en_charge",
        "",
        "",
        None,
        "",
        None,
        cdar.GUIDELINE_INVOICE,
    ),
    "UC1_F202500003_05-CDV-205_Approuvee": (
        "F202500003_205_20250701161000#380_20250701",
        "20250702100500",
        "200000008",
        "BY",
        [("100000009", "SE", "100000009_STATUTS")],
        "F202500003",
        date(2025, 7, 1),
        "205",
        "Approuvée",
        "",
        "",
        None,
        "",
        None,
        cdar.GUIDELINE_INVOICE,
    ),
    "UC1_F202500003_06-CDV-211_Paiement_transmis": (
        "F202500003_211_20250701161000#380_20250701",
        "20250730100500",
        "200000008",
        "BY",
        [("100000009", "SE", "100000009_STATUTS")],
        "F202500003",
        date(2025, 7, 1),
        "211",
        "Paiement_transmis",
        "",
        "",
        None,
        "",
        None,
        cdar.GUIDELINE_INVOICE,
    ),
    "UC1_F202500003_07-CDV-212_Encaissee": (
        "F202500003_212_20250701151000#380_20250701",
        "20250802100500",
        "100000009",
        "SE",
        [("200000008", "BY", "200000008"), ("9998", "DFH", "")],
        "F202500003",
        date(2025, 7, 1),
        "212",
        "Encaissée",
        "",
        "",
        Decimal("12000"),
        "EUR",
        Decimal("20.00"),
        cdar.GUIDELINE_INVOICE,
    ),
    "UC1_F202500003_07-CDV-212_Encaissee_POUR_PPF": (
        "FFE0614A_CC0238_5118445863362991847",
        "20250802100500",
        "100000009",
        "SE",
        [("0000", "DFH", "")],
        "F202500003",
        date(2025, 7, 1),
        "212",
        "Encaissée",
        "",
        "",
        Decimal("12000"),
        "EUR",
        Decimal("20.00"),
        "urn.cpro.gouv.fr:1p0:CDV:einvoicingF2",
    ),
    "UC4_F202500006_04-CDV-207_En_litige": (
        "F202500006_207_20250701161000#380_20250701",
        "20250701181500",
        "200000008",
        "BY",
        [("100000009", "SE", "100000009_STATUTS")],
        "F202500006",
        date(2025, 7, 1),
        "207",
        "En_litige",
        "TX_TVA_ERR",
        "Taux de TVA erroné",
        None,
        "",
        None,
        cdar.GUIDELINE_INVOICE,
    ),
    "UC5_F202500007_04-CDV-207_En_litige": (
        "F202500007_207_20250702171000#380_20250702",
        "20250702181500",
        "200000008",
        "BY",
        [("100000009", "SE", "100000009_STATUTS")],
        "F202500007",
        date(2025, 7, 2),
        "207",
        "En_litige",
        "TX_TVA_ERR",
        "Taux de TVA erroné",
        None,
        "",
        None,
        cdar.GUIDELINE_INVOICE,
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_official_examples_read_with_exact_values(interop: Path, name: str) -> None:
    message = cdar.parse((interop / SAMPLES / f"{name}.xml").read_bytes())
    (ident, issued, issuer, role, recipients, invoice, day, code, label, reason_code, reason, amount, currency,
     rate, guideline) = EXPECTED[name]  # fmt: skip
    assert message.id == ident
    assert message.issued_at == datetime.strptime(issued, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    assert (message.issuer.id, message.issuer.role) == (issuer, role)
    assert [(r.id, r.role, r.address) for r in message.recipients] == recipients
    assert (message.invoice_id, message.invoice_date, message.invoice_type) == (invoice, day, "380")
    assert (message.status_code, message.status_label) == (code, label)
    assert message.label == cdar.LABELS[code]
    assert (message.reason_code, message.reason) == (reason_code, reason)
    assert (message.amount, message.currency, message.vat_rate) == (amount, currency, rate)
    assert message.guideline == guideline
    assert message.invoice_issuer_id == "100000009"
    assert message.sender_role == "WK"
    assert message.warnings == ()
    assert len(EXPECTED) == 11


def test_all_eleven_official_examples_are_covered(interop: Path) -> None:
    assert sorted(p.stem for p in (interop / SAMPLES).glob("*.xml")) == sorted(EXPECTED)


# -- what we build ---------------------------------------------------------------------------------
@cache
def _schema(root: str) -> etree.XMLSchema:
    path = Path(root) / "fr-cdar/xsd-CDAR_D22B_uncoupled/CrossDomainAcknowledgementAndResponse_100pD22B.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


@cache
def _schematron(root: str) -> tuple[PySaxonProcessor, PyXsltExecutable]:
    processor = PySaxonProcessor(license=False)
    path = Path(root) / "fr-cdar/validation/BR-FR-CDV-Schematron-CDAR.xslt"
    return processor, processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))


def failed_rules(interop: Path, xml: bytes) -> list[str]:
    """Every failed assertion of the schema (``XSD: message``) and of the BR-FR-CDV schematron."""
    schema = _schema(str(interop))
    document = etree.fromstring(xml)
    if not schema.validate(document):
        return [f"XSD: {error.message}" for error in schema.error_log]
    processor, executable = _schematron(str(interop))
    svrl = executable.transform_to_string(xdm_node=processor.parse_xml(xml_text=xml.decode("utf-8")))
    report = etree.fromstring(svrl.encode("utf-8"))
    return [
        f"{failed.get('id')}: {' '.join((failed.findtext(f'{SVRL}text') or '').split())}"
        for failed in report.iter(f"{SVRL}failed-assert")
    ]


def message(code: str, **changes: object) -> cdar.StatusMessage:
    fields: dict[str, object] = {
        "id": f"INV-1_{code}_20261207101500",
        "issued_at": datetime(2026, 12, 7, 10, 15, tzinfo=UTC),
        "issuer": BUYER,
        "recipients": (SELLER,),
        "invoice_id": "INV-1",
        "invoice_date": date(2026, 12, 5),
        "status_code": code,
        "invoice_issuer_id": "100000009",
    }
    fields.update(changes)
    return cdar.StatusMessage(**fields)  # type: ignore[arg-type]  # the fields are built by name, untyped


BUILT = {
    "205": {},
    "204": {},
    "206": {"reason_code": "QTE_ERR", "reason": "Deux articles manquent"},
    "207": {"reason_code": "PU_ERR", "reason": "Prix unitaire différent de la commande"},
    "208": {"reason_code": "JUSTIF_ABS", "reason": "Bon de livraison manquant"},
    "210": {"reason_code": "CMD_ERR", "reason": "Commande inconnue"},
    "211": {},
    "212": {
        "issuer": SELLER,
        "recipients": (BUYER,),
        "amount": Decimal("1908.60"),
        "currency": "EUR",
        "vat_rate": Decimal("20.00"),
    },
    "213": {
        "reason_code": "REJ_SEMAN",
        "reason": "[BR-CO-15] Montant total erroné",
        "issuer": cdar.Party(id="200000008", role="WK", name="ACHETEUR"),
    },
    "200": {"issuer": cdar.Party(id="", role="WK"), "recipients": (SELLER,)},
}


@pytest.mark.parametrize("code", sorted(BUILT))
def test_what_we_build_is_valid_and_reads_back(interop: Path, code: str) -> None:
    built = message(code, **BUILT[code])
    xml = cdar.build(built)
    assert failed_rules(interop, xml) == []
    again = cdar.parse(xml)
    assert again.status_code == code
    assert again.status_label == cdar.LABELS[code]
    assert (again.invoice_id, again.invoice_date, again.invoice_type) == ("INV-1", date(2026, 12, 5), "380")
    assert (again.reason_code, again.reason) == (built.reason_code, built.reason)
    assert (again.amount, again.currency, again.vat_rate) == (built.amount, built.currency, built.vat_rate)
    assert again.issuer == built.issuer
    assert again.recipients == built.recipients
    assert again.issued_at == built.issued_at
    assert again.warnings == ()


def test_the_official_schematron_refuses_a_refusal_without_reason(interop: Path) -> None:
    """The check the tests rely on bites: a 210 with its reason removed by hand fails BR-FR-CDV-15."""
    xml = cdar.build(message("210", reason_code="CMD_ERR"))
    broken = xml.replace(b"<ram:ReasonCode>CMD_ERR</ram:ReasonCode>", b"")
    assert any(rule.startswith("BR-FR-CDV-15") for rule in failed_rules(interop, broken))


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"status_code": "299"}, "status code '299' is not one of the French statuses (BR-FR-CDV-CL-06)"),
        ({"status_code": "210"}, "status 210 needs a reason code (BR-FR-CDV-15)"),
        (
            {"status_code": "210", "reason_code": "REJ_SEMAN"},
            "reason 'REJ_SEMAN' is not allowed with status 210 (BR-FR-CDV-CL-09)",
        ),
        (
            {"status_code": "212", "amount": Decimal("10")},
            "status 212 (Encaissée) needs the amount cashed, its currency and VAT rate (BR-FR-CDV-14)",
        ),
        ({"recipients": ()}, "each recipient needs an identifier and a role (MDT-57, MDT-59)"),
        (
            {"status_code": "213", "reason_code": "REJ_SEMAN"},
            "status 213 is a transmission status: its issuer is a platform, role WK (BR-FR-CDV-CL-03)",
        ),
        ({"invoice_id": " "}, "the invoice number is missing (MDT-87)"),
        (
            {"issuer": cdar.Party(id="", role="BY")},
            "the issuer needs a role, and an identifier unless it is a platform (MDT-38, MDT-40)",
        ),
    ],
)
def test_build_refuses_what_the_rules_refuse(changes: dict[str, object], text: str) -> None:
    with pytest.raises(cdar.CDARError) as refused:
        cdar.build(message("205", **changes))
    assert str(refused.value) == text


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"<nope", "not well-formed XML"),
        (b"<Invoice/>", "not a CDAR status message: the root element is Invoice"),
    ],
)
def test_parse_refuses_what_is_not_a_status(data: bytes, text: str) -> None:
    with pytest.raises(cdar.CDARError) as refused:
        cdar.parse(data)
    assert str(refused.value).startswith(text)


def test_parse_refuses_a_message_without_invoice_or_status() -> None:
    xml = cdar.build(message("205"))
    with pytest.raises(cdar.CDARError) as refused:
        cdar.parse(xml.replace(b"<ram:IssuerAssignedID>INV-1</ram:IssuerAssignedID>", b""))
    assert (
        str(refused.value)
        == "ReferenceReferencedDocument/IssuerAssignedID (MDT-87): the invoice number is missing"
    )
    with pytest.raises(cdar.CDARError) as refused:
        cdar.parse(xml.replace(b"<ram:ProcessConditionCode>205</ram:ProcessConditionCode>", b""))
    assert (
        str(refused.value)
        == "ReferenceReferencedDocument/ProcessConditionCode (MDT-105): the status code is missing"
    )


def test_parse_is_lenient_and_says_what_it_forgave() -> None:
    xml = cdar.build(message("205")).replace(b"20261207101500", b"7 Dec 2026").replace(b">205<", b">299<")
    read = cdar.parse(xml)
    assert read.status_code == "299"
    assert read.warnings == (
        "ProcessConditionCode: '299' is not in the list of status codes (BR-FR-CDV-CL-06)",
        "IssueDateTime: '7 Dec 2026' is not a date-time in format 204 (YYYYMMDDHHMMSS); ignored",
        "AcknowledgementDocument/IssueDateTime: '7 Dec 2026' is not a date-time in format 204 (YYYYMMDDHHMMSS); ignored",
        "IssueDateTime (MDT-8): missing",
    )
