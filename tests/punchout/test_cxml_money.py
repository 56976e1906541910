"""punchout.money: exact amounts, ISO 4217 minor units, and numbers real peers send."""

from __future__ import annotations

from decimal import Decimal

import pytest

from punchout.money import (
    CURRENCIES,
    InvalidNumber,
    Money,
    minor_units,
    parse_decimal,
    quantize_money,
    quantize_unit_price,
)


@pytest.mark.parametrize(
    ("currency", "units"),
    [
        ("JPY", 0),
        ("KRW", 0),
        ("USD", 2),
        ("EUR", 2),
        ("BHD", 3),
        ("KWD", 3),
        ("TND", 3),
        ("CLF", 4),
        ("eur", 2),
    ],
    ids=lambda v: str(v),
)
def test_minor_units(currency: str, units: int) -> None:
    assert minor_units(currency) == units


def test_unknown_currency_defaults_to_two_decimals() -> None:
    assert "ZZZ" not in CURRENCIES
    assert minor_units("ZZZ") == 2


def test_currency_table_covers_circulating_codes() -> None:
    for code in ("USD", "EUR", "GBP", "CHF", "CNY", "INR", "BRL", "MXN", "ZAR", "SEK", "XOF", "XCG", "ZWG"):
        assert code in CURRENCIES
    assert len(CURRENCIES) == 183


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("14.549999999999999", "USD", "14.55"),
        ("10.005", "EUR", "10.01"),
        ("1000.4", "JPY", "1000"),
        ("1000.5", "JPY", "1001"),
        ("1.2345", "KWD", "1.235"),
        ("-0.001", "USD", "0.00"),
        ("5", "USD", "5.00"),
    ],
)
def test_quantize_money(amount: str, currency: str, expected: str) -> None:
    result = quantize_money(Decimal(amount), currency)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.0125", "USD", "0.0125"),
        ("0.01234", "USD", "0.0123"),
        ("50", "USD", "50.00"),
        ("10.5", "JPY", "10.5"),
        ("10", "JPY", "10"),
        ("1.23456", "KWD", "1.2346"),
    ],
)
def test_quantize_unit_price_keeps_up_to_four_decimals(amount: str, currency: str, expected: str) -> None:
    assert str(quantize_unit_price(Decimal(amount), currency)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.549999999999999", "14.549999999999999"),
        ("  12.50 ", "12.50"),
        ("+3", "3"),
        ("1,234.56", "1234.56"),
        ("12,345,678", "12345678"),
        ("-0", "0"),
        ("-0.00", "0.00"),
        ("1E2", "1E+2"),
        (".5", "0.5"),
    ],
)
def test_parse_decimal_accepts_what_peers_send(text: str, expected: str) -> None:
    assert str(parse_decimal(text)) == expected


def test_parse_decimal_negative_zero_is_plain_zero() -> None:
    value = parse_decimal("-0")
    assert value == 0
    assert not value.is_signed()


@pytest.mark.parametrize(
    "text",
    ["NaN", "nan", "Infinity", "-inf", "sNaN", "1e309", "1e-400", "", "   ", "abc", "1,23", "12,50", "1.234,56",
     "1_000", "0x10", "1" * 70],
)  # fmt: skip
def test_parse_decimal_rejects_non_numbers(text: str) -> None:
    with pytest.raises(InvalidNumber):
        parse_decimal(text)


def test_money_refuses_float_and_non_finite() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(InvalidNumber):
        Money(Decimal("NaN"), "USD")
    assert Money(Decimal("1.005"), "USD").quantized() == Money(Decimal("1.01"), "USD")
