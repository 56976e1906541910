"""The EN 16931 validator (XSD + the official schematron through SaxonC) on the official examples,
on broken copies of them and on documents that are not invoices."""

from __future__ import annotations

from pathlib import Path

import facturx
import pytest
from lxml import etree

from openprocure.core import en16931

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
@pytest.mark.parametrize("name", ["EN16931_Einfach.pdf", "Facture_F20180027.pdf"])
def test_the_cii_inside_official_factur_x_pdfs_passes(interop, name):
    _name, xml = facturx.get_xml_from_pdf((interop / "en16931" / "factur-x" / name).read_bytes())
    assert en16931.validate(xml).fatal == ()


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
