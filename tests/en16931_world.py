"""EN 16931 invoices of ours as plain data (``core.en16931.model``), for the tests of both sites'
writers, validation and intake."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from openprocure.core.en16931.model import Address, Charge, Invoice, Line, Operation, Party, TypeCode


def french_invoice(**changes: object) -> Invoice:
    """A French invoice of ours: seller and buyer in France with SIREN, SIRET and VAT number, the
    PMT, PMD and AAB notes."""
    seller = Party(
        "OpenProcure Store SAS",
        Address("12 rue des Acheteurs", "75002", "Paris", "FR"),
        siren="732829304",
        siret="73282930400011",
        vat_number="FR93732829304",
    )
    buyer = Party("Acme Industries", Address("1 rue de la Paix", "75002", "Paris", "FR"), siren="732829320")
    line = Line(
        "1", "3", "B000PAPER1", "Copy paper", Decimal(3), "XPK", Decimal("5.2"), Decimal("15.60"), Decimal(20)
    )
    invoice = Invoice(
        number="INV-1",
        type_code=TypeCode.INVOICE,
        issue_date=date(2026, 12, 7),
        currency="EUR",
        seller=seller,
        buyer=buyer,
        buyer_reference="PO-1",
        order_reference="PO-1",
        operation=Operation.GOODS,
        payment_terms="Paiement à réception",
        lines=(line,),
        charges=(Charge("Frais de port", Decimal("4.99"), Decimal(20)),),
        notes=(
            ("PMT", "Indemnité forfaitaire pour frais de recouvrement : 40 EUR."),
            ("PMD", "Pénalités de retard : trois fois le taux d'intérêt légal."),
            ("AAB", "Pas d'escompte pour paiement anticipé."),
        ),
    )
    return dataclasses.replace(invoice, **changes)  # type: ignore[arg-type]
