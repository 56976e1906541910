"""Repairs made to a body before libxml2 reads it, each reported as a warning.

- **An encoding that contradicts the bytes.** A body that declares (or defaults to) UTF-8 but is
  not valid UTF-8 is read as Windows-1252 (what such bodies are, in practice); a body that declares
  ISO-8859-1, Windows-1252 or US-ASCII but whose non-ASCII bytes are valid UTF-8 is read as UTF-8
  (read as declared, ``é`` would become ``Ã©``).
- **Undeclared entities.** cXML declares none beyond XML's five, and the core never loads a DTD, so
  ``&nbsp;`` or ``&eacute;`` would either refuse the document (without a DOCTYPE) or silently empty
  the text around them (with one). An HTML entity is read as its character; any other name is kept
  as the text ``&name;``. CDATA sections and comments are left as they are.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from dataclasses import dataclass

__all__ = ["Repair", "misdeclared_latin", "read_as_windows_1252", "undeclared_entities"]

_DECLARED = re.compile(rb"""<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_SINGLE_BYTE = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "windows-1252", "cp1252"}
)
_PREDEFINED = rb"(?:amp|lt|gt|quot|apos);"
_ENTITY = re.compile(rb"&(?!" + _PREDEFINED + rb")[A-Za-z_:][-A-Za-z0-9._:]*;")
_ENTITY_OR_SKIPPED = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|&([A-Za-z_:][-A-Za-z0-9._:]*);", re.DOTALL)
_HTML = html.entities.html5


@dataclass(frozen=True, slots=True)
class Repair:
    """One repair: a warning ``code``, what was done, and where: the first line it was made on and
    the text it left there (``None``: the repair concerns the whole body)."""

    code: str
    line: int | None
    message: str
    text: str | None = None


def declared_encoding(raw: bytes) -> str | None:
    """The encoding the XML declaration names, lower case (``None`` without one)."""
    match = _DECLARED.match(raw, 0, 256)
    return match.group(1).decode("ascii").lower() if match else None


def _redeclared(raw: bytes) -> bytes:
    """``raw`` with its declaration (if any) naming UTF-8."""
    match = _DECLARED.match(raw, 0, 256)
    if match is None:
        return raw
    return raw[: match.start(1)] + b"UTF-8" + raw[match.end(1) :]


def misdeclared_latin(raw: bytes) -> tuple[bytes, Repair] | None:
    """A body declared in a single-byte encoding whose non-ASCII bytes are valid UTF-8: the body
    redeclared as UTF-8, and the repair (``None`` when the body is as declared)."""
    declared = declared_encoding(raw)
    if declared not in _SINGLE_BYTE or raw.isascii():
        return None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _redeclared(raw), Repair(
        "encoding-mismatch",
        None,
        f"the document declares {declared.upper()} but its bytes are UTF-8; it was read as UTF-8",
    )


def read_as_windows_1252(raw: bytes) -> tuple[bytes, Repair] | None:
    """A body that declares (or defaults to) UTF-8 but is not UTF-8: re-encoded from Windows-1252
    (bytes Windows-1252 leaves undefined read as ISO-8859-1), and the repair. ``None`` when the
    body declares another encoding or is valid UTF-8 (its error is something else)."""
    declared = declared_encoding(raw)
    if declared not in (None, "utf-8", "utf8"):
        return None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
    else:
        return None
    text = raw.decode("cp1252", errors=_LATIN_1_FALLBACK)
    return _redeclared(text.encode("utf-8")), Repair(
        "encoding-mismatch",
        None,
        f"the document {'declares' if declared else 'is read as'} UTF-8 but its bytes are not UTF-8 "
        f"(from line {line}); it was read as Windows-1252",
    )


def _latin_1(error: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: the five bytes Windows-1252 leaves undefined, read as ISO-8859-1."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


_LATIN_1_FALLBACK = "punchout-latin-1"
codecs.register_error(_LATIN_1_FALLBACK, _latin_1)


def undeclared_entities(raw: bytes) -> tuple[bytes, list[Repair]] | None:
    """The body with undeclared entity references replaced (see the module docstring), and one
    repair per entity name; ``None`` when there is none (the common case costs one search)."""
    if b"&" not in raw or _ENTITY.search(raw) is None:
        return None
    first_line: dict[str, int] = {}

    def replace(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name is None or name in (b"amp", b"lt", b"gt", b"quot", b"apos"):
            return match.group(0)  # CDATA, a comment, or a predefined entity
        key = name.decode("ascii", "replace")
        if key not in first_line:
            first_line[key] = raw.count(b"\n", 0, match.start()) + 1
        character = _HTML.get(key + ";")
        if character is None:
            return b"&amp;" + name + b";"
        return "".join(f"&#{ord(c)};" for c in character).encode("ascii")

    repaired = _ENTITY_OR_SKIPPED.sub(replace, raw)
    repairs = []
    for name, line in first_line.items():
        character = _HTML.get(name + ";")
        if character is None:
            message = f"&{name}; is not a declared entity; it was kept as the text '&{name};'"
        else:
            codes = " ".join(f"U+{ord(c):04X}" for c in character)
            message = f"&{name}; is not a declared entity; it was read as {character!r} ({codes})"
        repairs.append(Repair("undeclared-entity", line, message, character or f"&{name};"))
    return repaired, repairs
