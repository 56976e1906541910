"""ISO reference data: which codes are currencies and countries, and how many decimals a currency has."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from openprocure.core import reference
from openprocure.core.reference import CountryField, CurrencyField
from punchout import money


@pytest.mark.parametrize(
    ("code", "decimals"),
    [
        pytest.param("EUR", 2, id="EUR"),
        pytest.param("USD", 2, id="USD"),
        pytest.param("JPY", 0, id="JPY"),
        pytest.param("KRW", 0, id="KRW"),
        pytest.param("KWD", 3, id="KWD"),
        pytest.param("TND", 3, id="TND"),
        pytest.param("CLF", 4, id="CLF"),
    ],
)
def test_currencies_have_their_iso_minor_units(code: str, decimals: int) -> None:
    assert reference.is_currency(code) is True
    assert reference.minor_units(code) == decimals
    reference.validate_currency(code)


@pytest.mark.parametrize("code", ["ABC", "EURO", "eur", "", "XAU", "XXX", "DEM"])
def test_three_letters_are_not_a_currency(code: str) -> None:
    assert reference.is_currency(code) is False
    with pytest.raises(ValidationError) as refused:
        reference.validate_currency(code)
    assert refused.value.messages == [
        f"{code} is not an ISO 4217 currency code: write it as three letters such as EUR, USD or JPY."
    ]


@pytest.mark.parametrize("code", ["FR", "DE", "US", "GB", "JP", "KW", "CH"])
def test_countries_are_iso_3166(code: str) -> None:
    assert reference.is_country(code) is True
    reference.validate_country(code)


@pytest.mark.parametrize("code", ["XX", "EU", "UK", "FRA", "fr", ""])
def test_two_letters_are_not_a_country(code: str) -> None:
    assert reference.is_country(code) is False
    with pytest.raises(ValidationError):
        reference.validate_country(code)


def test_form_fields_normalise_then_check() -> None:
    assert CurrencyField().clean(" eur ") == "EUR"
    assert CountryField().clean("fr") == "FR"
    with pytest.raises(ValidationError) as refused:
        CurrencyField().clean("abc")
    assert refused.value.messages == [
        "ABC is not an ISO 4217 currency code: write it as three letters such as EUR, USD or JPY."
    ]
    with pytest.raises(ValidationError) as refused:
        CountryField().clean("xx")
    assert refused.value.messages == [
        "XX is not an ISO 3166 country code: write it as two letters such as FR, DE or US."
    ]


def test_the_protocol_core_rounds_every_currency_as_iso_says() -> None:
    """``punchout`` keeps its own table (it reads old codes partners still send); where both know a
    currency, the decimals agree, so a page and a cXML document round alike."""
    disagree = {
        code: (reference.minor_units(code), money.minor_units(code))
        for code, _label in reference.currency_choices()
        if reference.minor_units(code) != money.minor_units(code)
    }
    assert disagree == {}


def test_one_exchange_rate_table_serves_every_pair(settings) -> None:
    settings.EXCHANGE_RATES = {"EUR": "1", "USD": "0.92", "GBP": "1.15"}
    assert reference.exchange_rate("USD", "EUR") == Decimal("0.92")
    assert reference.exchange_rate("EUR", "EUR") == Decimal(1)
    assert reference.exchange_rate("EUR", "USD") == Decimal(1) / Decimal("0.92")
    assert reference.exchange_rate("USD", "GBP") == Decimal("0.8")
    # A currency the table lacks is never guessed.
    assert reference.exchange_rate("JPY", "EUR") is None
    assert reference.exchange_rate("EUR", "JPY") is None
