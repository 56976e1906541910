"""The EN 16931 validator (XSD + the official schematron through SaxonC) on the official examples,
on broken copies of them and on documents that are not invoices."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import facturx
import pytest
from lxml import etree

from openprocure.core import en16931
from openprocure.core.en16931 import cii, ubl
from openprocure.core.en16931.model import Invoice, TypeCode
from tests.en16931_world import french_invoice

CII_EXAMPLES = [
    "CII_business_example_02.xml",
    "CII_example1.xml",
    "CII_example2.xml",
    "CII_example4.xml",
    "CII_example5.xml",
    "CII_example8.xml",
]
UBL_EXAMPLES = [
    "ubl-tc434-creditnote1.xml",
    "ubl-tc434-example1.xml",
    "ubl-tc434-example2.xml",
    "ubl-tc434-example4.xml",
    "ubl-tc434-example5.xml",
    "ubl-tc434-example8.xml",
]
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def _example(interop: Path, syntax: str, name: str) -> bytes:
    return (interop / "en16931" / "examples" / syntax / name).read_bytes()


@pytest.mark.interop
@pytest.mark.parametrize("name", CII_EXAMPLES)
def test_the_official_cii_examples_pass(interop, name):
    report = en16931.validate(_example(interop, "cii", name))
    assert (report.syntax, report.fatal, report.valid) == ("cii", (), True)


@pytest.mark.interop
@pytest.mark.parametrize("name", UBL_EXAMPLES)
def test_the_official_ubl_examples_pass(interop, name):
    report = en16931.validate(_example(interop, "ubl", name))
    assert (report.syntax, report.fatal, report.valid) == ("ubl", (), True)


@pytest.mark.interop
def test_the_cii_inside_an_official_factur_x_pdf_passes(interop):
    pdf = (interop / "en16931" / "factur-x" / "EN16931_Einfach.pdf").read_bytes()
    _name, xml = facturx.get_xml_from_pdf(pdf)
    assert en16931.validate(xml).fatal == ()


@pytest.mark.interop
def test_the_french_factur_x_sample_of_2018_meets_en16931_but_not_the_french_rules(interop):
    pdf = (interop / "en16931" / "factur-x" / "Facture_F20180027.pdf").read_bytes()
    _name, xml = facturx.get_xml_from_pdf(pdf)
    report = en16931.validate(xml)
    # Written before the reform: billing mode A1 (BT-23) and a SIRET given as the SIREN (BT-30).
    assert [(f.rule, f.message.split(":")[0]) for f in report.fatal] == [
        ("BR-FR-08", "The billing mode (BT-23) 'A1' is not allowed"),
        (
            "BR-FR-10",
            "The seller's SIREN (BT-30, legal registration identifier with scheme 0002) is mandatory and has exactly 9 digits; found 12345678900014.",
        ),
    ]


@pytest.mark.interop
def test_a_cii_example_without_the_seller_name_is_refused_by_br_06(interop):
    tree = etree.fromstring(_example(interop, "cii", "CII_example1.xml"))
    name = tree.find(f".//{RAM}SellerTradeParty/{RAM}Name")
    name.getparent().remove(name)
    with pytest.raises(en16931.InvalidInvoice) as refused:
        en16931.check(etree.tostring(tree))
    assert refused.value.report.rules == ["BR-06"]
    assert str(refused.value) == (
        "[BR-06] An Invoice shall contain the Seller name (BT-27). (/CrossIndustryInvoice[1])"
    )


@pytest.mark.interop
def test_a_ubl_example_with_a_wrong_total_is_refused_by_br_co_15(interop):
    tree = etree.fromstring(_example(interop, "ubl", "ubl-tc434-example1.xml"))
    inclusive = tree.find(f"{CAC}LegalMonetaryTotal/{CBC}TaxInclusiveAmount")
    inclusive.text = "1.00"
    report = en16931.validate(etree.tostring(tree))
    assert "BR-CO-15" in report.rules and not report.valid


@pytest.mark.interop
def test_a_cii_example_broken_against_its_schema_is_refused_before_the_rules(interop):
    tree = etree.fromstring(_example(interop, "cii", "CII_example4.xml"))
    document = tree.find("{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}ExchangedDocument")
    etree.SubElement(document, f"{RAM}Unexpected").text = "x"
    report = en16931.validate(etree.tostring(tree))
    assert report.rules == ["XSD"]
    assert "Unexpected" in report.fatal[0].message and report.fatal[0].location.startswith("line ")


@pytest.mark.interop
def test_the_generic_oasis_ubl_example_is_not_an_en16931_invoice(interop):
    report = en16931.validate(
        (interop / "en16931" / "ubl-2.1" / "xml" / "UBL-Invoice-2.1-Example-Trivial.xml").read_bytes()
    )
    assert report.rules[:3] == ["BR-01", "BR-04", "BR-05"] and len(report.fatal) == 22


def test_a_document_that_is_no_invoice_is_refused():
    with pytest.raises(ValueError, match="not an EN 16931 invoice: root element order"):
        en16931.validate(b"<order/>")
    with pytest.raises(ValueError, match="not well-formed XML"):
        en16931.validate(b"<Invoice")


def _corrective() -> Invoice:
    """A corrective invoice (384) of ours replacing INV-1: no SIRET, no notes."""
    invoice = french_invoice()
    return dataclasses.replace(
        invoice,
        number="INV-CORR-1",
        type_code=TypeCode.CORRECTIVE,
        seller=dataclasses.replace(invoice.seller, siret=""),
        notes=(),
        preceding_invoice="INV-1",
    )


@pytest.mark.parametrize("build", [cii.build, ubl.build])
def test_a_corrective_invoice_384_passes_in_both_syntaxes(build):
    xml = build(_corrective(), minor=Decimal("0.01"))
    assert en16931.validate(xml).fatal == ()
    text = xml.decode()
    # 15.60 + 4.99 = 20.59 net, VAT 20 % on the whole basis = 4.12, 24.71 due; the invoice it corrects.
    assert "384" in text and "INV-1<" in text and ">24.71<" in text and ">4.12<" in text


@pytest.mark.parametrize("build", [cii.build, ubl.build])
def test_a_seller_without_vat_number_nor_siren_is_refused_in_both_syntaxes(build):
    corrective = _corrective()
    anonymous = dataclasses.replace(corrective.seller, siren="", vat_number="")
    xml = build(dataclasses.replace(corrective, seller=anonymous), minor=Decimal("0.01"))
    with pytest.raises(en16931.InvalidInvoice) as refused:
        en16931.check(xml)
    # No seller identifier at all (BR-CO-26); standard-rated lines (BR-S-02) and charge (BR-S-04)
    # without the seller VAT number; a French seller without its SIREN (BR-FR-10).
    assert sorted(refused.value.report.rules) == ["BR-CO-26", "BR-FR-10", "BR-S-02", "BR-S-04"]


@pytest.mark.parametrize(
    ("build", "mention"), [(cii.build, "DueDateTypeCode>5<"), (ubl.build, "DescriptionCode>3<")]
)
def test_the_vat_on_debits_option_is_said_by_bt8_and_passes(build, mention):
    xml = build(dataclasses.replace(_corrective(), vat_on_debits=True), minor=Decimal("0.01"))
    assert en16931.validate(xml).fatal == ()
    assert mention in xml.decode()
    plain = build(_corrective(), minor=Decimal("0.01")).decode()
    assert "DueDateTypeCode" not in plain and "DescriptionCode" not in plain


@pytest.mark.parametrize(
    ("build", "date_mention"),
    [
        (cii.build, '<qdt:DateTimeString format="102">20261130</qdt:DateTimeString>'),
        (ubl.build, "<cbc:IssueDate>2026-11-30</cbc:IssueDate>"),
    ],
)
def test_the_preceding_invoice_date_bt26_is_written_and_passes(build, date_mention):
    xml = build(
        dataclasses.replace(_corrective(), preceding_invoice_date=date(2026, 11, 30)), minor=Decimal("0.01")
    )
    assert en16931.validate(xml).fatal == ()
    text = xml.decode()
    assert date_mention in text
    assert text.count("2026-11-30") + text.count("20261130") == 1


# currency, its minor unit, the line's price as stored (four decimals), quantity, net amount, the price
# as the invoice states it (BT-146): the currency's minor units, more only for the decimals that count
PRICES = [
    ("EUR", "0.01", "12.5000", "3", "37.50", "12.50"),
    ("EUR", "0.01", "0.0125", "400", "5.00", "0.0125"),
    ("JPY", "1", "1250.0000", "3", "3750", "1250"),
    ("KWD", "0.001", "0.1250", "8", "1.000", "0.125"),
    ("BHD", "0.001", "0.1250", "8", "1.000", "0.125"),
]


@pytest.mark.parametrize(("currency", "minor", "stored", "quantity", "amount", "stated"), PRICES)
@pytest.mark.parametrize(
    ("build", "price_path"),
    [
        (cii.build, f".//{RAM}NetPriceProductTradePrice/{RAM}ChargeAmount"),
        (ubl.build, f".//{CAC}Price/{CBC}PriceAmount"),
    ],
)
def test_the_net_price_is_stated_in_the_currencys_form(
    build, price_path, currency, minor, stored, quantity, amount, stated
):
    corrective = _corrective()
    line = dataclasses.replace(
        corrective.lines[0], quantity=Decimal(quantity), net_price=Decimal(stored), net_amount=Decimal(amount)
    )
    invoice = dataclasses.replace(corrective, currency=currency, lines=(line,), charges=())
    xml = build(invoice, minor=Decimal(minor))
    assert [element.text for element in etree.fromstring(xml).iterfind(price_path)] == [stated]
    report = en16931.validate(xml)
    if minor != "0.001":
        assert report.fatal == ()
        return
    # EN 16931 allows at most two decimals in an amount (BR-DEC-*, UBL's UBL-DT-01): a dinar invoice's
    # three-decimal amounts are refused whatever its price says; no rule refuses the price itself.
    amounts = {"BR-DEC-09", "BR-DEC-12", "BR-DEC-14", "BR-DEC-18", "BR-DEC-19", "BR-DEC-20", "BR-DEC-23"}
    assert {f.rule for f in report.fatal} == amounts | ({"UBL-DT-01"} if build is ubl.build else set())
    assert [f.location for f in report.fatal if "Price" in f.location] == []
