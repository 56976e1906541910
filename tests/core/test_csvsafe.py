"""CSV cells never start a formula: :func:`openprocure.core.csvsafe.safe_cell`."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from openprocure.core.csvsafe import safe_cell, safe_row


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("https://attacker.test","Pay")', '\'=HYPERLINK("https://attacker.test","Pay")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("INV-2026-001", "INV-2026-001"),
        ("a=b", "a=b"),
        ("", ""),
        ("-12.50", "-12.50"),
        ("+7", "+7"),
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
        (None, None),
    ],
)
def test_formula_starts_are_neutralised_and_numbers_kept(value, cell):
    assert safe_cell(value) == cell


def test_a_written_row_opens_as_text():
    out = io.StringIO()
    csv.writer(out).writerow(safe_row(["=1+1", Decimal("-4.20"), "Acme"]))
    assert out.getvalue() == "'=1+1,-4.20,Acme\r\n"
