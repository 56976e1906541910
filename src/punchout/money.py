"""Money for the protocol core: an exact ``Decimal`` amount plus one ISO 4217 currency.

No ``float`` ever touches an amount. ``parse_decimal`` reads the numbers real peers send (a float
sum such as ``14.549999999999999``, padding spaces, a leading ``+``, an unambiguous ``1,234.56``)
and refuses the ones that are not amounts at all (``NaN``, ``Infinity``, ``1e309``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "CURRENCIES",
    "MINOR_UNITS",
    "InvalidNumber",
    "Money",
    "minor_units",
    "parse_decimal",
    "quantize_money",
    "quantize_unit_price",
    "stated_unit_price",
]

# Active ISO 4217 codes (plus a few recently withdrawn ones still seen in old systems: ANG, CUC,
# HRK, SLL, ZWL). Minor units are 2 unless listed in _MINOR_UNIT_EXCEPTIONS.
CURRENCIES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
    BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
    MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
    RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY
    TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD
    XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL
    """.split()
)

_MINOR_UNIT_EXCEPTIONS: dict[str, int] = {
    # no minor unit
    **dict.fromkeys(
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(),
        0,
    ),
    # three decimals
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    # four decimals (units of account)
    "CLF": 4,
    "UYW": 4,
}

#: ISO 4217 minor units for every code in :data:`CURRENCIES` (2 unless ISO says otherwise).
MINOR_UNITS: dict[str, int] = {code: _MINOR_UNIT_EXCEPTIONS.get(code, 2) for code in CURRENCIES}

#: Unit prices keep up to this many decimals (catalog prices such as 0.0125 per sheet).
UNIT_PRICE_DECIMALS = 4

# Largest magnitude accepted for any amount or quantity: 10**18 and 20 decimal places.
_MAX_ADJUSTED = 18
_MIN_ADJUSTED = -20
_MAX_TEXT = 64
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SIMPLE = re.compile(r"-?\d{1,19}(?:\.\d{1,20})?")
_QUANTS = {n: Decimal(1).scaleb(-n) for n in range(0, 9)}


class InvalidNumber(ValueError):
    """A text that is not a usable amount or quantity (``NaN``, ``Infinity``, ``1e309``, ``abc``)."""


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency, as in cXML ``<Money currency="EUR">12.50</Money>``."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money.amount must be a Decimal, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise InvalidNumber(f"Money.amount must be finite, got {self.amount}")

    def quantized(self) -> Money:
        """This amount rounded to the currency's minor unit."""
        return Money(quantize_money(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def minor_units(currency: str) -> int:
    """Decimals of ``currency`` per ISO 4217 (JPY 0, KWD 3, unknown codes 2)."""
    return MINOR_UNITS.get(currency.upper(), 2)


def quantize_money(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-up to exactly the minor unit of ``currency``."""
    return _zero_sign(amount.quantize(_QUANTS[minor_units(currency)], rounding=ROUND_HALF_UP))


def quantize_unit_price(amount: Decimal, currency: str) -> Decimal:
    """A unit price: at least the currency's decimals, at most four (``0.01234`` -> ``0.0123``)."""
    exponent = amount.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    places = max(minor_units(currency), min(places, UNIT_PRICE_DECIMALS))
    return _zero_sign(amount.quantize(_QUANTS[places], rounding=ROUND_HALF_UP))


def stated_unit_price(amount: Decimal, currency: str) -> Decimal:
    """A stored unit price as a document states it: the currency's minor units, more only for the
    decimals that count, up to four (stored ``12.5000`` EUR -> ``12.50``, ``1250.0000`` JPY ->
    ``1250``, ``0.1250`` KWD -> ``0.125``, ``0.0125`` EUR stays ``0.0125``)."""
    return quantize_unit_price(amount.normalize(), currency)


def parse_decimal(text: str) -> Decimal:
    """Read an amount or quantity exactly, the way real peers write it.

    Accepts padding whitespace, a leading ``+``, float artefacts (``14.549999999999999``), an
    exponent of sane size, and thousands separators only in the unambiguous ``1,234.56`` form.
    Raises :class:`InvalidNumber` for anything else; ``-0`` becomes ``0``.
    """
    raw = text.strip()
    if raw.isascii() and len(raw) <= _MAX_TEXT and _SIMPLE.fullmatch(raw):
        # the common case, checked by one regex: digits, one dot, no sign games
        value = Decimal(raw)
        if not value:
            return Decimal(0).scaleb(max(value.as_tuple().exponent, -8))  # type: ignore[arg-type]  # the exponent is an int for a finite Decimal, which this is
        if value.adjusted() > _MAX_ADJUSTED:
            raise InvalidNumber(f"{raw!r} is out of range for an amount or quantity")
        return value
    if not raw:
        raise InvalidNumber("an empty text is not a number")
    if len(raw) > _MAX_TEXT:
        raise InvalidNumber(f"a number of {len(raw)} characters is not a plausible amount")
    if "," in raw:
        if not _THOUSANDS.fullmatch(raw):
            raise InvalidNumber(
                f"{raw!r} is ambiguous: write amounts with a dot as decimal separator and no grouping"
            )
        raw = raw.replace(",", "")
    elif not _PLAIN.fullmatch(raw):
        raise InvalidNumber(f"{raw!r} is not a decimal number")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the regex already filtered
        raise InvalidNumber(f"{raw!r} is not a decimal number") from exc
    if value and not (_MIN_ADJUSTED <= value.adjusted() <= _MAX_ADJUSTED):
        raise InvalidNumber(f"{raw!r} is out of range for an amount or quantity")
    if not value:
        # -0, 0E+5, 0E-400: a plain zero that keeps at most a sane number of decimals
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        return Decimal(0).scaleb(max(min(exponent, 0), -8))
    return value


def _zero_sign(value: Decimal) -> Decimal:
    return value.copy_abs() if not value else value
