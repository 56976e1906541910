"""Element paths as lxml's ``getpath`` writes them (``/cXML/Request/OrderRequest/ItemOut[2]``), in
time linear in the document.

``getpath`` counts an element's preceding siblings every time it is called: naming every one of
many siblings costs the square of their number. Here the last steps of a parent's children are
computed once, the first time one of them is named, and kept.
"""

from __future__ import annotations

from collections import Counter

from lxml import etree

__all__ = ["Paths"]

_Element = etree._Element


class Paths:
    """Names the elements of one tree (keeps the steps of the parents it has seen)."""

    __slots__ = ("_steps",)

    def __init__(self) -> None:
        self._steps: dict[_Element, dict[_Element, str]] = {}

    def __call__(self, el: _Element) -> str:
        steps: list[str] = []
        parent = el.getparent()
        while parent is not None:
            known = self._steps.get(parent)
            if known is None:
                known = self._steps[parent] = _child_steps(parent)
            steps.append(known[el])
            el, parent = parent, parent.getparent()
        steps.append(_step_name(el))
        steps.reverse()
        return "/" + "/".join(steps)


def _step_name(el: _Element) -> str:
    """An element's name in a path: its tag, ``prefix:name`` in a prefixed namespace, ``*`` in a
    default one (as libxml2 writes them)."""
    tag = el.tag
    if not isinstance(tag, str):
        return "node()"
    if tag[0] != "{":
        return tag
    prefix = el.prefix
    return f"{prefix}:{etree.QName(tag).localname}" if prefix else "*"


def _child_steps(parent: _Element) -> dict[_Element, str]:
    """The last path step of each element child of ``parent``: its name, with its position among
    the siblings of the same name when there are several (``ItemOut[2]``); ``*`` steps always carry
    their position among all element siblings."""
    children = [c for c in parent if isinstance(c.tag, str)]
    names = [_step_name(c) for c in children]
    repeated = {name for name, n in Counter(names).items() if n > 1}
    seen: Counter[str] = Counter()
    steps: dict[_Element, str] = {}
    for position, (child, name) in enumerate(zip(children, names, strict=True), 1):
        if name == "*":
            steps[child] = f"*[{position}]"
        elif name in repeated:
            seen[name] += 1
            steps[child] = f"{name}[{seen[name]}]"
        else:
            steps[child] = name
    return steps
