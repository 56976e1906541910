"""Reference data both sites share: ISO 4217 currencies, ISO 3166-1 countries and UN/ECE units.

One place answers "is this a currency?", "how many decimals has it?" and "is this a country?", so a
model, a form and a service never each keep their own idea (three letters are not a currency; two
letters are not a country):

- currencies and their minor units come from the ``iso4217`` package (the ISO 4217 list as
  published by its maintenance agency): JPY 0, EUR 2, KWD 3. Codes without a minor unit (gold,
  silver, the SDR, ``XXX``) are not currencies a document can be priced in, so they are refused;
- countries come from ``pycountry`` (ISO 3166-1 alpha-2, from Debian's iso-codes);
- units of measure are UN/ECE Recommendation 20 codes (``C62``, ``EA``, ``KGM``, ``PR``…), the
  list of the protocol core's ``punchout.rec20`` (the BMEcat 2005 schemas' enumeration).

The validators upper-case nothing: models and forms normalise input (``strip().upper()``) before
validation, through :func:`normalize_code`. The protocol core (``punchout``) keeps its own, more
lenient table: it must read what real partners send.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

import pycountry
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from iso4217 import Currency

from punchout.rec20 import is_unit_code

__all__ = [
    "CountryField",
    "CurrencyField",
    "country_choices",
    "currency_choices",
    "exchange_rate",
    "exchange_rates",
    "is_country",
    "is_currency",
    "is_unit",
    "minor_units",
    "normalize_code",
    "validate_country",
    "validate_currency",
    "validate_minor_units",
]


@lru_cache(maxsize=1)
def _currencies() -> dict[str, int]:
    """ISO 4217 code -> minor units, for every currency with a minor unit."""
    return {c.code: c.exponent for c in Currency if c.exponent is not None}


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English name."""
    return {c.alpha_2: c.name for c in pycountry.countries}


def normalize_code(value: object) -> str:
    """A code as typed (``" eur "``) written the ISO way (``"EUR"``)."""
    return str(value or "").strip().upper()


def is_currency(code: str) -> bool:
    """``code`` is an ISO 4217 currency a document can be priced in (``EUR``; not ``XAU``, not ``ABC``)."""
    return code in _currencies()


def minor_units(code: str) -> int:
    """Decimals of an ISO 4217 currency (JPY 0, EUR 2, KWD 3). Raises ``KeyError`` for a non-currency."""
    return _currencies()[code]


def is_unit(code: str) -> bool:
    """``code`` is a UN/ECE Recommendation 20 unit of measure (``C62``, ``EA``, ``DZN``, ``BX``; not ``PCS``)."""
    return is_unit_code(code)


def is_country(code: str) -> bool:
    """``code`` is an ISO 3166-1 alpha-2 country code (``FR``; not ``XX``, not ``EU``)."""
    return code in _countries()


def validate_currency(value: str) -> None:
    """Model and form validator: an ISO 4217 currency code."""
    if not is_currency(value):
        raise ValidationError(
            _(
                "%(value)s is not an ISO 4217 currency code: write it as three letters such as EUR, USD or JPY."
            ),
            code="currency",
            params={"value": value},
        )


def validate_minor_units(value: Decimal, currency: str) -> None:
    """An amount in ``currency`` (a price, a spending limit) has no more decimals than the currency's
    minor units (JPY 0, EUR 2, KWD 3): ``12.505`` EUR is refused, ``0.125`` KWD is not. Zeros at the end do not count (``12.500``
    EUR is 12.50). Raises ``KeyError`` for a non-currency."""
    places = minor_units(currency)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        message = ngettext_lazy(
            "%(value)s has too many decimals: %(currency)s amounts have at most %(places)s decimal place.",
            "%(value)s has too many decimals: %(currency)s amounts have at most %(places)s decimal places.",
            "places",
        )
        raise ValidationError(
            message, code="minor_units", params={"value": value, "currency": currency, "places": places}
        )


def validate_country(value: str) -> None:
    """Model and form validator: an ISO 3166-1 two-letter country code."""
    if not is_country(value):
        raise ValidationError(
            _("%(value)s is not an ISO 3166 country code: write it as two letters such as FR, DE or US."),
            code="country",
            params={"value": value},
        )


def exchange_rates() -> dict[str, Decimal]:
    """The ``EXCHANGE_RATES`` setting: units of the base currency one unit of each currency is worth."""
    return {code: Decimal(str(rate)) for code, rate in settings.EXCHANGE_RATES.items()}


def exchange_rate(from_currency: str, to_currency: str) -> Decimal | None:
    """How many units of ``to_currency`` one unit of ``from_currency`` is worth, or ``None`` when the
    table lacks either (a rate is never guessed). Derived through the base currency of the table."""
    if from_currency == to_currency:
        return Decimal(1)
    rates = exchange_rates()
    if from_currency not in rates or not rates.get(to_currency):
        return None
    return rates[from_currency] / rates[to_currency]


def currency_choices() -> list[tuple[str, str]]:
    """Every currency, ``(code, code)``, sorted: for a form's ``<select>``."""
    return [(code, code) for code in sorted(_currencies())]


def country_choices() -> list[tuple[str, str]]:
    """Every country, ``(code, "code — name")``, sorted by code."""
    return [(code, f"{code} — {name}") for code, name in sorted(_countries().items())]


class _CodeField(forms.CharField):
    """A form field for an ISO code: typed in any case, with spaces around, stored the ISO way."""

    code_validator: Any = None

    def __init__(self, **kwargs: Any) -> None:
        # Longer than a code, so that "euro" or "France" gets the message that says what to write.
        kwargs.setdefault("max_length", 16)
        super().__init__(**kwargs)
        self.validators.append(type(self).code_validator)

    def to_python(self, value: Any) -> str:
        return normalize_code(super().to_python(value))


class CurrencyField(_CodeField):
    """A form field for an ISO 4217 currency code (``eur`` -> ``EUR``; ``ABC`` refused)."""

    code_validator = staticmethod(validate_currency)


class CountryField(_CodeField):
    """A form field for an ISO 3166-1 two-letter country code (``fr`` -> ``FR``; ``XX`` refused)."""

    code_validator = staticmethod(validate_country)
