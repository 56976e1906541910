"""What a document says, to compare an input with its normalized output (the lossless tests)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC
from decimal import Decimal, InvalidOperation

from lxml import etree

from punchout.cxml.dates import parse_datetime


def inventory(root: etree._Element) -> Counter[tuple[str, ...]]:
    """What a document says: ("E", path) per element, ("A", path) per attribute, ("V", path, value)
    per attribute value and per text; paths without positions, numbers compared as decimals,
    date-times as instants, text with white space collapsed. The cXML version is left out (the
    output follows 1.2.071 whatever the input named)."""
    found: Counter[tuple[str, ...]] = Counter()

    def walk(el: etree._Element, parent: str) -> None:
        path = f"{parent}/{el.tag}"
        found["E", path] += 1
        for name, value in el.attrib.items():
            if (path, name) == ("/cXML", "version"):
                continue
            found["A", f"{path}/@{name}"] += 1
            found["V", f"{path}/@{name}", comparable(value)] += 1
        text = (el.text or "") + "".join(child.tail or "" for child in el)
        if text.strip():
            found["V", path, comparable(text)] += 1
        for child in el:
            if isinstance(child.tag, str):
                walk(child, path)

    walk(root, "")
    return found


def comparable(raw: str) -> str:
    text = " ".join(raw.split())
    try:
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
            return f"number {Decimal(text).normalize()}"
    except InvalidOperation:
        pass
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        value, _ = parse_datetime(text)
        if value is not None:
            return f"instant {value.astimezone(UTC).isoformat()}"
    return text


def plain(path: str) -> str:
    return re.sub(r"\[\d+\]", "", path)
