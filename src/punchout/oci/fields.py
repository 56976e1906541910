"""The ``NEW_ITEM-*`` field set of SAP OCI 4.0 and 5.0, and how its names and numbers are spelled.

Implements the field table of the OCI specification ("Outbound section: data transfer to the
procurement system", the ``NEW_ITEM-`` fields with their maximum lengths) for versions 4.0 and 5.0:

- every item field is sent as ``NEW_ITEM-<FIELD>[n]`` with a 1-based item index ``n``;
- the long text is the exception: ``NEW_ITEM-LONGTEXT_n:132[]``, a table of lines of at most 132
  characters each (``n`` is the item index, ``[]`` means "one or more values with this name");
- numbers (QUANTITY, PRICE, PRICEUNIT) use a decimal point; PRICE is the price per PRICEUNIT units
  (if PRICEUNIT is empty, 1 is used);
- OCI 5.0 widened MATNR from 18 to 40 characters (S/4HANA long material numbers) and added the item
  hierarchy fields PARENT_ID and ITEM_TYPE.

Lengths were checked against public excerpts of the SAP OCI 5.0 documentation and OCI libraries that
enforce them. Public sources disagree on one value: PRICEUNIT is 5 in the OCI 5.0 table; we use 5.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

OCI_VERSIONS = ("4.0", "5.0")
LONGTEXT_LINE_LENGTH = 132


class Kind(enum.Enum):
    """How a field's value is read and checked."""

    TEXT = "text"  # free text for people: truncated with a warning when too long
    IDENTIFIER = "identifier"  # keys and codes: never truncated, too long is an error
    DECIMAL = "decimal"  # a number with a decimal point (QUANTITY, PRICE, PRICEUNIT)
    INTEGER = "integer"  # a whole number (LEADTIME, in days)
    FLAG = "flag"  # "X" or empty (SERVICE)
    LONGTEXT = "longtext"  # NEW_ITEM-LONGTEXT_n:132[], lines of at most 132 characters


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One ``NEW_ITEM-`` field: its OCI name, the ``OCIItem`` attribute and its maximum length."""

    name: str
    attr: str
    length: int
    kind: Kind
    since: str = "4.0"
    length_v4: int | None = None  # when OCI 4.0 allowed a different length

    def max_length(self, version: str) -> int:
        """The maximum length of a value of this field in OCI ``version``."""
        if version == "4.0" and self.length_v4 is not None:
            return self.length_v4
        return self.length

    def exists_in(self, version: str) -> bool:
        return float(version) >= float(self.since)


_K = Kind
NEW_ITEM_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("DESCRIPTION", "description", 40, _K.TEXT),
    FieldSpec("MATNR", "matnr", 40, _K.IDENTIFIER, length_v4=18),
    FieldSpec("QUANTITY", "quantity", 15, _K.DECIMAL),
    FieldSpec("UNIT", "unit", 3, _K.IDENTIFIER),
    FieldSpec("PRICE", "price", 15, _K.DECIMAL),
    FieldSpec("CURRENCY", "currency", 5, _K.IDENTIFIER),
    FieldSpec("PRICEUNIT", "price_unit", 5, _K.DECIMAL),
    FieldSpec("LEADTIME", "lead_time", 5, _K.INTEGER),
    FieldSpec("LONGTEXT", "long_text", LONGTEXT_LINE_LENGTH, _K.LONGTEXT),
    FieldSpec("VENDOR", "vendor", 10, _K.IDENTIFIER),
    FieldSpec("VENDORMAT", "vendor_mat", 40, _K.IDENTIFIER),
    FieldSpec("MANUFACTCODE", "manufact_code", 10, _K.IDENTIFIER),
    FieldSpec("MANUFACTMAT", "manufact_mat", 40, _K.IDENTIFIER),
    FieldSpec("MATGROUP", "mat_group", 10, _K.IDENTIFIER),
    FieldSpec("SERVICE", "service", 1, _K.FLAG),
    FieldSpec("CONTRACT", "contract", 10, _K.IDENTIFIER),
    FieldSpec("CONTRACT_ITEM", "contract_item", 5, _K.IDENTIFIER),
    FieldSpec("EXT_QUOTE_ID", "ext_quote_id", 35, _K.IDENTIFIER),
    FieldSpec("EXT_QUOTE_ITEM", "ext_quote_item", 10, _K.IDENTIFIER),
    FieldSpec("EXT_PRODUCT_ID", "ext_product_id", 40, _K.IDENTIFIER),
    FieldSpec("ATTACHMENT", "attachment", 255, _K.IDENTIFIER),
    FieldSpec("ATTACHMENT_TITLE", "attachment_title", 255, _K.TEXT),
    FieldSpec("ATTACHMENT_PURPOSE", "attachment_purpose", 1, _K.IDENTIFIER),
    FieldSpec("EXT_SCHEMA_TYPE", "ext_schema_type", 10, _K.IDENTIFIER),
    FieldSpec("EXT_CATEGORY_ID", "ext_category_id", 60, _K.IDENTIFIER),
    FieldSpec("EXT_CATEGORY", "ext_category", 40, _K.IDENTIFIER),
    FieldSpec("SLD_SYS_NAME", "sld_sys_name", 60, _K.IDENTIFIER),
    FieldSpec("CUST_FIELD1", "cust_field1", 10, _K.IDENTIFIER),
    FieldSpec("CUST_FIELD2", "cust_field2", 10, _K.IDENTIFIER),
    FieldSpec("CUST_FIELD3", "cust_field3", 10, _K.IDENTIFIER),
    FieldSpec("CUST_FIELD4", "cust_field4", 20, _K.IDENTIFIER),
    FieldSpec("CUST_FIELD5", "cust_field5", 50, _K.IDENTIFIER),
    FieldSpec("PARENT_ID", "parent_id", 10, _K.IDENTIFIER, since="5.0"),
    FieldSpec("ITEM_TYPE", "item_type", 1, _K.IDENTIFIER, since="5.0"),
)
FIELDS_BY_NAME: Mapping[str, FieldSpec] = {spec.name: spec for spec in NEW_ITEM_FIELDS}

# NEW_ITEM-DESCRIPTION[1]; names are matched case-insensitively (some shops send new_item-…).
_ITEM_KEY = re.compile(r"NEW_ITEM-([A-Z0-9_]+)\[([0-9]+)\]", re.IGNORECASE)
# NEW_ITEM-LONGTEXT_1:132[] (spec) and NEW_ITEM-LONGTEXT[1]:132 (seen in the wild), with or without
# the line length and the trailing [].
_LONGTEXT_KEY = re.compile(
    r"NEW_ITEM-LONGTEXT(?:_(?P<spec>[0-9]+)|\[(?P<alt>[0-9]+)\])(?::[0-9]+)?(?P<table>\[\])?", re.IGNORECASE
)
_EXTRA_NAME = re.compile(r"[A-Z0-9_]+")


@dataclass(frozen=True, slots=True)
class ItemKey:
    """A parsed ``NEW_ITEM-…`` form field name."""

    index: int
    field: str  # upper case: "DESCRIPTION", "LONGTEXT", or a custom name such as "ADDITIONAL_COST"
    spec_spelling: bool = True  # False for NEW_ITEM-LONGTEXT[n]:132 and other tolerated spellings


#: The largest item index read (``NEW_ITEM-…[n]``): a cart is a few thousand lines at most.
MAX_ITEM_INDEX = 99_999


def _index(digits: str) -> int:
    """An item index; any index longer than :data:`MAX_ITEM_INDEX` reads as ``MAX_ITEM_INDEX + 1``
    (out of range) without converting thousands of digits."""
    return int(digits) if len(digits) <= 9 else MAX_ITEM_INDEX + 1


def parse_item_key(name: str) -> ItemKey | None:
    """Read ``NEW_ITEM-FIELD[n]`` or a long-text key; ``None`` for any other form field name."""
    match = _LONGTEXT_KEY.fullmatch(name)
    if match:
        if match["spec"] is not None:
            return ItemKey(_index(match["spec"]), "LONGTEXT", match["table"] is not None)
        return ItemKey(_index(match["alt"]), "LONGTEXT", False)
    match = _ITEM_KEY.fullmatch(name)
    if match:
        return ItemKey(_index(match[2]), match[1].upper())
    return None


def item_key(field: str, index: int) -> str:
    """``NEW_ITEM-FIELD[n]`` as the specification spells it."""
    return f"NEW_ITEM-{field}[{index}]"


def longtext_key(index: int) -> str:
    """``NEW_ITEM-LONGTEXT_n:132[]`` as the specification spells it."""
    return f"NEW_ITEM-LONGTEXT_{index}:{LONGTEXT_LINE_LENGTH}[]"


def is_extra_field_name(name: str) -> bool:
    """Whether ``name`` can be sent as a custom ``NEW_ITEM-<name>[n]`` field."""
    return bool(_EXTRA_NAME.fullmatch(name)) and name != "LONGTEXT"


# ---------------------------------------------------------------------------------------------
# Numbers

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
#: Digits before and after the decimal point that a number may have: what the sites' amount and
#: quantity columns hold, and the range ``punchout.money.parse_decimal`` reads.
_MAX_INTEGER_DIGITS = 18
_MAX_FRACTION_DIGITS = 20


def parse_decimal(raw: str) -> tuple[Decimal, str | None]:
    """Read an OCI number; returns the value and a note when a non-OCI spelling was forgiven.

    OCI numbers use a decimal point (``100.000`` is one hundred). A single decimal comma
    (``12,50``) and thousands separators (``1.234,56`` / ``1,234.56``) are forgiven with a note.
    Raises ``ValueError`` with a message for anything else (including ``NaN``, exponents, and
    numbers of more than 18 digits before the point or 20 after it).
    """
    text = raw.strip()
    if len(text) > 64:
        raise ValueError(f"a number of {len(text)} characters is not a plausible amount or quantity")
    note = None
    if "," in text:
        if "." in text:
            decimal_sep, grouping = (",", ".") if text.rfind(",") > text.rfind(".") else (".", ",")
            whole, _, fraction = text.rpartition(decimal_sep)
            if not re.fullmatch(r"[+-]?\d{1,3}(?:" + re.escape(grouping) + r"\d{3})+", whole):
                raise ValueError(f"{raw!r} is not a number")
            text = whole.replace(grouping, "") + "." + fraction
            note = f"{raw!r} has thousands separators; read as {text}"
        elif text.count(",") == 1:
            text = text.replace(",", ".")
            note = f"{raw!r} uses a decimal comma; read as {text} (OCI numbers use a decimal point)"
        else:
            raise ValueError(f"{raw!r} is not a number")
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ValueError(f"{raw!r} is not a number")
    whole, _, fraction = text.lstrip("+-").partition(".")
    if len(whole.lstrip("0")) > _MAX_INTEGER_DIGITS or len(fraction) > _MAX_FRACTION_DIGITS:
        raise ValueError(
            f"{raw!r} is out of range: at most {_MAX_INTEGER_DIGITS} digits before the decimal point "
            f"and {_MAX_FRACTION_DIGITS} after it"
        )
    try:
        return Decimal(text), note
    except InvalidOperation as exc:  # pragma: no cover - the pattern above only lets numbers through
        raise ValueError(f"{raw!r} is not a number") from exc


def format_decimal(value: Decimal) -> str:
    """A Decimal as OCI writes numbers: plain digits and a decimal point, never an exponent."""
    return format(value, "f")


# ---------------------------------------------------------------------------------------------
# Form input

FormValue = str | Sequence[str]
FormInput = Mapping[str, FormValue] | Iterable[tuple[str, FormValue]]


def form_pairs(data: FormInput) -> list[tuple[str, str]]:
    """Flatten a mapping or a list of pairs (a plain dict, ``QueryDict.lists()``, ``parse_qsl``).

    A multi-value mapping with a ``lists()`` method (Django's ``QueryDict``, whose ``items()`` only
    gives the last value of each name) is read through ``lists()`` so no value is lost.
    """
    items: Iterable[tuple[str, FormValue]]
    if isinstance(data, Mapping):
        lists = getattr(data, "lists", None)
        items = lists() if callable(lists) else data.items()
    else:
        items = data
    pairs: list[tuple[str, str]] = []
    for name, value in items:
        if isinstance(value, str):
            pairs.append((name, value))
        else:
            pairs.extend((name, one) for one in value)
    return pairs


# Control characters: none belongs in an OCI value, except tab and line breaks in a long text.
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_CHARS_EXCEPT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
