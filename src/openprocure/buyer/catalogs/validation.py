"""The checks every catalog row passes before its version may be published, whatever the format.

:func:`check_row` turns a :class:`~openprocure.buyer.catalogs.formats.Row` into the values of a
catalog item, or the list of what is wrong with it (each a problem code, the file's field name and
the value as written): required fields, UNSPSC codes, prices above zero (or a PunchOut-enabled item,
whose price comes from the supplier's site), ISO 4217 currencies (``core.reference``), UN/ECE
Recommendation 20 units, lead times in days. :func:`check_price_row` checks a row of a price update
(its part, price, currency and quantity tiers only).

A BMEcat price is for ``PRICE_QUANTITY`` order units: the unit price stored is the amount divided by
it, exact to 4 decimals (``AMOUNT_DECIMALS``) or rounded with a warning (kept in ``Checked.warnings``;
the row is not refused). Dated prices are checked one validity at a time; the item's ``unit_price``
and tiers are then those listed on the day of the check (``dated_prices.listed_on``, the rule the
daily update follows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from openprocure.buyer.catalogs.choices import Problem
from openprocure.buyer.catalogs.dated_prices import listed_on
from openprocure.buyer.catalogs.formats import Row
from openprocure.buyer.requisitions.limits import MAX_UNIT_PRICE
from openprocure.core import reference
from openprocure.core.fields import AMOUNT_DECIMALS

_TEN_THOUSANDTH = Decimal(1).scaleb(-AMOUNT_DECIMALS)

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
    """The check of ``row``: its item values when it passed, else its problems as (code, field name,
    value); its warnings (same form) do not refuse it."""

    row: Row
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)

    @classmethod
    def begin(cls, row: Row) -> Checked:
        """The check of ``row`` begun: the errors its format's reader found are its first problems."""
        checked = cls(row)
        for where, what in row.errors:
            checked.problems.append((Problem.FORMAT, where[:100], what[:200]))
        return checked

    def problem(self, code: str, attribute: str, value: str = "") -> None:
        """A problem with the row's ``attribute`` (named as its file names it)."""
        self.problems.append((code, self.row.name(attribute), value[:200]))

    def check_currency(self, currency: str) -> None:
        """A problem when a priced row has no currency (neither its own nor the file's default) or
        one that is not ISO 4217."""
        if not currency:
            self.problems.append((Problem.NO_CURRENCY, "", ""))
        elif not reference.is_currency(currency):
            self.problem(Problem.CURRENCY, "currency" if self.row.currency else "CURRENCY", currency)


def _price(text: str) -> Decimal | None:
    try:
        price = Decimal(text)
    except InvalidOperation:
        return None
    if not price.is_finite() or price.as_tuple().exponent < -4 or abs(price) >= MAX_UNIT_PRICE:  # type: ignore[operator]  # finite: the exponent is an int
        return None
    return price


class _Pricing:
    """Turns a row's amounts into unit prices: divided by its price quantity (``quantity``; None
    for a format that has none, whose prices must then be exact to 4 decimals as written)."""

    def __init__(self, row: Row, checked: Checked, quantity: Decimal | None) -> None:
        self.row, self.checked, self.quantity = row, checked, quantity

    def unit_price(self, text: str) -> Decimal | None:
        """The price of one order unit, or None when ``text`` is not a price."""
        if self.quantity is None:
            return _price(text)
        try:
            exact = Decimal(text) / self.quantity
        except InvalidOperation:
            return None
        if not exact.is_finite() or abs(exact) >= MAX_UNIT_PRICE:
            return None
        price = exact.quantize(_TEN_THOUSANDTH)
        if price != exact:
            shown = text if self.quantity == 1 else f"{text} / {format(self.quantity, 'f')}"
            self.checked.warnings.append(
                (Problem.PRICE_ROUNDED, self.row.name("unit_price"), f"{shown} → {format(price, 'f')}")
            )
        return price

    def tiers(self, tiers: list[tuple[str, str]]) -> list[list[str]]:
        """Quantity tiers as stored (``[["10", "4.5000"], ...]``, empty when none); each bad one is
        a problem."""
        stored = []
        for bound, text in tiers:
            price = self.unit_price(text)
            if price is None or price <= 0:
                self.checked.problem(Problem.PRICE, "unit_price", f"{text} (LOWER_BOUND {bound})")
            else:
                stored.append([bound, format(price.quantize(_TEN_THOUSANDTH), "f")])
        return stored

    def periods(self, today: date) -> tuple[Decimal | None, list[list[str]], list[dict[str, Any]]]:
        """The row's dated prices as stored, with the first-tier price and tiers listed on ``today``
        (``dated_prices.listed_on``: the one in force, else the next to come, else the last to end)."""
        row = self.row
        periods: list[dict[str, Any]] = []
        for period in row.periods:
            if period.valid_from and period.valid_until and period.valid_until < period.valid_from:
                self.checked.problem(
                    Problem.PRICE_DATES, "periods", f"{period.valid_from} – {period.valid_until}"
                )
            price = self.unit_price(period.unit_price)
            if price is None:
                self.checked.problem(Problem.PRICE, "unit_price", period.unit_price)
            elif price <= 0:
                self.checked.problem(Problem.PRICE_NOT_POSITIVE, "unit_price", period.unit_price)
            tiers = self.tiers(period.tiers)
            periods.append(
                {
                    "from": period.valid_from or None,
                    "until": period.valid_until or None,
                    "price": format(price, "f") if price is not None else "",
                    "tiers": tiers,
                }
            )
        listed = listed_on(periods, today)
        return listed.unit_price, listed.tiers, periods


def _quantity(row: Row, checked: Checked, default: Decimal | None) -> Decimal | None:
    """The row's price quantity (``default`` when it says none); a problem when it is not above zero."""
    if not row.price_quantity:
        return default
    try:
        quantity = Decimal(row.price_quantity)
    except InvalidOperation:
        quantity = Decimal(0)
    if not quantity.is_finite() or quantity <= 0:
        checked.problem(Problem.PRICE, "price_quantity", row.price_quantity)
        return None
    return quantity


def check_price_row(
    row: Row, *, default_currency: str, price_quantity: Decimal | None = None, today: date | None = None
) -> Checked:
    """A row of a price update: its part, its price above zero in an ISO 4217 currency and its
    tiers (for the item in force's ``price_quantity``, 1 when None); the rest of the item is the
    version in force's."""
    checked = Checked.begin(row)
    problems, problem = checked.problems, checked.problem
    if not row.supplier_part_id:
        problem(Problem.REQUIRED, "supplier_part_id")
    pricing = _Pricing(row, checked, _quantity(row, checked, price_quantity or Decimal(1)))
    periods = None
    if row.periods:
        price, tiers, periods = pricing.periods(today or timezone.localdate())
    else:
        price = pricing.unit_price(row.unit_price) if row.unit_price else None
        if not row.unit_price:
            problem(Problem.REQUIRED, "unit_price")
        elif price is None:
            problem(Problem.PRICE, "unit_price", row.unit_price)
        elif price <= 0:
            problem(Problem.PRICE_NOT_POSITIVE, "unit_price", row.unit_price)
        tiers = pricing.tiers(row.tiers)
    currency = reference.normalize_code(row.currency or default_currency)
    checked.check_currency(currency)
    if not problems:
        checked.values = {
            "unit_price": price,
            "currency": currency,
            "price_tiers": tiers or None,
            "price_periods": periods,
        }
    return checked


def check_row(
    row: Row,
    *,
    default_currency: str,
    full_load: bool,
    duns: str = "",
    unspsc_required: bool = True,
    today: date | None = None,
) -> Checked:
    """The item of ``row`` or why it cannot be one; ``duns`` is the supplier's D-U-N-S number when the
    file says its Supplier IDs are D-U-N-S numbers (each row must then carry it). ``today`` (the
    local date when None) chooses which of dated prices the item shows."""
    checked = Checked.begin(row)
    problems, problem = checked.problems, checked.problem
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
    pricing = _Pricing(row, checked, _quantity(row, checked, None))
    periods = None
    tiers: list[list[str]] = []
    if row.periods:
        price, tiers, periods = pricing.periods(today or timezone.localdate())
    elif row.unit_price:
        price = pricing.unit_price(row.unit_price)
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
        checked.check_currency(currency)
    unit = row.unit_of_measure.strip().upper()
    if not unit:
        if not row.punchout_enabled:
            problem(Problem.REQUIRED, "unit_of_measure")
    elif not reference.is_unit(unit):
        problem(Problem.UNIT, "unit_of_measure", row.unit_of_measure)
    if not row.periods:
        tiers = pricing.tiers(row.tiers)
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
        "price_periods": periods,
        "price_quantity": pricing.quantity if pricing.quantity not in (None, 1) else None,
    }
    return checked
