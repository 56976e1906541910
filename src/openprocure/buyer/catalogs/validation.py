"""The checks every catalog row passes before its version may be published, whatever the format.

:func:`check_row` turns a :class:`~openprocure.buyer.catalogs.formats.Row` into the values of a
catalog item, or the list of what is wrong with it (each a problem code, the file's field name and
the value as written): required fields, UNSPSC codes, prices above zero (or a PunchOut-enabled item,
whose price comes from the supplier's site), ISO 4217 currencies (``core.reference``), UN/ECE
Recommendation 20 units, lead times in days. :func:`check_price_row` checks a row of a price update
(its part, price, currency and quantity tiers only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openprocure.buyer.catalogs.choices import Problem
from openprocure.buyer.catalogs.formats import Row
from openprocure.buyer.requisitions.limits import MAX_UNIT_PRICE
from openprocure.core import reference

#: Longest text each item column holds (the model's max_length); longer values are refused.
MAX_LENGTHS = {
    "supplier_part_id": 200,
    "supplier_part_auxiliary_id": 200,
    "short_name": 200,
    "manufacturer_name": 200,
    "manufacturer_part_id": 200,
    "supplier_url": 1000,
}


@dataclass
class Checked:
    """A row's item values when it passed, else its problems as (code, field name, value)."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str, str]] = field(default_factory=list)


def _price(text: str) -> Decimal | None:
    try:
        price = Decimal(text)
    except InvalidOperation:
        return None
    if not price.is_finite() or price.as_tuple().exponent < -4 or abs(price) >= MAX_UNIT_PRICE:  # type: ignore[operator]  # finite: the exponent is an int
        return None
    return price


def _tiers(row: Row, problem: Any) -> list[list[str]]:
    """The row's quantity tiers as stored (``[["10", "4.5000"], ...]``, empty when it has none); each
    bad one is a problem."""
    tiers = []
    for bound, text in row.tiers:
        price = _price(text)
        if price is None or price <= 0:
            problem(Problem.PRICE, "unit_price", f"{text} (LOWER_BOUND {bound})")
        else:
            tiers.append([bound, format(price.quantize(Decimal("0.0001")), "f")])
    return tiers


def check_price_row(row: Row, *, default_currency: str) -> Checked:
    """A row of a price update: its part, its price above zero in an ISO 4217 currency and its
    tiers; the rest of the item is the version in force's."""
    checked = Checked()
    problems = checked.problems

    def problem(code: str, attribute: str, value: str = "") -> None:
        problems.append((code, row.name(attribute), value[:200]))

    for where, what in row.errors:
        problems.append((Problem.FORMAT, where[:100], what[:200]))
    if not row.supplier_part_id:
        problem(Problem.REQUIRED, "supplier_part_id")
    price = _price(row.unit_price) if row.unit_price else None
    if not row.unit_price:
        problem(Problem.REQUIRED, "unit_price")
    elif price is None:
        problem(Problem.PRICE, "unit_price", row.unit_price)
    elif price <= 0:
        problem(Problem.PRICE_NOT_POSITIVE, "unit_price", row.unit_price)
    currency = reference.normalize_code(row.currency or default_currency)
    if not currency:
        problems.append((Problem.NO_CURRENCY, "", ""))
    elif not reference.is_currency(currency):
        problem(Problem.CURRENCY, "currency" if row.currency else "CURRENCY", currency)
    tiers = _tiers(row, problem)
    if not problems:
        checked.values = {"unit_price": price, "currency": currency, "price_tiers": tiers or None}
    return checked


def check_row(
    row: Row, *, default_currency: str, full_load: bool, duns: str = "", unspsc_required: bool = True
) -> Checked:
    """The item of ``row`` or why it cannot be one; ``duns`` is the supplier's D-U-N-S number when the
    file says its Supplier IDs are D-U-N-S numbers (each row must then carry it)."""
    checked = Checked()
    problems = checked.problems

    def problem(code: str, attribute: str, value: str = "") -> None:
        problems.append((code, row.name(attribute), value[:200]))

    for where, what in row.errors:
        problems.append((Problem.FORMAT, where[:100], what[:200]))
    for attribute, limit in MAX_LENGTHS.items():
        if len(getattr(row, attribute)) > limit:
            problem(Problem.TOO_LONG, attribute, str(limit))
    if not row.supplier_part_id:
        problem(Problem.REQUIRED, "supplier_part_id")
    if row.delete:
        if full_load:
            problem(Problem.DELETE_IN_FULL_LOAD, "delete")
        checked.values = {"delete": True}
        return checked
    if not row.description:
        problem(Problem.REQUIRED, "description")
    if duns and row.supplier_id and row.supplier_id.lstrip("0") != duns.lstrip("0"):
        problem(Problem.SUPPLIER_ID, "supplier_id", row.supplier_id)
    unspsc = row.unspsc
    if not unspsc:
        if unspsc_required:
            problem(Problem.REQUIRED, "unspsc")
    elif not (unspsc.isascii() and unspsc.isdigit() and len(unspsc) in (8, 10)):
        problem(Problem.UNSPSC, "unspsc", unspsc)
    price: Decimal | None = None
    if row.unit_price:
        price = _price(row.unit_price)
        if price is None:
            problem(Problem.PRICE, "unit_price", row.unit_price)
        elif price <= 0 and not row.punchout_enabled:
            problem(Problem.PRICE_NOT_POSITIVE, "unit_price", row.unit_price)
        elif price <= 0:
            price = None  # a PunchOut item's price comes from the supplier's site
    elif not row.punchout_enabled:
        problem(Problem.REQUIRED, "unit_price")
    currency = reference.normalize_code(row.currency or default_currency)
    if price is not None:
        if not currency:
            problems.append((Problem.NO_CURRENCY, "", ""))
        elif not reference.is_currency(currency):
            problem(Problem.CURRENCY, "currency" if row.currency else "CURRENCY", currency)
    unit = row.unit_of_measure.strip().upper()
    if not unit:
        if not row.punchout_enabled:
            problem(Problem.REQUIRED, "unit_of_measure")
    elif not reference.is_unit(unit):
        problem(Problem.UNIT, "unit_of_measure", row.unit_of_measure)
    tiers = _tiers(row, problem)
    lead_time: int | None = None
    if row.lead_time:
        if row.lead_time.isascii() and row.lead_time.isdigit() and len(row.lead_time) <= 5:
            lead_time = int(row.lead_time)
        else:
            problem(Problem.LEAD_TIME, "lead_time", row.lead_time)
    if problems:
        return checked
    checked.values = {
        "line": row.line,
        "supplier_part_id": row.supplier_part_id,
        "supplier_part_auxiliary_id": row.supplier_part_auxiliary_id,
        "description": row.description,
        "short_name": row.short_name,
        "unspsc": unspsc,
        "unit_price": price,
        "currency": currency if price is not None or row.currency or default_currency else "",
        "unit_of_measure": unit,
        "lead_time_days": lead_time,
        "manufacturer_name": row.manufacturer_name,
        "manufacturer_part_id": row.manufacturer_part_id,
        "supplier_url": row.supplier_url,
        "punchout_enabled": row.punchout_enabled,
        "price_tiers": tiers if price is not None and tiers else None,
    }
    return checked
