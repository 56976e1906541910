"""What every cXML answer must be: HTTP, content type, well-formed cXML, DTD-valid, the right Status."""

from __future__ import annotations

from pathlib import Path

from punchout.conformance.runner import CheckFailed, Runner
from punchout.cxml.common import CXML
from punchout.cxml.dtd import validate as dtd_validate
from punchout.cxml.errors import CXMLError
from punchout.cxml.parser import parse
from punchout.cxml.transport import HttpAnswer

__all__ = ["DTD_DIR", "XML_TYPES", "cxml_answer"]

#: The project's own copy of the cXML DTDs (nothing is fetched from the network).
DTD_DIR = Path(__file__).resolve().parent.parent / "cxml" / "dtd"
XML_TYPES = ("text/xml", "application/xml")


def cxml_answer(
    runner: Runner,
    answer: HttpAnswer,
    *,
    codes: range = range(200, 300),
    what: str = "the answer",
) -> CXML:
    """Check an answer that must be a cXML Response with a Status code in ``codes``; return it parsed.

    Fails on: an HTTP status outside 200-299 with no cXML inside, a body that is not cXML (HTML,
    JSON, empty), a Status code outside ``codes``. Warns on: a content type other than text/xml or
    application/xml, DTD errors, an HTTP status that contradicts the cXML Status.
    """
    if not answer.body.strip():
        raise CheckFailed(
            f"{what} was HTTP {answer.status} with an empty body.",
            "Answer every cXML request with a cXML Response carrying a Status.",
            http_status=answer.status,
        )
    try:
        result = parse(answer.body)
    except CXMLError as exc:
        kind = (
            "HTML"
            if answer.body.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html"))
            else answer.content_type or "not cXML"
        )
        raise CheckFailed(
            f"{what} was HTTP {answer.status} ({kind}), not a cXML document: {exc.message}",
            "Answer with a cXML Response (Content-Type text/xml), also for errors: an error page "
            "cannot be read by a procurement system.",
            http_status=answer.status,
        ) from None
    document = result.document
    if answer.content_type not in XML_TYPES:
        runner.warn(
            f"{what} is cXML but its Content-Type is {answer.content_type or 'missing'!r}.",
            "Send cXML with Content-Type text/xml; charset=UTF-8.",
        )
    errors = dtd_validate(answer.body, DTD_DIR)
    if errors:
        runner.warn(
            f"{what} is not valid against the cXML DTD: {'; '.join(errors[:3])}"
            + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""),
            "Build documents that follow the cXML DTD named in their DOCTYPE.",
        )
    status = document.status
    if status is None:
        raise CheckFailed(
            f"{what} is a cXML {document.kind} without a Status.",
            "Every cXML Response carries a Status element with a code.",
        )
    if status.code not in codes:
        text = f"{status.code} {status.text}" + (f": {status.message}" if status.message else "")
        raise CheckFailed(
            f"{what} has cXML Status {text} (expected {codes.start} to {codes.stop - 1}).",
            "",
            status_code=status.code,
        )
    if 200 <= status.code < 300 and not 200 <= answer.status < 300:
        runner.warn(
            f"{what} says cXML Status {status.code} but HTTP {answer.status}.",
            "Send HTTP 200 with a successful cXML Status.",
        )
    return document
