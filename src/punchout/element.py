"""The base of the typed models of XML documents (cXML elements, OAGIS components).

A model read from a document keeps the element it was read from as ``source``: the writers start
from it, so what the model does not represent is carried over at its place. A model made in code
has no source. ``source`` is keyword-only and takes no part in equality or ``repr()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = ["ElementModel"]


@dataclass(slots=True)
class ElementModel:
    """The base of every model of an element: ``source`` is the element it was read from."""

    source: _Element | None = field(default=None, compare=False, repr=False, kw_only=True)
