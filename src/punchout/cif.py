"""CIF (Catalog Interchange Format) 3.0: the flat-file catalog format of SAP Ariba, read and written.

A CIF file is a signature line (``CIF_I_V3.0``), header lines ``KEY: value`` in any order and any
case (``CHARSET``, ``LOADMODE``, ``CODEFORMAT``, ``CURRENCY``, ``SUPPLIERID_DOMAIN``, ``ITEMCOUNT``,
``TIMESTAMP``, ``UNUOM``, ``COMMENTS``, ``FIELDNAMES``), the line ``DATA``, one comma-separated row
per item (fields with a comma or a quote are quoted, a quote inside is doubled), and ``ENDOFDATA``.
Without ``FIELDNAMES`` the first twelve fields are positional (:data:`POSITIONAL_FIELDS`).

The file is in the ``CHARSET`` of its header (``8859_1`` when absent); a UTF-8 byte-order mark wins
over the header, as files in the wild carry one whatever their header says.

:func:`read` streams the rows of a file, each with its line number, as dictionaries keyed by field name (values as written,
trailing spaces removed); anything that is not CIF 3.0 is refused with a :class:`CIFError` naming the
line. :class:`Writer` writes a file row by row, so a catalog of any size is written in constant memory.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, BinaryIO

SIGNATURE = "CIF_I_V3.0"
#: The twelve fields a row carries, in this order, when the header has no ``FIELDNAMES``.
POSITIONAL_FIELDS = (
    "Supplier ID",
    "Supplier Part ID",
    "Manufacturer Part ID",
    "Item Description",
    "SPSC Code",
    "Unit Price",
    "Unit of Measure",
    "Lead Time",
    "Manufacturer Name",
    "Supplier URL",
    "Manufacturer URL",
    "Market Price",
)
#: Header keys this module knows; others are kept as read.
HEADER_KEYS = (
    "CHARSET",
    "LOADMODE",
    "CODEFORMAT",
    "CURRENCY",
    "SUPPLIERID_DOMAIN",
    "ITEMCOUNT",
    "TIMESTAMP",
    "UNUOM",
    "COMMENTS",
    "FIELDNAMES",
)
_CHARSETS = {"8859_1": "latin-1", "ISO-8859-1": "latin-1", "UTF-8": "utf-8", "UTF8": "utf-8"}
_BOM = codecs.BOM_UTF8


class CIFError(ValueError):
    """A file that is not CIF 3.0, or a row that does not fit its header; ``line`` is 1-based."""

    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.reason = message
        self.line = line


@dataclass
class Header:
    """The header of a CIF file: its keys (upper-cased) and the field names of its rows."""

    values: dict[str, str] = field(default_factory=dict)
    fieldnames: tuple[str, ...] = POSITIONAL_FIELDS
    encoding: str = "latin-1"

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key.upper(), default)


@dataclass
class Catalog:
    """A CIF file as read: its header and an iterator over its rows, each with the number of the line
    where it ends (a quoted field may span lines) and its fields."""

    header: Header
    rows: Iterator[tuple[int, dict[str, str]]]

    @property
    def items(self) -> Iterator[dict[str, str]]:
        """The items alone (one dict per row), without their line numbers."""
        return (item for _, item in self.rows)


def _split_header_line(text: str, number: int) -> tuple[str, str]:
    # ``KEY: value``, ``KEY:value``, ``KEY:<TAB>value`` and ``KEY:,value`` are all seen in practice.
    key, colon, value = text.partition(":")
    if not colon or not key.strip() or " " in key.strip():
        raise CIFError(f"expected a header line “KEY: value” or DATA, found {text[:60]!r}", line=number)
    value = value.strip()
    if value.startswith(","):
        value = value[1:].strip()
    return key.strip().upper(), value


def read(stream: BinaryIO) -> Catalog:
    """Read the header of the CIF file in ``stream`` (binary, buffered: a file opened ``rb``, a
    ``BytesIO``) and return it with its rows.

    The items are read lazily as the iterator is consumed; a row error raises :class:`CIFError` then.
    """
    buffered = stream
    first = buffered.readline()
    has_bom = first.startswith(_BOM)
    if has_bom:
        first = first[len(_BOM) :]
    signature = first.decode("latin-1").strip()
    if signature != SIGNATURE:
        if signature.startswith("CIF_I_V"):
            raise CIFError(f"version {signature[len('CIF_I_V') :]!r} is not CIF 3.0", line=1)
        raise CIFError(f"not a CIF file: the first line is {signature[:40]!r}, not {SIGNATURE}", line=1)
    header = Header()
    number = 1
    while True:
        raw = buffered.readline()
        number += 1
        if not raw:
            raise CIFError("the file ends before the DATA line", line=number)
        text = raw.decode("utf-8" if has_bom else "latin-1").strip()
        if not text:
            continue
        if text.upper() == "DATA":
            break
        key, value = _split_header_line(text, number)
        header.values[key] = value
    charset = header.get("CHARSET", "8859_1").upper()
    if has_bom:
        header.encoding = "utf-8"
    elif charset in _CHARSETS:
        header.encoding = _CHARSETS[charset]
    else:
        raise CIFError(f"unknown CHARSET {charset!r}", line=1)
    if "FIELDNAMES" in header.values:
        names = next(csv.reader([header.values["FIELDNAMES"]]))
        header.fieldnames = tuple(name.strip() for name in names)
        if len(set(header.fieldnames)) != len(header.fieldnames) or "" in header.fieldnames:
            raise CIFError("FIELDNAMES has an empty or repeated name", line=1)
    text_stream = io.TextIOWrapper(buffered, encoding=header.encoding, newline="")
    return Catalog(header, _items(text_stream, header, number))


def _items(stream: IO[str], header: Header, data_line: int) -> Iterator[tuple[int, dict[str, str]]]:
    state = {"line": data_line, "ended": False}

    def lines() -> Iterator[str]:
        for line in stream:
            state["line"] += 1
            if line.strip() == "ENDOFDATA":
                state["ended"] = True
                return
            yield line

    names = header.fieldnames
    count = 0
    for row in csv.reader(lines(), strict=True):
        if not row or row == [""]:
            continue
        if len(row) > len(names):
            raise CIFError(f"{len(row)} fields, but the header names {len(names)}", line=int(state["line"]))
        count += 1
        values = [value.strip() for value in row]
        values += [""] * (len(names) - len(values))
        yield int(state["line"]), dict(zip(names, values, strict=True))
    if not state["ended"]:
        raise CIFError("the file ends without ENDOFDATA", line=int(state["line"]))
    declared = header.get("ITEMCOUNT")
    if declared and declared.isdigit() and int(declared) != count:
        raise CIFError(f"ITEMCOUNT says {declared} items, the file has {count}", line=int(state["line"]))


class Writer:
    """Writes a CIF 3.0 file in UTF-8, one row at a time: the header first, then :meth:`row`, then
    :meth:`close` (which writes ``ENDOFDATA``)."""

    def __init__(
        self,
        out: IO[str],
        *,
        fieldnames: Sequence[str],
        header: Mapping[str, str],
    ) -> None:
        self.out = out
        self.fieldnames = tuple(fieldnames)
        self.count = 0
        out.write(SIGNATURE + "\r\n")
        values = {"CHARSET": "UTF-8", **{key.upper(): value for key, value in header.items()}}
        for key, value in values.items():
            if "\n" in value or "\r" in value:
                raise ValueError(f"header {key} has a line break")
            out.write(f"{key}: {value}\r\n")
        self._csv = csv.writer(out, lineterminator="\r\n")
        out.write("FIELDNAMES: " + ",".join(self.fieldnames) + "\r\n")
        out.write("DATA\r\n")

    def row(self, values: Mapping[str, str]) -> None:
        """Write one item; missing fields are empty, unknown ones are an error."""
        unknown = set(values) - set(self.fieldnames)
        if unknown:
            raise ValueError(f"fields not in FIELDNAMES: {sorted(unknown)}")
        self._csv.writerow([values.get(name, "") for name in self.fieldnames])
        self.count += 1

    def close(self) -> None:
        self.out.write("ENDOFDATA\r\n")
