"""The French e-invoicing rules (BR-FR) added to the EN 16931 validation: on our own French invoices
and credit notes in both syntaxes, broken in the ways the rules catch, and on the official EN 16931
examples, which are not French flows and never see them."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from openprocure.core import en16931
from openprocure.core.en16931 import cii, ubl
from openprocure.core.en16931.model import Address, TypeCode
from tests.en16931_world import french_invoice

MINOR = Decimal("0.01")
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CII_SELLER = "/CrossIndustryInvoice[1]/SupplyChainTradeTransaction[1]/ApplicableHeaderTradeAgreement[1]/SellerTradeParty[1]"
CII_BUYER = "/CrossIndustryInvoice[1]/SupplyChainTradeTransaction[1]/ApplicableHeaderTradeAgreement[1]/BuyerTradeParty[1]"


def _french_rules(report: en16931.Report) -> list[tuple[str, str]]:
    return [(f.rule, f.flag) for f in report.findings if f.rule.startswith("BR-FR")]


@pytest.mark.interop
@pytest.mark.parametrize(
    ("syntax", "name"),
    [("cii", name) for name in ("CII_business_example_02.xml", "CII_example1.xml", "CII_example2.xml")]
    + [("cii", name) for name in ("CII_example4.xml", "CII_example5.xml", "CII_example8.xml")]
    + [("ubl", name) for name in ("ubl-tc434-creditnote1.xml", "ubl-tc434-example1.xml")]
    + [("ubl", name) for name in ("ubl-tc434-example2.xml", "ubl-tc434-example4.xml")]
    + [("ubl", name) for name in ("ubl-tc434-example5.xml", "ubl-tc434-example8.xml")],
)
def test_the_official_examples_are_no_french_flow_and_meet_no_french_rule(
    interop: Path, syntax: str, name: str
):
    report = en16931.validate((interop / "en16931" / "examples" / syntax / name).read_bytes())
    assert (report.valid, _french_rules(report)) == (True, [])


@pytest.mark.interop
def test_an_official_example_made_french_needs_the_seller_siren_and_french_rates(interop: Path):
    tree = etree.fromstring((interop / "en16931" / "examples" / "cii" / "CII_example1.xml").read_bytes())
    seller = tree.find(f".//{RAM}SellerTradeParty")
    seller.find(f"{RAM}PostalTradeAddress/{RAM}CountryID").text = "FR"
    report = en16931.validate(etree.tostring(tree))
    # And its Dutch VAT rates (21 %, 6 %: 22 of them) are no French ones.
    assert report.rules == ["BR-FR-10"] + ["BR-FR-16"] * 22
    assert str(report.fatal[0]) == (
        "[BR-FR-10] The seller's SIREN (BT-30, legal registration identifier with scheme 0002) is "
        f"mandatory and has exactly 9 digits; found none. ({CII_SELLER})"
    )


@pytest.mark.parametrize("build", [cii.build, ubl.build])
@pytest.mark.parametrize("type_code", [TypeCode.INVOICE, TypeCode.CORRECTIVE, TypeCode.CREDIT_NOTE])
def test_a_complete_french_document_passes_with_only_the_electronic_address_warnings(build, type_code):
    changes: dict[str, object] = {"type_code": type_code}
    if type_code != TypeCode.INVOICE:
        changes.update(preceding_invoice="INV-0", preceding_invoice_date=date(2026, 12, 1))
    report = en16931.validate(build(french_invoice(**changes), minor=MINOR))
    # The directory's electronic addresses (BT-49, BT-34) are not in our data: warnings only.
    assert (report.valid, _french_rules(report)) == (True, [("BR-FR-12", "warning"), ("BR-FR-13", "warning")])


@pytest.mark.parametrize(
    ("build", "location"),
    [
        (cii.build, CII_SELLER),
        (ubl.build, "/Invoice[1]/AccountingSupplierParty[1]/Party[1]"),
    ],
)
def test_a_french_invoice_without_the_seller_siren_is_refused_by_br_fr_10(build, location):
    invoice = french_invoice()
    xml = build(french_invoice(seller=dataclasses.replace(invoice.seller, siren="", siret="")), minor=MINOR)
    with pytest.raises(en16931.InvalidInvoice) as refused:
        en16931.check(xml)
    # EN 16931 is satisfied (the VAT number identifies the seller); the French rule is not.
    assert refused.value.report.rules == ["BR-FR-10"]
    assert refused.value.report.fatal[0].location == location


def test_a_seller_siren_of_fourteen_digits_is_refused_where_it_stands():
    invoice = french_invoice()
    xml = cii.build(
        french_invoice(seller=dataclasses.replace(invoice.seller, siren="73282930400011")), minor=MINOR
    )
    report = en16931.validate(xml)
    # Also no longer the start of its SIRET.
    assert report.rules == ["BR-FR-09", "BR-FR-10"]
    assert report.fatal[1].location == f"{CII_SELLER}/SpecifiedLegalOrganization[1]/ID[1]"
    assert "found 73282930400011" in report.fatal[1].message


@pytest.mark.parametrize(
    ("build", "location"),
    [
        (cii.build, f"{CII_SELLER}/GlobalID[1]"),
        (ubl.build, "/Invoice[1]/AccountingSupplierParty[1]/Party[1]/PartyIdentification[1]/ID[1]"),
    ],
)
def test_a_siret_that_is_not_of_the_siren_is_refused_by_br_fr_09(build, location):
    invoice = french_invoice()
    xml = build(
        french_invoice(seller=dataclasses.replace(invoice.seller, siret="55210055400013")), minor=MINOR
    )
    report = en16931.validate(xml)
    assert report.rules == ["BR-FR-09"]
    assert str(report.fatal[0]) == (
        "[BR-FR-09] The seller's SIRET (BT-29, scheme 0009) '55210055400013' must have 14 digits and start "
        f"with the seller's SIREN (BT-30, scheme 0002) '732829304'. ({location})"
    )


def test_a_buyer_siret_without_its_siren_is_refused_by_br_fr_09():
    invoice = french_invoice()
    xml = ubl.build(
        french_invoice(buyer=dataclasses.replace(invoice.buyer, siren="", siret="73282932000074")),
        minor=MINOR,
    )
    assert en16931.validate(xml).rules == ["BR-FR-09"]


@pytest.mark.parametrize(
    ("build", "find", "location"),
    [
        (cii.build, f".//{RAM}TypeCode", "/CrossIndustryInvoice[1]/ExchangedDocument[1]/TypeCode[1]"),
        (ubl.build, f"{CBC}InvoiceTypeCode", "/Invoice[1]/InvoiceTypeCode[1]"),
    ],
)
def test_a_type_code_outside_the_french_list_is_refused_by_br_fr_04(build, find, location):
    tree = etree.fromstring(build(french_invoice(), minor=MINOR))
    tree.find(find).text = "326"  # a partial invoice: an EN 16931 type, not a French one
    report = en16931.validate(etree.tostring(tree))
    assert report.rules == ["BR-FR-04"]
    assert report.fatal[0].location == location
    assert report.fatal[0].message.startswith("The document type code (BT-3) '326' is not allowed in France")


@pytest.mark.parametrize("build", [cii.build, ubl.build])
def test_a_b2b_flow_needs_the_buyer_siren_br_fr_11(build):
    invoice = french_invoice()
    b2b = (*invoice.notes, ("BAR", "B2B"))
    assert en16931.validate(build(french_invoice(notes=b2b), minor=MINOR)).rules == []
    anonymous = dataclasses.replace(invoice.buyer, siren="")
    assert en16931.validate(build(french_invoice(notes=b2b, buyer=anonymous), minor=MINOR)).rules == [
        "BR-FR-11"
    ]
    # Without the BAR note the buyer's SIREN is not required; a BAR note must say a known flow.
    assert en16931.validate(build(french_invoice(buyer=anonymous), minor=MINOR)).rules == []
    unknown = (*invoice.notes, ("BAR", "B2G"))
    assert en16931.validate(build(french_invoice(notes=unknown), minor=MINOR)).rules == ["BR-FR-20"]


@pytest.mark.parametrize("build", [cii.build, ubl.build])
def test_a_credit_note_names_the_invoice_it_credits_with_its_date_br_fr_co_05(build):
    credit = french_invoice(type_code=TypeCode.CREDIT_NOTE, preceding_invoice="INV-0")
    report = en16931.validate(build(credit, minor=MINOR))
    assert report.rules == ["BR-FR-CO-05"]
    assert en16931.validate(build(french_invoice(type_code=TypeCode.CREDIT_NOTE), minor=MINOR)).rules == [
        "BR-FR-CO-05"
    ]
    dated = dataclasses.replace(credit, preceding_invoice_date=date(2026, 12, 1))
    assert en16931.validate(build(dated, minor=MINOR)).rules == []


@pytest.mark.parametrize("build", [cii.build, ubl.build])
def test_a_corrective_invoice_without_the_invoice_it_corrects_is_refused_by_br_fr_co_04(build):
    assert en16931.validate(build(french_invoice(type_code=TypeCode.CORRECTIVE), minor=MINOR)).rules == [
        "BR-FR-CO-04"
    ]


@pytest.mark.parametrize("build", [cii.build, ubl.build])
def test_a_vat_rate_that_is_not_french_is_refused_by_br_fr_16(build):
    invoice = french_invoice()
    line = dataclasses.replace(invoice.lines[0], vat_rate=Decimal(19))
    charge = dataclasses.replace(invoice.charges[0], vat_rate=Decimal(19))
    report = en16931.validate(build(french_invoice(lines=(line,), charges=(charge,)), minor=MINOR))
    # The line's, the charge's and the breakdown's rate.
    assert report.rules == ["BR-FR-16", "BR-FR-16", "BR-FR-16"]
    assert {f.message for f in report.fatal} == {
        "The VAT rate '19' is not a French VAT rate (a percentage without the % sign)."
    }


def test_missing_legal_notes_are_warnings_of_br_fr_05():
    report = en16931.validate(cii.build(french_invoice(notes=()), minor=MINOR))
    assert report.valid
    assert [f.message for f in report.warnings if f.rule == "BR-FR-05"] == [
        "The note (BT-22) with subject PMT (the fixed recovery fee) is a mandatory mention in France.",
        "The note (BT-22) with subject PMD (the late-payment penalties) is a mandatory mention in France.",
        "The note (BT-22) with subject AAB (the early-payment discount or its absence) is a mandatory "
        "mention in France.",
    ]


def test_a_seller_abroad_without_siren_is_no_french_flow_even_for_a_french_buyer():
    invoice = french_invoice()
    abroad = dataclasses.replace(
        invoice.seller,
        address=Address("Hauptstraße 1", "10115", "Berlin", "DE"),
        siren="",
        siret="",
        vat_number="DE136695976",
    )
    report = en16931.validate(cii.build(french_invoice(seller=abroad), minor=MINOR))
    assert (report.valid, _french_rules(report)) == (True, [])
