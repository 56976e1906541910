"""Hostile cXML bodies shared by the protocol-core tests and both sites' endpoint tests: many
siblings, many attributes, deep nesting, all built around a real document."""

from __future__ import annotations

from lxml import etree


def with_children(document: bytes, closing_tag: bytes, filler: bytes) -> bytes:
    """``document`` with ``filler`` inserted just before the first ``closing_tag`` (``b"</X>"``)."""
    at = document.index(closing_tag)
    return document[:at] + filler + document[at:]


def siblings(count: int, element: bytes = b"<e/>") -> bytes:
    """``count`` copies of an empty element."""
    return element * count


def attributes(count: int) -> bytes:
    """One empty element carrying ``count`` attributes."""
    return b"<e " + b" ".join(b'a%d=""' % n for n in range(count)) + b"/>"


def nested(depth: int) -> bytes:
    """``depth`` elements each inside the previous one."""
    return b"<e>" * depth + b"</e>" * depth


def element_count(document: bytes) -> int:
    """Elements in a well-formed ``document``, counted by lxml."""
    return sum(1 for _ in etree.fromstring(document).iter(etree.Element))


def attribute_count(document: bytes) -> int:
    """Attributes in a well-formed ``document`` (``xml:lang`` included), counted by lxml."""
    return sum(len(el.attrib) for el in etree.fromstring(document).iter(etree.Element))


def depth_of(document: bytes, closing_tag: bytes) -> int:
    """Nesting depth of the element closed by the first ``closing_tag`` (the root is at depth 1)."""
    root = etree.fromstring(document)
    name = closing_tag[2:-1].decode()
    found = next(root.iter(name))
    return sum(1 for _ in found.iterancestors()) + 1
