"""OCI cart return: reading and writing the ``NEW_ITEM-*`` fields of a cart.

Implements the "Outbound section" of the SAP OCI 4.0/5.0 specification (data transfer from the
catalog to the procurement system): the catalog posts one ``NEW_ITEM-<FIELD>[n]`` form field per
item field (1-based ``n``) and the long text as ``NEW_ITEM-LONGTEXT_n:132[]`` lines.

Lenient in: :func:`parse_cart` reads what real catalogs send (lower-case names, the
``NEW_ITEM-LONGTEXT[n]:132`` spelling, decimal commas, missing UNIT or CURRENCY, UTF-8 bodies
where ISO-8859-1 was expected) and records a warning for each thing it forgave; a line that cannot
be used (no QUANTITY, a PRICE that is not a number, PRICEUNIT 0…) is reported as an error and left
out, the other lines are kept.

Strict out: :func:`build_return_fields` writes the specification's spelling, checks each value
against its field length (an identifier that does not fit is an error; DESCRIPTION and
ATTACHMENT_TITLE are cut with a warning) and makes every value encodable in the form's charset.

Charset choice: OCI's default is ISO-8859-1. A character outside the target charset cannot be
sent as such; a browser would send it as the text ``&#8364;``, which the buyer system stores
literally and which can overflow the field. We replace it instead — typographic quotes and dashes
by their ASCII forms, ``€`` by ``EUR``, accented letters by the bare letter, anything else by
``?`` — in free-text fields (with a warning), and refuse it in identifiers, whose meaning a
replacement would change.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from punchout.oci.errors import OCIError, OCIIssue
from punchout.oci.fields import (
    CONTROL_CHARS,
    CONTROL_CHARS_EXCEPT_LINE_BREAKS,
    FIELDS_BY_NAME,
    LONGTEXT_LINE_LENGTH,
    MAX_ITEM_INDEX,
    NEW_ITEM_FIELDS,
    OCI_VERSIONS,
    FieldSpec,
    FormInput,
    Kind,
    form_pairs,
    format_decimal,
    is_extra_field_name,
    item_key,
    longtext_key,
    parse_decimal,
    parse_item_key,
)
from punchout.oci.item import OCIItem

_LATIN1_NAMES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "iso_8859-1", "cp819"}
_TRUE_FLAGS = {"X", "1", "Y", "YES", "TRUE"}


@dataclass
class CartResult:
    """What :func:`parse_cart` made of a posted cart.

    ``lines`` maps the sender's item index ``n`` to the item, in index order, for the lines that
    could be read; ``errors`` says why the others could not; ``extra`` keeps the form fields that
    are not ``NEW_ITEM-`` fields (``~OkCode``, a shop's own ``ORDERID``…) with all their values.
    """

    lines: dict[int, OCIItem] = field(default_factory=dict)
    errors: list[OCIIssue] = field(default_factory=list)
    warnings: list[OCIIssue] = field(default_factory=list)
    extra: dict[str, list[str]] = field(default_factory=dict)

    @property
    def items(self) -> list[OCIItem]:
        return list(self.lines.values())

    @property
    def ok(self) -> bool:
        return not self.errors


class ReturnFields(list[tuple[str, str]]):
    """The ``(name, value)`` pairs of a cart return, with the warnings raised while building them."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = (), warnings: Iterable[OCIIssue] = ()) -> None:
        super().__init__(pairs)
        self.warnings: list[OCIIssue] = list(warnings)


# ---------------------------------------------------------------------------------------------
# Reading


def parse_cart(form: FormInput | bytes, *, charset: str = "iso-8859-1") -> CartResult:
    """Read a posted OCI cart: a mapping, a list of pairs, or the raw urlencoded body (bytes).

    ``charset`` is the charset the catalog was asked to use (OCI default ISO-8859-1). Passing the
    raw body is best: a body that is valid UTF-8 although ISO-8859-1 was expected is then read as
    UTF-8 with a warning. Values already decoded as ISO-8859-1 that are plainly UTF-8 read byte by
    byte (``Âµ`` for ``µ``) are repaired with a warning.
    """
    result = CartResult()
    if isinstance(form, bytes):
        pairs = _decode_body(form, charset, result.warnings)
    else:
        pairs = [
            (name, _repair_mojibake(value, charset, result.warnings)) for name, value in form_pairs(form)
        ]

    raw_lines: dict[int, dict[str, list[str]]] = {}
    respelled: set[str] = set()
    for name, value in pairs:
        key = parse_item_key(name)
        if key is None:
            result.extra.setdefault(name, []).append(value)
            continue
        if key.index > MAX_ITEM_INDEX:
            result.warnings.append(
                OCIIssue(
                    None,
                    key.field,
                    f"{name[:40]!r} has an item index above {MAX_ITEM_INDEX}; the field was ignored",
                )
            )
            continue
        if not key.spec_spelling and name not in respelled:
            respelled.add(name)
            result.warnings.append(
                OCIIssue(key.index, "LONGTEXT", f"{name!r} read as {longtext_key(key.index)!r}")
            )
        raw_lines.setdefault(key.index, {}).setdefault(key.field, []).append(value)

    if 0 in raw_lines:
        result.warnings.append(OCIIssue(0, None, "OCI item indexes start at 1; index 0 was read as a line"))
    for index in sorted(raw_lines):
        item = _read_line(index, raw_lines[index], result)
        if item is not None:
            result.lines[index] = item
    return result


def _decode_body(body: bytes, charset: str, warnings: list[OCIIssue]) -> list[tuple[str, str]]:
    # Percent-decode to one character per byte, then decode each value as a whole.
    raw_pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    as_bytes = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in raw_pairs]
    expect_utf8 = _is_utf8(charset)
    if not expect_utf8 and any(not _ascii(n) or not _ascii(v) for n, v in as_bytes):
        try:
            decoded = [(n.decode("utf-8"), v.decode("utf-8")) for n, v in as_bytes]
        except UnicodeDecodeError:
            pass
        else:
            warnings.append(OCIIssue(None, None, f"the cart was sent in UTF-8, not {charset}; read as UTF-8"))
            return decoded
    pairs = [(n.decode(charset, "replace"), v.decode(charset, "replace")) for n, v in as_bytes]
    if any("\ufffd" in n + v for n, v in pairs):
        warnings.append(
            OCIIssue(None, None, f"some bytes are not valid {charset}; they were replaced by U+FFFD")
        )
    return pairs


def _ascii(data: bytes) -> bool:
    return all(byte < 0x80 for byte in data)


def _is_utf8(charset: str) -> bool:
    return charset.lower().replace("_", "-") in ("utf-8", "utf8")


def _repair_mojibake(value: str, charset: str, warnings: list[OCIIssue]) -> str:
    if charset.lower() not in _LATIN1_NAMES or not any("\x80" <= ch <= "\xff" for ch in value):
        return value
    try:
        repaired = value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value
    warnings.append(OCIIssue(None, None, f"{value!r} was UTF-8 read as {charset}; read as {repaired!r}"))
    return repaired


def _read_line(index: int, raw: dict[str, list[str]], result: CartResult) -> OCIItem | None:
    errors: list[OCIIssue] = []
    warnings = result.warnings
    chosen: dict[str, str] = {}
    for name, sent in raw.items():
        if name == "LONGTEXT":
            continue
        if len(set(sent)) > 1:
            warnings.append(OCIIssue(index, name, f"sent {len(sent)} times; the first value is used"))
        chosen[name] = sent[0]

    def first(name: str) -> str:
        return chosen.get(name, "")

    def number(name: str) -> Decimal | None:
        text = first(name)
        if not text.strip():
            return None
        try:
            value, note = parse_decimal(text)
        except ValueError as exc:
            errors.append(OCIIssue(index, name, str(exc)))
            return None
        if note:
            warnings.append(OCIIssue(index, name, note))
        return value

    values: dict[str, Any] = {}
    for spec in NEW_ITEM_FIELDS:
        if spec.kind in (Kind.TEXT, Kind.IDENTIFIER):
            text = first(spec.name)
            if len(text) > spec.length:
                warnings.append(
                    OCIIssue(index, spec.name, f"is {len(text)} characters; OCI allows {spec.length}")
                )
            values[spec.attr] = text

    quantity = number("QUANTITY")
    if quantity is None and not any(e.field == "QUANTITY" for e in errors):
        errors.append(OCIIssue(index, "QUANTITY", "is missing; every line needs a quantity"))
    elif quantity is not None and quantity <= 0:
        errors.append(OCIIssue(index, "QUANTITY", f"{first('QUANTITY')!r} must be greater than 0"))

    price = number("PRICE")
    if price is None and "PRICE" not in {e.field for e in errors}:
        warnings.append(OCIIssue(index, "PRICE", "is missing; the line has no price"))
    elif price is not None and price < 0:
        errors.append(OCIIssue(index, "PRICE", f"{first('PRICE')!r} is negative"))

    price_unit = number("PRICEUNIT")
    if price_unit is not None and price_unit <= 0:
        errors.append(
            OCIIssue(
                index, "PRICEUNIT", f"{first('PRICEUNIT')!r} must be greater than 0 (PRICE is per PRICEUNIT)"
            )
        )

    if not values["description"] and not values["matnr"]:
        errors.append(OCIIssue(index, "DESCRIPTION", "is missing; every line needs a description"))
    if price is not None and not values["currency"]:
        warnings.append(OCIIssue(index, "CURRENCY", "is missing; the price has no currency"))
    if not values["unit"]:
        warnings.append(OCIIssue(index, "UNIT", "is missing; the quantity has no unit"))

    lead_time = None
    lead_text = first("LEADTIME").strip()
    if lead_text:
        if lead_text.isascii() and lead_text.isdigit() and len(lead_text) <= 9:
            lead_time = int(lead_text)
        else:
            warnings.append(
                OCIIssue(index, "LEADTIME", f"{lead_text[:20]!r} is not a number of days; ignored")
            )

    service_text = first("SERVICE").strip().upper()
    if service_text and service_text != "X":
        warnings.append(OCIIssue(index, "SERVICE", f"{service_text!r} read as {service_text in _TRUE_FLAGS}"))

    code, part = str(values["manufact_code"]), str(values["manufact_mat"])
    if len(code) > FIELDS_BY_NAME["MANUFACTCODE"].length and len(part) <= len(code):
        warnings.append(
            OCIIssue(
                index,
                "MANUFACTCODE",
                f"{code!r} looks like a manufacturer part number and MANUFACTMAT {part!r} like a "
                "manufacturer code: the two fields may be swapped",
            )
        )

    extra = {name: value for name, value in chosen.items() if name not in FIELDS_BY_NAME}

    if errors:
        result.errors.extend(errors)
        return None
    assert quantity is not None
    long_text = "".join(raw.get("LONGTEXT", [])).replace("\r\n", "\n")
    return OCIItem(
        quantity=quantity,
        price=price,
        price_unit=price_unit if price_unit is not None else Decimal(1),
        lead_time=lead_time,
        long_text=long_text,
        service=service_text in _TRUE_FLAGS,
        extra=extra,
        **values,
    )


# ---------------------------------------------------------------------------------------------
# Writing

# Replacements for characters ISO-8859-1 cannot carry, chosen to keep free text readable.
_FALLBACKS = {
    "\u20ac": "EUR",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u2022": "-",
    "\u2122": "(TM)",
    "\u0152": "OE",
    "\u0153": "oe",
}


def to_charset(value: str, charset: str) -> tuple[str, list[str]]:
    """``value`` made encodable in ``charset``, and the characters that had to be replaced."""
    try:
        value.encode(charset)
    except UnicodeEncodeError:
        pass
    else:
        return value, []
    out: list[str] = []
    replaced: list[str] = []
    for ch in value:
        try:
            ch.encode(charset)
        except UnicodeEncodeError:
            replaced.append(ch)
            fallback = _FALLBACKS.get(ch)
            if fallback is None:
                bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
                fallback = bare if bare and bare.encode(charset, "ignore").decode(charset) == bare else "?"
            out.append(fallback)
        else:
            out.append(ch)
    return "".join(out), replaced


def build_return_fields(
    items: Iterable[OCIItem], *, version: str = "5.0", charset: str = "iso-8859-1"
) -> ReturnFields:
    """The ``NEW_ITEM-*`` form fields for ``items`` (numbered from 1), checked for OCI ``version``.

    Raises :class:`OCIError` listing every value that cannot be sent (an identifier longer than its
    field or not encodable in ``charset``, a QUANTITY that is not positive, PRICEUNIT 0, a 5.0-only
    field in a 4.0 cart…). Free text that does not fit is cut or transliterated, with a warning in
    ``ReturnFields.warnings``.
    """
    if version not in OCI_VERSIONS:
        raise ValueError(f"OCI version {version!r} is not supported; use one of {', '.join(OCI_VERSIONS)}")
    codecs.lookup(charset)  # an unknown charset fails here, before any work
    fields = ReturnFields()
    errors: list[OCIIssue] = []
    for index, item in enumerate(items, start=1):
        _write_item(index, item, version, charset, fields, errors)
    if errors:
        raise OCIError.from_issues("the cart cannot be sent over OCI", errors)
    return fields


def _write_item(
    index: int, item: OCIItem, version: str, charset: str, out: ReturnFields, errors: list[OCIIssue]
) -> None:
    if not item.description and not item.matnr:
        errors.append(OCIIssue(index, "DESCRIPTION", "is empty; every line needs a description"))
    for spec in NEW_ITEM_FIELDS:
        value: object = getattr(item, spec.attr)
        if not spec.exists_in(version):
            if value:
                errors.append(OCIIssue(index, spec.name, f"exists only from OCI {spec.since}"))
            continue
        if spec.kind is Kind.LONGTEXT:
            assert isinstance(value, str)
            _write_long_text(index, value, charset, out, errors)
            continue
        text = _field_text(index, spec, value, version, charset, out.warnings, errors)
        if text:
            out.append((item_key(spec.name, index), text))
    for name, value in item.extra.items():
        if not is_extra_field_name(name) or name in FIELDS_BY_NAME:
            errors.append(
                OCIIssue(index, name, "is not a usable custom field name (upper-case letters, digits, _)")
            )
            continue
        text = _identifier(index, name, value, None, charset, errors)
        if text:
            out.append((item_key(name, index), text))


def _field_text(
    index: int,
    spec: FieldSpec,
    value: object,
    version: str,
    charset: str,
    warnings: list[OCIIssue],
    errors: list[OCIIssue],
) -> str:
    limit = spec.max_length(version)
    if spec.kind is Kind.FLAG:
        return "X" if value else ""
    if spec.kind is Kind.INTEGER:
        if value is None:
            return ""
        assert isinstance(value, int)
        if value < 0 or len(str(value)) > limit:
            errors.append(OCIIssue(index, spec.name, f"{value} must be 0 to {'9' * limit} days"))
            return ""
        return str(value)
    if spec.kind is Kind.DECIMAL:
        return _decimal_text(index, spec, value, limit, errors)
    assert isinstance(value, str)
    if spec.kind is Kind.IDENTIFIER:
        return _identifier(index, spec.name, value, limit, charset, errors)
    # Kind.TEXT: readable text, adapted with a warning rather than refused.
    text, replaced = to_charset(value, charset)
    if replaced:
        warnings.append(
            OCIIssue(index, spec.name, f"{''.join(replaced)!r} cannot be sent in {charset}; replaced")
        )
    if CONTROL_CHARS_EXCEPT_LINE_BREAKS.search(text):
        errors.append(OCIIssue(index, spec.name, "contains a control character"))
        return ""
    if CONTROL_CHARS.search(text):
        text = re.sub(r"[\t\r\n]+", " ", text)
        warnings.append(OCIIssue(index, spec.name, "line breaks and tabs were replaced by spaces"))
    if len(text) > limit:
        warnings.append(OCIIssue(index, spec.name, f"cut from {len(text)} to {limit} characters"))
        text = text[:limit]
    return text


def _decimal_text(index: int, spec: FieldSpec, value: object, limit: int, errors: list[OCIIssue]) -> str:
    if value is None:
        return ""
    assert isinstance(value, Decimal)
    if not value.is_finite():
        errors.append(OCIIssue(index, spec.name, f"{value} is not a number"))
        return ""
    text = format_decimal(value)
    minimum_ok = value >= 0 if spec.name == "PRICE" else value > 0
    if not minimum_ok:
        rule = "must not be negative" if spec.name == "PRICE" else "must be greater than 0"
        errors.append(OCIIssue(index, spec.name, f"{text} {rule}"))
    elif len(text) > limit:
        errors.append(OCIIssue(index, spec.name, f"{text} is {len(text)} characters; OCI allows {limit}"))
    return text


def _identifier(
    index: int, name: str, value: str, limit: int | None, charset: str, errors: list[OCIIssue]
) -> str:
    if CONTROL_CHARS.search(value):
        errors.append(OCIIssue(index, name, f"{value!r} contains a control character"))
    elif to_charset(value, charset)[1]:
        errors.append(OCIIssue(index, name, f"{value!r} cannot be sent in {charset}"))
    elif limit is not None and len(value) > limit:
        errors.append(
            OCIIssue(
                index, name, f"{value!r} is {len(value)} characters; OCI allows {limit} and it cannot be cut"
            )
        )
    return value


def _write_long_text(index: int, value: str, charset: str, out: ReturnFields, errors: list[OCIIssue]) -> None:
    if not value:
        return
    text, replaced = to_charset(value, charset)
    if replaced:
        out.warnings.append(
            OCIIssue(index, "LONGTEXT", f"{''.join(replaced)!r} cannot be sent in {charset}; replaced")
        )
    if CONTROL_CHARS_EXCEPT_LINE_BREAKS.search(text):
        errors.append(OCIIssue(index, "LONGTEXT", "contains a control character"))
        return
    key = longtext_key(index)
    for start in range(0, len(text), LONGTEXT_LINE_LENGTH):
        out.append((key, text[start : start + LONGTEXT_LINE_LENGTH]))
