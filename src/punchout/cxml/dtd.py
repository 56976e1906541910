"""Which cXML DTD module a message belongs to, and offline DTD validation.

From 1.2.0xx the cXML distribution ships self-contained DTDs; one per document: ``cXML.dtd``
(PunchOut*, OrderRequest, Profile*, StatusUpdate, Response), ``Fulfill.dtd`` (ConfirmationRequest,
ShipNoticeRequest) and ``InvoiceDetail.dtd`` (InvoiceDetailRequest). DTD files are read from a
local folder only; nothing named by a document is ever fetched.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from punchout.cxml.parser import parse_tree
from punchout.cxml.schema import MODULES as _MODULES
from punchout.cxml.schema import Module, module_for

__all__ = ["CXML_VERSION", "Module", "doctype", "module_for", "system_url", "validate"]

CXML_VERSION = "1.2.071"
_SYSTEM = re.compile(r"/cXML/(\d+\.\d+\.\d+)/(\w+\.dtd)\s*$", re.IGNORECASE)
_BODY_WRAPPERS = ("Request", "Message", "Response")


def system_url(kind: str, version: str = CXML_VERSION) -> str:
    """The DOCTYPE system identifier for ``kind``."""
    return f"http://xml.cxml.org/schemas/cXML/{version}/{module_for(kind)}"


def doctype(kind: str, version: str = CXML_VERSION) -> str:
    return f'<!DOCTYPE cXML SYSTEM "{system_url(kind, version)}">'


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@lru_cache(maxsize=32)
def _load(path: Path) -> etree.DTD:
    with path.open("rb") as handle:
        return etree.DTD(handle)


def _pick(dtd_dir: Path, version: str, module: str) -> Path:
    """The saved DTD for ``module`` at the nearest saved version >= ``version`` (else the newest)."""
    saved = sorted(
        (p for p in dtd_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d+\.\d+\.\d+", p.name)),
        key=lambda p: _version_key(p.name),
    )
    candidates = [p for p in saved if (p / module).is_file()]
    if not candidates:
        raise FileNotFoundError(f"no {module} under {dtd_dir}")
    wanted = _version_key(version)
    for folder in candidates:
        if _version_key(folder.name) >= wanted:
            return folder / module
    return candidates[-1] / module


def _kind_of(root: etree._Element) -> str:
    for wrapper in root.iterchildren(*_BODY_WRAPPERS):
        bodies = [c for c in wrapper.iterchildren(etree.Element) if c.tag != "Status"]
        if bodies:
            return str(bodies[0].tag)
        return str(wrapper.tag)
    return "Response"


def validate(data: bytes, dtd_dir: Path, *, version: str | None = None) -> list[str]:
    """DTD errors of ``data`` (empty when valid), checked against DTDs under ``dtd_dir``.

    ``dtd_dir`` holds one folder per cXML version (``1.2.071/cXML.dtd``…). The DTD is the one the
    DOCTYPE names (nearest saved version at or above it); without a DOCTYPE, the module of the
    message type at ``version`` or 1.2.071.
    """
    tree = parse_tree(data)
    declared: str | None = tree.docinfo.system_url  # type: ignore[attr-defined]  # lxml-stubs lack DocInfo.system_url
    match = _SYSTEM.search(declared) if declared else None
    if match:
        module = next((m for m in set(_MODULES.values()) if m.lower() == match.group(2).lower()), "cXML.dtd")
        chosen_version = version or match.group(1)
    else:
        module = _MODULES.get(_kind_of(tree.getroot()), "cXML.dtd")
        chosen_version = version or CXML_VERSION
    dtd = _load(_pick(Path(dtd_dir), chosen_version, module))
    if dtd.validate(tree):
        return []
    errors = dtd.error_log.filter_from_errors()  # type: ignore[attr-defined]  # lxml-stubs lack DTD.error_log
    return [f"line {e.line}: {e.message}" for e in errors]
