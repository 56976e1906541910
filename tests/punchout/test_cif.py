"""CIF 3.0: every sample of the interop corpus is read (or refused with the exact reason), a written
file reads back field by field, and what is not CIF 3.0 is refused naming the line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from punchout import cif

# sample -> (items, encoding, one item's fields checked exactly)
READ = {
    "Catalog1.cif": (
        4,
        "latin-1",
        3,
        {
            "Supplier ID": "195575006",
            "Supplier Part ID": "PAD",
            "Item Description": "KEY PAD TIME DELAY LOCK(PER DOOR)",
            "SPSC Code": "46000000",
            "Unit Price": "0",
            "Unit of Measure": "EA",
            "Manufacturer Name": "CORPORATE SAFE",
            "Currency": "USD",
            "Language": "en_US",
            "PunchOut Enabled": "",
        },
    ),
    "Catalog2.cif": (
        8,
        "latin-1",
        0,
        {"Item Description": 'THERMAL FLOW SWITCH, 1.2" U LENGTH', "Unit Price": "695", "Lead Time": "0"},
    ),
    "MinimalNumberOfFields.cif": (
        4,
        "utf-8",
        1,
        {
            "Supplier ID": "942888711",
            "Supplier Part ID": "101",
            "Manufacturer Part ID": "",
            "Item Description": "No. 2 Pencil",
            "SPSC Code": "1213377",
            "Unit Price": "1.50",
            "Unit of Measure": "DZN",
            "Market Price": "",
        },
    ),
    "MultinationalExample.cif": (
        3,
        "utf-8",
        1,
        {
            "Item Description": "Chaussures noires des hommes",
            "Unit Price": "119.95",
            "Unit of Measure": "PR",
            "Language": "fr_FR",
            "Currency": "FRF",
            "Supplier Part Auxiliary ID": "fr_FR",
        },
    ),
    "ParametricDataExample.cif": (
        2,
        "utf-8",
        0,
        {
            "Item Description": "Super Duper 33-MHz 286, 4MB RAM, 10MB, 14\u201d\u201d VGA color monitor",
            "Classification Codes": "{ACME=8BE100}",
            "Parametric Data": '{TYPE="IBM PC";SPEED="33 MHZ";}',
            "Parametric Name": "COMPUTERS",
            "Market Price": "1599.49",
        },
    ),
    "PunchOutCatalogExample.cif": (
        1,
        "utf-8",
        0,
        {
            "Supplier Part ID": "A2C-311F",
            "Unit Price": "",
            "Unit of Measure": "",
            "Supplier URL": "https://www.workchairs.com/configurator.asp",
            "PunchOut Enabled": "t",
        },
    ),
    "Using12RequiredFields.cif": (
        3,
        "utf-8",
        2,
        {
            "Supplier Part ID": "78A13",
            "Manufacturer URL": "http://www.mfg.com/C13/indepth.htm",
            "Market Price": "25.95",
        },
    ),
}
# Header-only fixtures: no DATA line, so no catalog.
REFUSED = {
    "ValidHeader.txt": "line 12: the file ends before the DATA line",
    "ValidCaseInsensitiveHeader.txt": "line 12: the file ends before the DATA line",
}


def test_the_corpus_is_what_this_test_knows(interop: Path) -> None:
    assert sorted(path.name for path in (interop / "cif/samples").iterdir()) == sorted([*READ, *REFUSED])


@pytest.mark.parametrize("name", sorted(READ))
def test_every_sample_is_read(interop: Path, name: str) -> None:
    count, encoding, index, fields = READ[name]
    with open(interop / "cif/samples" / name, "rb") as stream:
        catalog = cif.read(stream)
        items = list(catalog.items)
    assert len(items) == count
    assert catalog.header.encoding == encoding
    assert {key: items[index][key] for key in fields} == fields


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_header_only_samples_are_refused_with_the_reason(interop: Path, name: str) -> None:
    with open(interop / "cif/samples" / name, "rb") as stream, pytest.raises(cif.CIFError) as refused:
        cif.read(stream)
    assert str(refused.value) == REFUSED[name]


def test_header_keys_in_any_case_and_their_values(interop: Path) -> None:
    with open(interop / "cif/samples/ValidCaseInsensitiveHeader.txt", "rb") as stream:
        data = stream.read().replace(b"ITEMCOUNT:4\n", b"").replace(b"Enabled\n", b"Enabled\nDATA\nENDOFDATA")
    catalog = cif.read(io.BytesIO(data))
    assert list(catalog.items) == []
    assert catalog.header.get("currency") == "USD"
    assert catalog.header.get("CHARSET") == "8859_1"
    assert catalog.header.get("SUPPLIERID_DOMAIN") == "DUNS"
    assert catalog.header.fieldnames[:2] == ("Supplier ID", "Supplier Part ID")
    assert len(catalog.header.fieldnames) == 23


def test_a_written_file_reads_back_field_by_field() -> None:
    out = io.StringIO(newline="")
    writer = cif.Writer(
        out, fieldnames=(*cif.POSITIONAL_FIELDS, "Currency"), header={"LOADMODE": "F", "CURRENCY": "EUR"}
    )
    rows = [
        {
            "Supplier ID": "OP",
            "Supplier Part ID": "B01",
            "Item Description": 'Stapler, "heavy duty", 20 sheets',
        },
        {
            "Supplier ID": "OP",
            "Supplier Part ID": "B02",
            "Item Description": "Crème à récurer Ω",
            "Currency": "EUR",
        },
    ]
    for row in rows:
        writer.row(row)
    writer.close()
    text = out.getvalue()
    assert text.startswith("CIF_I_V3.0\r\nCHARSET: UTF-8\r\nLOADMODE: F\r\nCURRENCY: EUR\r\nFIELDNAMES: ")
    assert text.endswith("ENDOFDATA\r\n")
    catalog = cif.read(io.BytesIO(text.encode("utf-8")))
    items = list(catalog.items)
    assert [item["Item Description"] for item in items] == [
        'Stapler, "heavy duty", 20 sheets',
        "Crème à récurer Ω",
    ]
    assert items[1]["Currency"] == "EUR" and items[0]["Currency"] == ""
    with pytest.raises(ValueError, match=r"fields not in FIELDNAMES: \['Colour'\]"):
        writer.row({"Colour": "red"})


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"CIF_I_V2.1\nDATA\nENDOFDATA\n", "line 1: version '2.1' is not CIF 3.0"),
        (
            b"<?xml version='1.0'?>\n",
            "line 1: not a CIF file: the first line is \"<?xml version='1.0'?>\", not CIF_I_V3.0",
        ),
        (b"CIF_I_V3.0\nDATA\n1,2,,Pen,44121704,1.00,EA,,,,,\n", "line 3: the file ends without ENDOFDATA"),
        (
            b"CIF_I_V3.0\nDATA\n1,2,3,4,5,6,7,8,9,10,11,12,13\nENDOFDATA",
            "line 3: 13 fields, but the header names 12",
        ),
        (
            b"CIF_I_V3.0\nITEMCOUNT: 2\nDATA\n1,2\nENDOFDATA\n",
            "line 5: ITEMCOUNT says 2 items, the file has 1",
        ),
        (b"CIF_I_V3.0\nCHARSET: EBCDIC\nDATA\nENDOFDATA\n", "line 1: unknown CHARSET 'EBCDIC'"),
        (
            b"CIF_I_V3.0\nnot a header\nDATA\n",
            "line 2: expected a header line \u201cKEY: value\u201d or DATA, found 'not a header'",
        ),
    ],
)
def test_what_is_not_cif_3_is_refused_naming_the_line(data: bytes, reason: str) -> None:
    with pytest.raises(cif.CIFError) as refused:
        list(cif.read(io.BytesIO(data)).items)
    assert str(refused.value) == reason
