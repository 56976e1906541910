"""The EN 16931 semantic model of one invoice, as far as the documents we issue need it: plain data,
written as CII by ``cii.py`` and as UBL by ``ubl.py``. Amounts are in the currency's minor units,
positive for an invoice and for a credit note alike (the type code says which)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lxml import etree

from punchout.amounts import round_to
from punchout.money import stated_unit_price


class TypeCode(enum.StrEnum):
    """UNTDID 1001 document types used in France: invoice, credit note, corrective invoice."""

    INVOICE = "380"
    CREDIT_NOTE = "381"
    CORRECTIVE = "384"


class Operation(enum.StrEnum):
    """The French category of operation (cadre de facturation): goods, services or both."""

    GOODS = "B1"
    SERVICES = "S1"
    MIXED = "M1"


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str
    country: str


@dataclass(frozen=True)
class Party:
    """Seller or buyer: name, postal address, SIREN (legal registration, BT-30/BT-47), SIRET
    (BT-29/BT-46, scheme 0009) and VAT number (BT-31/BT-48), each empty when unknown."""

    name: str
    address: Address
    siren: str = ""
    siret: str = ""
    vat_number: str = ""


@dataclass(frozen=True)
class Line:
    """One invoice line; ``net_price`` is its unit price, whatever zeros it carries: the writers state
    it in the invoice currency's form (``price_text``)."""

    line_id: str
    order_line_id: str
    item_id: str
    name: str
    quantity: Decimal
    unit_code: str
    net_price: Decimal
    net_amount: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class Charge:
    """A document-level charge (shipping), with its VAT rate."""

    reason: str
    amount: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class VatBreakdown:
    rate: Decimal
    basis: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    number: str
    type_code: TypeCode
    issue_date: date
    currency: str
    seller: Party
    buyer: Party
    buyer_reference: str
    order_reference: str
    operation: Operation
    payment_terms: str
    lines: tuple[Line, ...]
    charges: tuple[Charge, ...] = ()
    delivery_name: str = ""
    delivery_address: Address | None = None
    delivery_date: date | None = None
    preceding_invoice: str = ""
    #: The issue date of ``preceding_invoice`` (BT-26), which French credit notes (BR-FR-CO-05) and
    #: corrective invoices give.
    preceding_invoice_date: date | None = None
    #: The seller opted to pay VAT on debits (French "option pour le paiement de la taxe d'après les
    #: débits"): VAT is due when the invoice is issued (BT-8, UNTDID 2005 code 3 / CII 5).
    vat_on_debits: bool = False
    notes: tuple[tuple[str, str], ...] = field(default=())  # (UNTDID 4451 subject code, text)
    #: The VAT of each rate as the seller's records hold it, ``(rate, amount)``: the sum of its lines'
    #: and charges' VAT, each rounded (as the seller's cXML invoice states it). A rate not given is
    #: computed on its basis. EN 16931 accepts a category's VAT within one unit of its basis × rate
    #: (BR-S-09, BR-CO-17), so the e-invoice and the seller's records state the same total.
    vat_amounts: tuple[tuple[Decimal, Decimal], ...] = ()

    @property
    def line_total(self) -> Decimal:
        return sum((line.net_amount for line in self.lines), Decimal(0))

    @property
    def charge_total(self) -> Decimal:
        return sum((charge.amount for charge in self.charges), Decimal(0))

    @property
    def tax_basis(self) -> Decimal:
        return self.line_total + self.charge_total

    def vat_breakdown(self, minor: Decimal) -> list[VatBreakdown]:
        """One breakdown per VAT rate (standard rate, category S): the basis is the sum of its lines
        and charges (EN 16931 BR-S-08); the VAT is the one :attr:`vat_amounts` gives for the rate,
        else the basis × rate rounded half up to ``minor`` (BR-S-09)."""
        bases: dict[Decimal, Decimal] = {}
        for line in self.lines:
            bases[line.vat_rate] = bases.get(line.vat_rate, Decimal(0)) + line.net_amount
        for charge in self.charges:
            bases[charge.vat_rate] = bases.get(charge.vat_rate, Decimal(0)) + charge.amount
        stated = dict(self.vat_amounts)
        return [
            VatBreakdown(rate, basis, round_to(stated.get(rate, basis * rate / 100), minor))
            for rate, basis in sorted(bases.items())
        ]

    def tax_total(self, minor: Decimal) -> Decimal:
        return sum((b.amount for b in self.vat_breakdown(minor)), Decimal(0))

    def grand_total(self, minor: Decimal) -> Decimal:
        return self.tax_basis + self.tax_total(minor)


def sub_element(
    namespaces: Mapping[str, str], parent: etree._Element, tag: str, text: str | None, attrs: dict[str, str]
) -> etree._Element:
    """A child of ``parent`` named ``prefix:name`` (the prefix looked up in ``namespaces``), with
    ``text`` and ``attrs``: how the CII and UBL writers add each element."""
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{namespaces[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def decimal_text(value: Decimal) -> str:
    """A decimal as XML Schema writes one: no exponent, no trailing zeros (``20``, ``5.2``, ``0.1234``)."""
    text = format(value.normalize(), "f")
    return text


def price_text(value: Decimal, currency: str) -> str:
    """A line's net price (BT-146) as every document we send states a unit price: the currency's
    minor units, more only for the decimals that count, up to four (``12.50``, ``1250``, ``0.0125``)."""
    return format(stated_unit_price(value, currency), "f")
