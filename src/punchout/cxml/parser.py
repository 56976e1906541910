"""``parse()``: lenient in. Reads what real systems send and reports what it forgave.

Safety first: the size cap, then the element and attribute counts (:mod:`punchout.cxml.limits`)
are checked before any parsing; the lxml parser never resolves entities, never touches the network
and never loads a DTD; documents with an internal DTD subset are refused; nesting is capped by
libxml2 (``huge_tree=False``, :data:`~punchout.cxml.limits.MAX_DEPTH`). Binding and its warnings
cost time linear in the document, and at most ``Limits.warnings`` warnings are kept.
"""

from __future__ import annotations

import gc
import re
import threading
from typing import TypeVar

from lxml import etree

from punchout.cxml import _bind
from punchout.cxml._reader import XML_LANG, BlankDroppingParser, KeepBlanks, Reader, credential, status
from punchout.cxml._repair import Repair, misdeclared_latin, read_as_windows_1252, undeclared_entities
from punchout.cxml.common import CXML, DeploymentMode, Header, MessageBody, ParseResult, ParseWarning
from punchout.cxml.errors import (
    DocumentTooComplex,
    DocumentTooLarge,
    ForbiddenConstruct,
    InvalidDocument,
    NotWellFormed,
    UnsupportedMessage,
)
from punchout.cxml.limits import DEFAULT_LIMITS, MAX_DEPTH, Limits, count_attributes, count_elements
from punchout.cxml.profile import Response
from punchout.cxml.schema import module_for

__all__ = ["DEFAULT_MAX_BYTES", "hardened_parser", "parse", "parse_tree", "read_tree"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_local = threading.local()
_NOT_SPACE = re.compile(rb"[^ \t\n\r\x0b\x0c]")
_QUOTED = rb"(?:\"[^\"]*\"|'[^']*')"
_SUBSET = re.compile(
    rb"<!DOCTYPE\s+[^\s\[>]+(?:\s+(?:SYSTEM\s+"
    + _QUOTED
    + rb"|PUBLIC\s+"
    + _QUOTED
    + rb"\s+"
    + _QUOTED
    + rb"))?\s*\["
)

#: cXML messages we recognise but do not implement: answered with 450 Not Implemented.
_UNSUPPORTED_ROOTS = frozenset({"Index", "Contract", "Supplier", "Catalog"})


_Parser = TypeVar("_Parser", bound=etree.XMLParser)


def _new_parser(kind: type[_Parser], *, remove_blank_text: bool) -> _Parser:
    """A parser of ``kind`` with no entity expansion, no network, no DTD loading, no huge trees."""
    return kind(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=remove_blank_text,
        remove_comments=False,
    )


def hardened_parser() -> etree.XMLParser:
    """This thread's lxml parser: no entity expansion, no network, no DTD loading, no huge trees."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _new_parser(etree.XMLParser, remove_blank_text=False)
        _local.parser = parser
    return parser


def _blank_dropping_parser() -> BlankDroppingParser:
    """:func:`hardened_parser` that also drops ignorable white space (see
    :class:`~punchout.cxml._reader.BlankDroppingParser`); ``parse`` only."""
    parser: BlankDroppingParser | None = getattr(_local, "blank_dropping", None)
    if parser is None:
        parser = _new_parser(BlankDroppingParser, remove_blank_text=True)
        _local.blank_dropping = parser
    return parser


_XML_SPACE = (b" ", b"\t", b"\r", b"\n")
#: How many "!" or "?" ``_plain_markup`` looks at before it gives up (and white space is kept).
_MARKS = 16


def _plain_markup(data: bytes) -> bool:
    """True when ``data`` starts with "<" in an ASCII-compatible encoding (no byte-order mark, no
    UTF-16) and has no comment, CDATA section or processing instruction past its XML declaration
    and DOCTYPE: markup next to which libxml2 may drop white space that is text.

    ``bytes.find`` of one rare byte ("!", "?": memchr) rather than of ``<!``, whose first byte is
    the commonest in XML and costs a tenth of the lxml parse to search for; a body with many of
    them is simply not plain."""
    if data[:1] != b"<" or data[1:2] in (b"", b"\x00"):
        return False
    for mark in (b"!", b"?"):
        at = 0
        for _ in range(_MARKS):
            at = data.find(mark, at + 1)
            if at < 0:
                break
            if data[at - 1] != 0x3C:  # 0x3C: "<"
                continue
            if mark == b"!":
                if not data.startswith(b"DOCTYPE", at + 1):
                    return False
            elif at != 1 or not data.startswith(b"xml", 2) or data[5:6] not in _XML_SPACE:
                return False
        else:
            return False
    return True


def parse_tree(
    data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits = DEFAULT_LIMITS
) -> etree._ElementTree:
    """The safety gate every inbound body goes through: size, element and attribute counts,
    well-formedness, nesting, no DTD subset (repairs made on the way: see :func:`read_tree`)."""
    return read_tree(data, max_bytes=max_bytes, limits=limits)[0]


def read_tree(
    data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits = DEFAULT_LIMITS
) -> tuple[etree._ElementTree, list[Repair]]:
    """:func:`parse_tree`, and the repairs it made: an encoding that contradicts the bytes, an
    undeclared entity, an empty internal DTD subset (:mod:`._repair`)."""
    return _read_tree(data, max_bytes, limits, drop_blanks=False)


def _read_tree(
    data: bytes | str, max_bytes: int, limits: Limits, *, drop_blanks: bool
) -> tuple[etree._ElementTree, list[Repair]]:
    """:func:`read_tree`; with ``drop_blanks``, a body without repairs and with plain markup
    (:func:`_plain_markup`) is read by :func:`_blank_dropping_parser`."""
    if isinstance(data, str):
        # A str is already decoded: drop any declaration (its encoding no longer applies).
        data = _DECLARATION.sub("", data, count=1).encode("utf-8", "surrogatepass")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"parse() takes bytes or str, not {type(data).__name__}")
    size = len(data)
    if size > max_bytes:
        raise DocumentTooLarge(
            f"the document is {size} bytes; the limit is {max_bytes} bytes. Split it into smaller documents."
        )
    # No slices of the body: a copy of 1 KiB or more is a large allocation for glibc, which first
    # consolidates every small block the previous document's tree freed.
    raw = data if isinstance(data, bytes) else bytes(data)
    if not size or _NOT_SPACE.search(raw, 0, 4096) is None:
        raise NotWellFormed("the body is empty: send a cXML document")
    elements = count_elements(raw, limits.elements)
    if elements > limits.elements:
        raise DocumentTooLarge(
            f"the document has {elements} elements; the limit is {limits.elements} elements per "
            "document. Split it into smaller documents."
        )
    attributes = count_attributes(raw, limits.attributes)
    if attributes > limits.attributes:
        raise DocumentTooLarge(
            f"the document has {attributes} attributes; the limit is {limits.attributes} attributes "
            "per document. Split it into smaller documents."
        )
    repairs: list[Repair] = []
    subset = _declares_subset(raw, 65536)  # refuse before libxml2 reads any declaration
    if subset == _DECLARED_SUBSET:
        raise _subset_error()
    if subset == _EMPTY_SUBSET:
        repairs.append(
            Repair("empty-dtd-subset", None, "the DOCTYPE has an empty internal subset [], ignored")
        )
    if raw[:5] == b"<?xml":
        latin = misdeclared_latin(raw)
        if latin is not None:
            raw = latin[0]
            repairs.append(latin[1])
    entities = undeclared_entities(raw)
    if entities is not None:
        raw = entities[0]
        repairs += entities[1]
    parser: etree.XMLParser = (
        _blank_dropping_parser() if drop_blanks and not repairs and _plain_markup(raw) else hardened_parser()
    )
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        error = _syntax_error(exc)
        redecoded = read_as_windows_1252(raw) if "encoding" in error.message else None
        if redecoded is None:
            raise error from None
        raw = redecoded[0]
        repairs.append(redecoded[1])
        try:
            root = etree.fromstring(raw, hardened_parser())
        except etree.XMLSyntaxError as again:
            raise _syntax_error(again) from None
    tree = root.getroottree()
    if _has_internal_subset(tree):
        raise _subset_error()
    return tree, repairs


def _subset_error() -> ForbiddenConstruct:
    return ForbiddenConstruct(
        "the DOCTYPE carries an internal DTD subset (inline declarations or entities); cXML "
        'only names its external DTD, e.g. <!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/'
        'cXML/1.2.071/cXML.dtd">. Remove the [...] part.',
        path="/",
    )


def _has_internal_subset(tree: etree._ElementTree) -> bool:
    """True when libxml2 read declarations from an internal subset.

    lxml reports ``docinfo.internalDTD`` for every DOCTYPE (libxml2 keeps the declaration there),
    so its declarations are checked. A subset without entity or element declarations (empty, or
    ATTLIST only) has already been refused by ``_declares_subset`` before parsing.
    """
    dtd = tree.docinfo.internalDTD
    if dtd is None:
        return False
    for _ in dtd.iterentities():  # type: ignore[attr-defined]  # lxml-stubs lack DTD.iterentities
        return True
    for _ in dtd.iterelements():  # type: ignore[attr-defined]  # lxml-stubs lack DTD.iterelements
        return True
    return False


#: How many "!" ``_declares_subset`` looks at one by one before it searches for "<!DOCTYPE" itself.
_BANGS = 32
_NO_SUBSET, _EMPTY_SUBSET, _DECLARED_SUBSET = 0, 1, 2
_EMPTY = re.compile(rb"\s*\]")


def _declares_subset(data: bytes, end: int) -> int:
    """Whether a DOCTYPE in the first ``end`` bytes has an internal subset (``_DECLARED_SUBSET``),
    an empty one, ``[]`` (``_EMPTY_SUBSET``), or none.

    ``_SUBSET.search(data, 0, end)``, anchored at each ``<!DOCTYPE``: a regex search over 64 KiB
    stops at every ``<`` and costs a tenth of the whole lxml parse, and so does
    ``bytes.find(b"<!DOCTYPE")`` when it has to run to the end (as it does to make sure there is no
    second declaration). Every declaration starts with ``<!``, and "!" is rare in cXML:
    ``bytes.find(b"!")`` (memchr) visits them at a fraction of the cost. A head with many "!" falls
    back to searching for the declaration itself."""
    found = _NO_SUBSET
    bang = -1
    for _ in range(_BANGS):
        bang = data.find(b"!", bang + 1, end)
        if bang < 0:
            return found
        if bang and data[bang - 1] == 0x3C:  # 0x3C: "<"
            match = _SUBSET.match(data, bang - 1, end)
            if match:
                if not _EMPTY.match(data, match.end(), end):
                    return _DECLARED_SUBSET
                found = _EMPTY_SUBSET
    start = data.find(b"<!DOCTYPE", bang, end)
    while start >= 0:
        match = _SUBSET.match(data, start, end)
        if match:
            if not _EMPTY.match(data, match.end(), end):
                return _DECLARED_SUBSET
            found = _EMPTY_SUBSET
        start = data.find(b"<!DOCTYPE", start + 1, end)
    return found


def _syntax_error(exc: etree.XMLSyntaxError) -> NotWellFormed | DocumentTooComplex:
    line, column = exc.position if exc.position else (0, 0)
    reason = (exc.msg or str(exc)).split(", line ")[0]
    where = f"line {line}, column {column}"
    if "depth" in reason.lower() or "nested" in reason.lower():
        return DocumentTooComplex(
            f"elements are nested more than {MAX_DEPTH} levels deep at {where}; cXML documents need "
            "only a few dozen levels.",
            path=f"line {line}",
        )
    if "resource limit" in reason.lower() or "huge" in reason.lower():
        # libxml2's own caps on one name, text node or attribute value (10 MB), beyond ours
        return DocumentTooComplex(
            f"a single name, text or attribute value at {where} is larger than an XML parser accepts; "
            "send large content in smaller pieces.",
            path=f"line {line}",
        )
    if "utf-8" in reason.lower() or "encoding" in reason.lower():
        return NotWellFormed(
            f"the body is not valid text in its declared encoding at {where} ({reason}). Send UTF-8, "
            'or declare the encoding you use in <?xml version="1.0" encoding="…"?>.',
            path=f"line {line}",
        )
    return NotWellFormed(
        f"the document is not well-formed XML at {where}: {reason}. Escape & as &amp; and < as &lt; "
        "in text and attribute values.",
        path=f"line {line}",
    )


def parse(
    data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits = DEFAULT_LIMITS
) -> ParseResult:
    """Read a cXML document leniently into typed objects, with warnings for what was forgiven.

    Raises :class:`~punchout.cxml.errors.CXMLError` subclasses (each with a cXML status) when
    the body cannot be used at all.

    The cyclic garbage collector is paused while the tree is bound (and resumed afterwards, only
    if it was enabled): binding allocates thousands of small acyclic objects (dataclasses, lists,
    element proxies) that would otherwise trigger collections scanning them for nothing. Reference
    counting still frees everything as usual.
    """
    tree, repairs = _read_tree(data, max_bytes, limits, drop_blanks=True)
    if not gc.isenabled():
        return _bind_exact(data, tree, max_bytes, limits, repairs)
    gc.disable()
    try:
        return _bind_exact(data, tree, max_bytes, limits, repairs)
    finally:
        gc.enable()


def _bind_exact(
    data: bytes | str, tree: etree._ElementTree, max_bytes: int, limits: Limits, repairs: list[Repair]
) -> ParseResult:
    """Bind ``tree``; when it was read without its ignorable white space and some of that may
    have been text (:class:`~punchout.cxml._reader.KeepBlanks`), read ``data`` again keeping
    every text node and bind that instead."""
    try:
        return _bind_tree(tree, limits, repairs)
    except KeepBlanks:
        tree, repairs = _read_tree(data, max_bytes, limits, drop_blanks=False)
        return _bind_tree(tree, limits, repairs)


def _bind_tree(tree: etree._ElementTree, limits: Limits, repairs: list[Repair]) -> ParseResult:
    root = tree.getroot()
    r = Reader(tree, limits.warnings)
    for repair in repairs:
        where = root if repair.line is None else _element_holding(root, repair.line, repair.text)
        r.warn(repair.code, where, repair.message)
    if root.tag != "cXML":
        tag = root.tag if isinstance(root.tag, str) else "?"
        if tag in _UNSUPPORTED_ROOTS:
            raise UnsupportedMessage(
                f"<{tag}> catalog documents are not supported here; send catalogs through the "
                "catalog upload of your account.",
                path=f"/{tag}",
            )
        raise InvalidDocument(f"the root element is <{tag}>; a cXML document starts with <cXML>.", path="/")
    if tree.docinfo.system_url is None:  # type: ignore[attr-defined]  # lxml-stubs lack DocInfo.system_url
        r.add(ParseWarning("no-doctype", "/cXML", "the document has no DOCTYPE"))

    document = _envelope(r, root)
    return ParseResult(document, r.finish())


def _element_holding(root: etree._Element, line: int, text: str | None) -> etree._Element:
    """The element whose text or attributes hold ``text`` and that starts last on or before ``line``
    (a repair knows its line, not its element); else the last element starting on or before it."""
    found = root
    holding: etree._Element | None = None
    for el in root.iter(etree.Element):
        if int(el.sourceline or 0) > line:  # type: ignore[call-overload]  # lxml-stubs: int | None
            break
        found = el
        if text is not None and (
            text in (el.text or "")
            or any(text in str(v) for v in el.attrib.values())
            or any(text in (c.tail or "") for c in el)
        ):
            holding = el
    return holding if holding is not None else found


def _envelope(r: Reader, root: etree._Element) -> CXML:
    payload_id = root.get("payloadID")
    if not payload_id:
        r.warn("missing-payload-id", root, "<cXML> has no payloadID; retries cannot be recognised")
        payload_id = None
    timestamp = r.date(root, "timestamp")
    if root.get("timestamp") is None:
        r.warn("missing-attribute", root, "<cXML> has no timestamp")
    lang = root.get(XML_LANG)
    if lang is not None and not lang.strip():
        r.warn("empty-lang", root, '<cXML> has xml:lang=""')
        lang = None
    mode = DeploymentMode.PRODUCTION
    if root.get("deploymentMode") is not None:
        r.warn("misplaced-attribute", root, "deploymentMode belongs on <Request> or <Message>, not <cXML>")
        mode = r.enum(root, "deploymentMode", DeploymentMode, DeploymentMode.PRODUCTION)

    header: Header | None = None
    wrapper: etree._Element | None = None
    for c in root:
        if c.tag == "Header":
            header = _header(r, c)
        elif c.tag in ("Request", "Message", "Response") and wrapper is None:
            wrapper = c
        else:
            r.unknown(c, root)
    if wrapper is None:
        raise InvalidDocument(
            "the document has no Request, Message or Response: nothing to process.", path="/cXML"
        )
    document = CXML(
        message=Response(),
        payload_id=payload_id,
        timestamp=timestamp,
        header=header,
        deployment_mode=mode,
        version=root.get("version"),
        lang=lang,
        source=root,
    )
    if wrapper.tag == "Response":
        _response(r, wrapper, document)
        return document
    if header is None:
        r.warn("missing-header", root, f"a {wrapper.tag} without a Header cannot be authenticated")
    if wrapper.get("deploymentMode") is not None:
        document.deployment_mode = r.enum(
            wrapper, "deploymentMode", DeploymentMode, DeploymentMode.PRODUCTION
        )
    body: etree._Element | None = None
    for c in wrapper:
        if c.tag == "Status" and wrapper.tag == "Message" and body is None:
            document.status = status(r, c)
        elif body is None:
            body = c
        else:
            r.unknown(c, wrapper)
    if body is None:
        raise InvalidDocument(f"<{wrapper.tag}> is empty: put the message inside it.", path=r.path(wrapper))
    if wrapper.tag == "Message":
        document.in_reply_to = wrapper.get("inReplyTo")
        if header is not None and any(c.shared_secret is not None for c in header.sender):
            r.warn(
                "shared-secret-in-message",
                wrapper,
                "a browser-posted Message carries a SharedSecret; it is ignored and never trusted",
            )
    document.message = _body(r, wrapper, body)
    return document


def _body(r: Reader, wrapper: etree._Element, body: etree._Element) -> MessageBody:
    tag = body.tag if isinstance(body.tag, str) else "?"
    expected = _bind.REQUESTS if wrapper.tag == "Request" else _bind.MESSAGES
    binder = expected.get(tag)
    if binder is None:
        for family in (_bind.REQUESTS, _bind.MESSAGES, _bind.RESPONSES):
            if tag in family:
                r.warn("misplaced-element", body, f"<{tag}> does not belong inside <{wrapper.tag}>")
                binder = family[tag]
                break
    if binder is None:
        raise UnsupportedMessage(
            f"{tag} is not supported by this endpoint. Supported: "
            f"{', '.join(sorted({*_bind.REQUESTS, *_bind.MESSAGES, *_bind.RESPONSES}))}.",
            path=r.path(body),
        )
    r.module = module_for(tag)
    return binder(r, body)


def _response(r: Reader, wrapper: etree._Element, document: CXML) -> None:
    for c in wrapper:
        if c.tag == "Status" and document.status is None:
            document.status = status(r, c)
        elif document.status is not None and isinstance(document.message, Response):
            tag = str(c.tag)
            binder = _bind.RESPONSES.get(tag)
            if binder is None:
                binder = _bind.REQUESTS.get(tag) or _bind.MESSAGES.get(tag)
                if binder is None:
                    raise UnsupportedMessage(
                        f"{tag} is not supported; supported responses: {', '.join(sorted(_bind.RESPONSES))}.",
                        path=r.path(c),
                    )
                # a request or message sent inside <Response>: read as what it is
                r.warn(
                    "misplaced-element",
                    c,
                    f"<{tag}> is a {'request' if tag in _bind.REQUESTS else 'message'} sent inside "
                    f"<Response>; it was read as a {tag}, and the Response's Status cannot be kept",
                )
            r.module = module_for(tag)
            document.message = binder(r, c)
        else:
            r.unknown(c, wrapper)
    if document.status is None:
        raise InvalidDocument(
            "<Response> has no Status: send <Status code=... text=.../>.", path=r.path(wrapper)
        )


def _header(r: Reader, el: etree._Element) -> Header:
    header = Header(source=el)
    seen: set[str] = set()
    for c in el:
        tag = c.tag
        if tag in ("From", "To", "Sender"):
            seen.add(tag)
            credentials = []
            for p in c:
                if p.tag == "Credential":
                    credentials.append(credential(r, p))
                elif p.tag == "UserAgent" and tag == "Sender":
                    header.user_agent = (p.text or "").strip()
                else:
                    r.unknown(p, c)
            if tag == "From":
                header.from_ = credentials
            elif tag == "To":
                header.to = credentials
            else:
                header.sender = credentials
        else:
            r.unknown(c, el)
    for name in ("From", "To", "Sender"):
        if name not in seen:
            r.missing(el, name)
    return header
