"""Units of measure as invoices and orders spell them: UN/ECE Recommendation 20 codes on EN 16931
invoices (BT-130), and the cXML ``UnitOfMeasure`` of our order lines (Recommendation 20 too, but
partners also write Recommendation 21 package codes without their ``X``, or ``EA`` for a piece).

:func:`order_unit` reads an invoice's unit as the order's: two spellings of the same unit match.
"""

from __future__ import annotations

#: Codes that name the same unit, by the code we compare on.
_SAME: dict[str, str] = {
    "C62": "EA",  # one (unit)
    "H87": "EA",  # piece
    "EA": "EA",  # each
    "XPK": "PK",
    "XBX": "BX",
    "XRO": "RO",
    "XCT": "CT",
    "XBG": "BG",
    "XPA": "PA",
    "XBO": "BO",
    "XCS": "CS",
    "XDZ": "DZN",
    "DZ": "DZN",
    "KGM": "KGM",
    "KG": "KGM",
    "LTR": "LTR",
    "MTR": "MTR",
    "HUR": "HUR",
    "DAY": "DAY",
}


def canonical(unit: str) -> str:
    """The unit as compared: upper case, one spelling for each unit known to have several."""
    code = unit.strip().upper()
    return _SAME.get(code, code)


def order_unit(invoice_unit: str, ordered_unit: str) -> bool | None:
    """Whether an invoice line's unit is the order line's (``None`` when either is not stated)."""
    if not invoice_unit.strip() or not ordered_unit.strip():
        return None
    return canonical(invoice_unit) == canonical(ordered_unit)
