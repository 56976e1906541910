"""What the cXML 1.2.071 DTDs allow: where each element may appear, in which order, with which
attributes. Read from the unmodified DTDs shipped in ``punchout/cxml/dtd`` (see its NOTICE).

The parser uses it to tell a standard element it keeps without interpreting from content cXML
does not allow (which cannot be kept); the builder uses it to re-emit what it carries at the place
the DTD gives it, and to drop what would make the output invalid.

Order: each element's content model is walked depth first and every child name gets the rank of
its first appearance. A document that follows the DTD lists its children in non-decreasing rank,
so a carried child is inserted before the first written child of a higher rank.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from lxml import etree

__all__ = ["DTD_DIR", "MODULES", "AttributeRule", "ElementRule", "Module", "Schema", "module_for", "schema"]

Module = Literal["cXML.dtd", "Fulfill.dtd", "InvoiceDetail.dtd"]

#: The DTD module of each supported message (cXML 1.2.0xx ships self-contained modules).
MODULES: dict[str, Module] = {
    "PunchOutSetupRequest": "cXML.dtd",
    "PunchOutSetupResponse": "cXML.dtd",
    "PunchOutOrderMessage": "cXML.dtd",
    "OrderRequest": "cXML.dtd",
    "ProfileRequest": "cXML.dtd",
    "ProfileResponse": "cXML.dtd",
    "StatusUpdateRequest": "cXML.dtd",
    "Response": "cXML.dtd",
    "ConfirmationRequest": "Fulfill.dtd",
    "ShipNoticeRequest": "Fulfill.dtd",
    "InvoiceDetailRequest": "InvoiceDetail.dtd",
}


def module_for(kind: str) -> Module:
    """The DTD module of a message kind (``"OrderRequest"`` -> ``"cXML.dtd"``)."""
    try:
        return MODULES[kind]
    except KeyError:
        raise ValueError(f"no DTD module known for message kind {kind!r}") from None


#: Where the shipped DTDs are (one folder per version).
DTD_DIR = Path(__file__).parent / "dtd"
_VERSION = "1.2.071"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class AttributeRule:
    """One declared attribute: its name as lxml spells it (``{ns}lang`` for ``xml:lang``), whether it
    is required, and its allowed values when it is an enumeration (``None``: any text)."""

    name: str
    required: bool
    values: frozenset[str] | None


@dataclass(slots=True)
class ElementRule:
    """One declared element: its children by rank (``any_child`` for ``ANY``), whether it holds text,
    and its attributes."""

    name: str
    ranks: dict[str, int] = field(default_factory=dict)
    any_child: bool = False
    text: bool = False
    attributes: dict[str, AttributeRule] = field(default_factory=dict)


class Schema:
    """The rules of one DTD module (``cXML.dtd``, ``Fulfill.dtd`` or ``InvoiceDetail.dtd``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.dtd = etree.DTD(str(path))
        self.rules: dict[str, ElementRule] = {}
        for declaration in self.dtd.iterelements():  # type: ignore[attr-defined]  # not in lxml-stubs
            name = _qualified(declaration.prefix, declaration.name)
            rule = ElementRule(name)
            kind = declaration.type
            if kind == "any":
                rule.any_child = rule.text = True
            elif kind == "mixed":
                rule.text = True
            if declaration.content is not None:
                _rank(declaration.content, rule.ranks)
            for attribute in declaration.iterattributes():
                attribute_name = _attribute_name(attribute.prefix, attribute.name)
                values = frozenset(attribute.itervalues()) if attribute.type == "enumeration" else None
                rule.attributes[attribute_name] = AttributeRule(
                    attribute_name, attribute.default == "required", values
                )
            self.rules[name] = rule

    def knows(self, tag: str) -> bool:
        """Whether cXML declares an element of this name."""
        return tag in self.rules

    def allows_child(self, parent: str, child: str) -> bool:
        """Whether ``child`` may appear inside ``parent``."""
        rule = self.rules.get(parent)
        if rule is None:
            return False
        return rule.any_child or child in rule.ranks

    def rank(self, parent: str, child: str) -> int:
        """The place of ``child`` among the children of ``parent`` (see the module docstring)."""
        rule = self.rules.get(parent)
        if rule is None:
            return 0
        return rule.ranks.get(child, len(rule.ranks))

    def allows_attribute(self, element: str, name: str, value: str) -> bool:
        """Whether ``element`` may carry attribute ``name`` with ``value``."""
        rule = self.rules.get(element)
        if rule is None:
            return False
        attribute = rule.attributes.get(name)
        if attribute is None:
            return False
        return attribute.values is None or value in attribute.values

    def errors(self, element: etree._Element) -> list[str]:
        """DTD errors of the subtree under ``element`` (empty when it is valid on its own)."""
        with _lock:  # lxml keeps one error log per validator
            if self.dtd.validate(element):
                return []
            log = self.dtd.error_log.filter_from_errors()  # type: ignore[attr-defined]  # lxml-stubs lack DTD.error_log
        # lxml copies the subtree into a document of its own, declaring the xml: prefix on it
        return [str(e.message) for e in log if "xmlns:xml" not in str(e.message)]


def _qualified(prefix: str | None, name: str) -> str:
    return f"{prefix}:{name}" if prefix else name


def _attribute_name(prefix: str | None, name: str) -> str:
    if prefix == "xml":
        return _XML_NS + name
    return _qualified(prefix, name)


def _rank(content: Any, ranks: dict[str, int]) -> None:
    """Give each element name of a content model its rank, depth first (iteratively: the models of
    long sequences nest as deep as they are long)."""
    stack = [content]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if node.type == "element":
            ranks.setdefault(node.name, len(ranks))  # lxml does not expose the prefix here
            continue
        stack.append(node.right)
        stack.append(node.left)


@cache
def schema(module: str = "cXML.dtd") -> Schema:
    """The rules of a 1.2.071 DTD module, read once per process."""
    with _lock:
        return Schema(DTD_DIR / _VERSION / module)
