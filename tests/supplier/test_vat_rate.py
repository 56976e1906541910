"""The storefront's VAT rate is configuration (the ``VAT_RATE`` setting), not a constant in the code."""

from __future__ import annotations

from decimal import Decimal

from openprocure.supplier.punchout import pricing


def test_the_vat_rate_is_the_setting(settings) -> None:
    assert pricing.vat_rate() == Decimal("20")
    assert pricing.totals("EUR", [(Decimal(1), Decimal("10.00"))]).tax == Decimal("2.00")
    settings.VAT_RATE = Decimal("5.5")
    assert pricing.vat_rate() == Decimal("5.5")
    assert pricing.vat_text() == "VAT 5.5%"
    # 5.5 % of 10.00 is 0.55: every line of a new cart is taxed at the configured rate.
    assert pricing.totals("EUR", [(Decimal(1), Decimal("10.00"))]).tax == Decimal("0.55")
