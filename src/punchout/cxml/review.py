"""One verdict on a document: what reading it forgave, what was kept as sent without being
interpreted, what writing it again changed or left out, or why it is refused.

``cxml validate`` prints this verdict and ``cxml normalize`` prints it with the document it writes:
both come from :func:`review`, so validate lists exactly what normalize will do.

Besides the reader's warnings and the writer's notes, the verdict compares what the input and the
output say (:func:`inventory`): every element and attribute with its value, paths without
positions, numbers as decimals, dates as instants, text with white space collapsed. Anything the
input says that the output does not, and that no warning or note explains, is listed as left out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal, InvalidOperation

from lxml import etree

from punchout.cxml._carry import Note
from punchout.cxml.builder import build_with_notes
from punchout.cxml.common import ParseWarning
from punchout.cxml.dates import parse_datetime
from punchout.cxml.errors import CXMLError
from punchout.cxml.limits import DEFAULT_LIMITS, MORE_WARNINGS, Limits
from punchout.cxml.parser import DEFAULT_MAX_BYTES, hardened_parser, parse

__all__ = ["Finding", "Verdict", "inventory", "review"]

#: How a finding is named in the verdict, by the code of the warning or note it comes from.
KEPT = "kept"  # a standard element carried as sent, not interpreted
LEFT_OUT = "left out"  # content cXML does not allow there: not in the output
CHANGED = "changed"  # written differently than sent (kept as written, rounded, moved…)
FORGIVEN = "forgiven"  # read although it does not follow cXML
REFUSED = "refused"

_LEFT_OUT_CODES = frozenset({"unknown-element", "ignored-element", "not-kept"})
_CHANGED_CODES = frozenset({"kept-as-written", "amount-rounded", "misplaced-element", "misplaced-attribute"})
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_DATE_LIKE = re.compile(r"\d{4}-?\d{2}-?\d{2}")


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the verdict: its ``kind`` (forgiven, kept, changed, left out, refused), the
    ``code`` of the warning or note, the element ``path`` and what happened."""

    kind: str
    code: str
    path: str
    message: str


@dataclass(slots=True)
class Verdict:
    """What :func:`review` concluded: the message type, the findings, the normalized document (or
    the refusal)."""

    kind: str | None
    findings: list[Finding] = field(default_factory=list)
    output: bytes | None = None
    refusal: CXMLError | None = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def review(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits = DEFAULT_LIMITS) -> Verdict:
    """Read ``data``, write it again, and say what was forgiven, kept, changed, left out or refused."""
    try:
        result = parse(data, max_bytes=max_bytes, limits=limits)
    except CXMLError as error:
        return Verdict(None, [_refusal(error)], None, error)
    document = result.document
    verdict = Verdict(document.kind, [_finding(w) for w in result.warnings])
    try:
        output, notes = build_with_notes(document)
    except CXMLError as error:
        verdict.findings.append(_refusal(error))
        verdict.refusal = error
        return verdict
    verdict.output = output
    verdict.findings += [_finding(n) for n in notes]
    if document.source is not None:
        verdict.findings += _unexplained(document.source, output, verdict.findings)
    return verdict


def _finding(item: ParseWarning | Note) -> Finding:
    code = item.code
    if code == "kept":
        kind = KEPT
    elif code in _LEFT_OUT_CODES:
        kind = LEFT_OUT
    elif code in _CHANGED_CODES:
        kind = CHANGED
    else:
        kind = FORGIVEN
    return Finding(kind, code, item.path, item.message)


def _refusal(error: CXMLError) -> Finding:
    return Finding(REFUSED, type(error).__name__, error.path or "/", error.message)


def _unexplained(source: etree._Element, output: bytes, findings: list[Finding]) -> list[Finding]:
    """What the input says and the output does not, and no finding explains (by path)."""
    if any(f.code == MORE_WARNINGS for f in findings):
        return []  # the list is already cut short: explanations may be among the unlisted
    before = inventory(source)
    after = inventory(etree.fromstring(output, hardened_parser()))
    explained = {_plain(f.path) for f in findings}
    lost: dict[str, Finding] = {}
    for item in before - after:
        path = item[1]
        element_path = path.split("/@", 1)[0]
        if any(element_path == p or element_path.startswith(p + "/") for p in explained):
            continue
        if element_path not in lost:
            what = f"@{path.split('/@', 1)[1]}" if "/@" in path else f"<{element_path.rsplit('/', 1)[1]}>"
            lost[element_path] = Finding(LEFT_OUT, "lost", element_path, f"{what} is not in the output")
    return list(lost.values())


def _plain(path: str) -> str:
    """A path without positions (``ItemOut[2]`` -> ``ItemOut``)."""
    return re.sub(r"\[\d+\]", "", path)


def inventory(root: etree._Element) -> Counter[tuple[str, ...]]:
    """What a document says, as a multiset: ``("E", path)`` per element, ``("A", path/@name)`` per
    attribute, ``("V", path, value)`` per attribute value and per text (paths without positions,
    numbers as decimals, dates as instants, text with white space collapsed). The ``version`` of
    ``cXML`` is left out: it names the DTD the document follows."""
    found: Counter[tuple[str, ...]] = Counter()
    stack: list[tuple[etree._Element, str]] = [(root, "")]
    while stack:
        el, parent = stack.pop()
        path = f"{parent}/{el.tag}"
        found["E", path] += 1
        for key, raw in el.attrib.items():
            name = str(key)
            if name == "version" and parent == "":
                continue
            found["A", f"{path}/@{name}"] += 1
            found["V", f"{path}/@{name}", _value(str(raw))] += 1
        text = (el.text or "") + "".join(c.tail or "" for c in el)
        if text.strip():
            found["V", path, _value(text)] += 1
        stack.extend((c, path) for c in el if isinstance(c.tag, str))
    return found


def _value(raw: str) -> str:
    text = " ".join(raw.split())
    if _NUMBER.fullmatch(text):
        try:
            return str(Decimal(text).normalize())
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            return text
    if _DATE_LIKE.match(text):
        value, _ = parse_datetime(text)
        if value is not None:
            return value.astimezone(UTC).isoformat()
    return text
