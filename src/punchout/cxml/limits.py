"""Per-document limits: how much work a document may cost before anyone knows who sent it.

Every inbound body is parsed before its credentials are checked, so what parsing may cost is
bounded by the document alone. Each limit is counted in a single pass and refused with a cXML
Status a partner can act on:

======================  ========================================================  ============
limit                   what is counted, and when                                 answer
======================  ========================================================  ============
``max_bytes``           the body's length, before anything else                   413
``MAX_ELEMENTS``        start tags in the body, before parsing                    413
``MAX_ATTRIBUTES``      attributes in the body, before parsing                    413
``MAX_DEPTH``           nesting, by libxml2 while parsing                         400
``MAX_WARNINGS``        warnings kept per document (the rest are counted)         kept, capped
======================  ========================================================  ============

Elements and attributes are counted in the bytes before libxml2 builds a tree: a start tag is a
``<`` not followed by ``/``, ``!`` or ``?``; an attribute is an ``=`` followed (after optional
white space) by a quote (the XML declaration's ``version`` and ``encoding`` left out). Text
cannot hold a raw ``<`` and attribute values cannot either, so the only overcount is markup-like
text inside comments, CDATA sections and attribute values. A cheap count of ``<`` and
``=`` comes first; the exact patterns are only counted when it exceeds the limit. A body too short
to hold more than the limit (an element takes at least 4 bytes, an attribute 5) is not counted at
all: with the default limits, bodies under 2 MB cost nothing.

Sizing: an OrderRequest of ordinary density has about 30 bytes per element and fewer attributes
than elements, so a 10 MiB order (the default ``max_bytes``) has about 370,000 elements. The
limits leave room for that and stop the cheap bodies that cost the most per byte (``<e/>`` is four
bytes and an element; ``a=""`` is five bytes and an attribute).

Warnings are not a reason to refuse: a sloppy system can leave out the same ``xml:lang`` on every
line of a large order. A document keeps at most ``MAX_WARNINGS`` of them (the last one counting
the rest by code), and warnings past the cap cost no path computation.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "MAX_WARNINGS",
    "MORE_WARNINGS",
    "Limits",
    "count_attributes",
    "count_elements",
    "more_warnings_message",
]

#: Start tags per document (a 10 MiB order of ordinary density has about 370,000).
MAX_ELEMENTS = 500_000
#: Attributes per document, all elements together.
MAX_ATTRIBUTES = 500_000
#: Nesting depth: libxml2's own limit without ``XML_PARSE_HUGE`` (lxml ``huge_tree=False``). The
#: deepest cXML 1.2.071 document needs about 15 levels.
MAX_DEPTH = 256
#: Warnings kept per document, the last one counting the rest when there are more.
MAX_WARNINGS = 100
#: The code of the warning that counts the warnings not kept.
MORE_WARNINGS = "more-warnings"


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits one parse applies (the module constants unless a caller trusts the input more,
    as the command-line tools do for local files)."""

    elements: int = MAX_ELEMENTS
    attributes: int = MAX_ATTRIBUTES
    warnings: int = MAX_WARNINGS


DEFAULT_LIMITS = Limits()

_START_TAG = re.compile(rb"<[^/!?]")
_ATTRIBUTE = re.compile(rb"=[ \t\r\n]*[\"']")
_START_TAG_TEXT = re.compile(r"<[^/!?]")
_ATTRIBUTE_TEXT = re.compile(r"=[ \t\r\n]*[\"']")
_UTF_16_32 = (
    (b"\xff\xfe\x00\x00", "utf-32-le", 4),
    (b"\x00\x00\xfe\xff", "utf-32-be", 4),
    (b"\xff\xfe", "utf-16-le", 2),
    (b"\xfe\xff", "utf-16-be", 2),
    (b"\x00\x00\x00<", "utf-32-be", 0),
    (b"<\x00\x00\x00", "utf-32-le", 0),
    (b"\x00<", "utf-16-be", 0),
    (b"<\x00", "utf-16-le", 0),
)


def _text(data: bytes) -> str | None:
    """The decoded body when it is UTF-16 or UTF-32 (ASCII patterns cannot be counted in its bytes);
    None for UTF-8 and the other ASCII-compatible encodings, counted in the bytes themselves."""
    head = data[:4]
    if b"\x00" not in head:
        return None
    for start, codec, skip in _UTF_16_32:
        if head.startswith(start):
            return data[skip:].decode(codec, "replace")
    return None


#: The fewest bytes an element takes (``<e/>``) and an attribute takes (`` a=""``): a body shorter
#: than the limit times these cannot exceed it, and is not counted at all.
ELEMENT_BYTES = 4
ATTRIBUTE_BYTES = 5


def count_elements(data: bytes, limit: int) -> int:
    """Start tags in ``data``: exact when above ``limit``; otherwise an upper bound within it
    (``0`` when the body is too short to hold more than ``limit``)."""
    if len(data) < ELEMENT_BYTES * (limit + 1):
        return 0
    text = _text(data)
    if text is not None:
        rough = text.count("<")
        return rough if rough <= limit else _START_TAG_TEXT.subn("", text)[1]
    rough = data.count(b"<")
    return rough if rough <= limit else _START_TAG.subn(b"", data)[1]


def count_attributes(data: bytes, limit: int) -> int:
    """Attributes in ``data``: exact when above ``limit``; otherwise an upper bound within it
    (``0`` when the body is too short to hold more than ``limit``).

    The XML declaration's ``version`` and ``encoding`` are not attributes: they are left out of the
    exact count."""
    if len(data) < ATTRIBUTE_BYTES * (limit + 1):
        return 0
    text = _text(data)
    if text is not None:
        rough = text.count("=")
        if rough <= limit:
            return rough
        head = text[: text.find("?>")] if text.lstrip("\ufeff").startswith("<?xml") else ""
        return _ATTRIBUTE_TEXT.subn("", text)[1] - len(_ATTRIBUTE_TEXT.findall(head))
    rough = data.count(b"=")
    if rough <= limit:
        return rough
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # after a UTF-8 byte order mark
    declaration = data[: data.find(b"?>")] if data.startswith(b"<?xml", start) else b""
    return _ATTRIBUTE.subn(b"", data)[1] - len(_ATTRIBUTE.findall(declaration))


def more_warnings_message(counts: Counter[str]) -> str:
    """The text of the warning that counts the warnings not kept, by code (most frequent first)."""
    total = sum(counts.values())
    by_code = ", ".join(f"{n:,} {code}" for code, n in counts.most_common(5))
    if len(counts) > 5:
        by_code += ", …"
    noun = "warning was" if total == 1 else "warnings were"
    return f"{total:,} more {noun} not listed ({by_code})"
