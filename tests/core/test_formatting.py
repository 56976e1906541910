"""Amounts, unit prices and dates as people read them (English and French), and as CSV writes them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from openprocure.core.formatting import (
    format_figure,
    format_money,
    format_month,
    format_unit_price,
    iso_datetime,
    plain_money,
)

NBSP = "\u00a0"  # between an amount and its currency code
NNBSP = "\u202f"  # between French thousands (CLDR)


def render(text: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load money %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("language", "amount", "currency", "shown"),
    [
        pytest.param("en", "1908.6", "EUR", f"1,908.60{NBSP}EUR", id="en-eur"),
        pytest.param("fr", "1908.6", "EUR", f"1{NNBSP}908,60{NBSP}EUR", id="fr-eur"),
        pytest.param("en", "1908.6", "JPY", f"1,909{NBSP}JPY", id="en-jpy-no-decimals"),
        pytest.param("fr", "1250", "JPY", f"1{NNBSP}250{NBSP}JPY", id="fr-jpy"),
        pytest.param("en", "1.25", "KWD", f"1.250{NBSP}KWD", id="en-kwd-three-decimals"),
        pytest.param("fr", "1908.6045", "KWD", f"1{NNBSP}908,605{NBSP}KWD", id="fr-kwd-half-up"),
        pytest.param("en", "-671100", "EUR", f"-671,100.00{NBSP}EUR", id="en-negative"),
        pytest.param("fr", "-182.39", "EUR", f"-182,39{NBSP}EUR", id="fr-negative"),
        pytest.param("en", "437.740000000000", "EUR", f"437.74{NBSP}EUR", id="en-float-artefact"),
        pytest.param("en", "123456789012.345", "USD", f"123,456,789,012.35{NBSP}USD", id="en-large"),
        pytest.param(
            "fr", "123456789012.345", "USD", f"123{NNBSP}456{NNBSP}789{NNBSP}012,35{NBSP}USD", id="fr-large"
        ),
        pytest.param("en", "-0.001", "EUR", f"0.00{NBSP}EUR", id="en-no-negative-zero"),
        pytest.param("en", Decimal("2.5"), "eur", f"2.50{NBSP}EUR", id="en-lowercase-code"),
    ],
)
def test_money_is_written_for_the_reader(language: str, amount: object, currency: str, shown: str) -> None:
    assert render("{{ amount|money:currency }}", language, amount=amount, currency=currency) == shown
    assert format_money(amount, currency, language=language) == shown


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_amount_is_a_dash_never_none(language: str) -> None:
    assert render("{{ amount|money:'EUR' }}", language, amount=None) == "—"
    assert render("{{ amount|money:'EUR' }}", language, amount="") == "—"
    assert render("{{ price|unit_price:'EUR' }}", language, price=None) == "—"
    assert render("{{ rate|rate }}", language, rate=None) == "—"


def test_a_value_that_is_not_a_number_is_shown_as_given() -> None:
    assert format_money("n/a", "EUR", language="en") == "n/a"
    assert format_money("NaN", "EUR", language="en") == "NaN"


@pytest.mark.parametrize(
    ("language", "price", "currency", "shown"),
    [
        pytest.param("en", "12.5000", "EUR", f"12.50{NBSP}EUR", id="zeros-past-minor-units-dropped"),
        pytest.param("en", "0.0125", "EUR", f"0.0125{NBSP}EUR", id="four-decimals-kept"),
        pytest.param("en", "0.01234", "EUR", f"0.0123{NBSP}EUR", id="at-most-four"),
        pytest.param("en", "12.49996", "EUR", f"12.50{NBSP}EUR", id="rounded-then-trimmed"),
        pytest.param("en", "1000", "EUR", f"1,000.00{NBSP}EUR", id="grouped"),
        pytest.param("fr", "0.0125", "EUR", f"0,0125{NBSP}EUR", id="fr-four-decimals"),
        pytest.param("fr", "1234.5", "EUR", f"1{NNBSP}234,50{NBSP}EUR", id="fr-grouped"),
        pytest.param("en", "150", "JPY", f"150{NBSP}JPY", id="jpy-whole"),
        pytest.param("en", "0.12345", "JPY", f"0.1235{NBSP}JPY", id="jpy-fraction-of-a-yen"),
        pytest.param("en", "1.2", "KWD", f"1.200{NBSP}KWD", id="kwd-three"),
    ],
)
def test_unit_prices_keep_up_to_four_decimals(language: str, price: str, currency: str, shown: str) -> None:
    assert render("{{ price|unit_price:currency }}", language, price=price, currency=currency) == shown
    assert format_unit_price(price, currency, language=language) == shown


@pytest.mark.parametrize(
    ("language", "rate", "shown"),
    [
        pytest.param("en", Decimal("20.00"), "20", id="en-whole"),
        pytest.param("en", Decimal("5.5"), "5.5", id="en-half"),
        pytest.param("fr", Decimal("5.5"), "5,5", id="fr-half"),
    ],
)
def test_rates_are_written_as_people_write_them(language: str, rate: Decimal, shown: str) -> None:
    assert render("{{ rate|rate }}", language, rate=rate) == shown


@pytest.mark.parametrize(
    ("language", "seconds", "shown"),
    [
        pytest.param("en", 0.25314, f"0.25{NBSP}s", id="en-hundredths"),
        pytest.param("fr", 12.5, f"12,5{NBSP}s", id="fr-comma"),
        pytest.param("en", 1234.0, f"1,234{NBSP}s", id="en-grouped"),
        pytest.param("en", None, "—", id="none"),
    ],
)
def test_durations_are_shown_to_the_hundredth(language: str, seconds: float | None, shown: str) -> None:
    assert render("{{ seconds|seconds }}", language, seconds=seconds) == shown


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        pytest.param("en", "6 Dec 2026, 21:51 · 6 Dec 2026 · 6 Dec 2026, 21:51", id="en"),
        pytest.param("en-gb", "6 Dec 2026, 21:51 · 6 Dec 2026 · 6 Dec 2026, 21:51", id="en-gb-reader"),
        pytest.param("fr", "06/12/2026 21:51 · 06/12/2026 · 6 décembre 2026, 21:51", id="fr"),
    ],
)
def test_dates_are_written_for_the_reader(language: str, shown: str) -> None:
    when = timezone.make_aware(datetime.datetime(2026, 12, 6, 21, 51, 7, 123456))
    text = (
        '{{ when|date:"SHORT_DATETIME_FORMAT" }} · {{ when|date:"SHORT_DATE_FORMAT" }} · '
        '{{ when|date:"DATETIME_FORMAT" }}'
    )
    assert render(text, language, when=when) == shown


@pytest.mark.parametrize(
    ("language", "month", "shown"),
    [
        ("en", datetime.date(2026, 1, 1), "Jan 26"),
        ("en", datetime.date(2025, 9, 30), "Sep 25"),
        ("fr", datetime.date(2026, 1, 1), "janv. 26"),
        ("fr", datetime.date(2026, 8, 1), "août 26"),
        ("fr", datetime.date(2026, 6, 1), "juin 26"),
    ],
)
def test_months_on_a_chart_axis_are_short(language: str, month: datetime.date, shown: str) -> None:
    with translation.override(language):
        assert format_month(month) == shown
    assert format_month(month, language=language) == shown


@pytest.mark.parametrize(
    ("language", "figure", "shown"),
    [
        ("en", "1234.50", "1,234.50"),
        ("en", "-3", "-3"),
        ("en", "0.0125", "0.0125"),
        ("fr", "1234.50", "1\u202f234,50"),
        ("fr", "42.10", "42,10"),
        ("en", "PO-2026-000001", "PO-2026-000001"),
        ("fr", "1.2.3", "1.2.3"),
        ("fr", "", ""),
    ],
)
def test_recorded_figures_are_rewritten_with_their_own_decimals(
    language: str, figure: str, shown: str
) -> None:
    assert format_figure(figure, language=language) == shown


def test_csv_values_stay_machine_readable() -> None:
    with translation.override("fr"):
        assert plain_money(Decimal("671100"), "EUR") == "671100.00"
        assert plain_money(Decimal("437.740000000000"), "EUR") == "437.74"
        assert plain_money(Decimal("1908.6"), "JPY") == "1909"
        assert plain_money(Decimal("1.25"), "KWD") == "1.250"
        assert plain_money(None, "EUR") == ""
    when = datetime.datetime(2026, 12, 6, 20, 51, 7, 123456, tzinfo=datetime.UTC)
    assert iso_datetime(when) == "2026-12-06T21:51:07+01:00"  # Europe/Paris, whole seconds
    assert iso_datetime(datetime.date(2026, 12, 6)) == "2026-12-06"
    assert iso_datetime(None) == ""
