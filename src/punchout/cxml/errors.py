"""Errors of the cXML core, each mapped to the cXML Status a partner should receive.

cXML status codes follow HTTP semantics (cXML User's Guide, "Status" element): 2xx accepted, 4xx a
permanent failure the sender must fix, 5xx a transient failure worth retrying. Every message says
what was wrong, where (an element path) and what to do next, and never contains a SharedSecret.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BuildError",
    "CXMLError",
    "DocumentTooComplex",
    "DocumentTooLarge",
    "ForbiddenConstruct",
    "InvalidDocument",
    "NotWellFormed",
    "UnsupportedMessage",
]


class CXMLError(Exception):
    """Base of every cXML failure; ``punchout.cxml.error_response(error)`` gives the cXML Response to
    send back."""

    default_status: ClassVar[int] = 400
    default_text: ClassVar[str] = "Bad Request"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        status_code: int | None = None,
        text: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.status_code = status_code if status_code is not None else self.default_status
        self.text = text if text is not None else self.default_text
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.status_code} {self.text}: {self.message}"


class NotWellFormed(CXMLError):
    """The body is not XML at all (syntax error, invalid UTF-8): 400 Bad Request."""


class DocumentTooLarge(CXMLError):
    """The body exceeds the size limit; 413 (HTTP "Content Too Large", a 4xx: do not retry as is)."""

    default_status = 413
    default_text = "Request Entity Too Large"


class DocumentTooComplex(CXMLError):
    """The document nests elements deeper than any cXML document needs: 400 Bad Request."""


class ForbiddenConstruct(CXMLError):
    """An internal DTD subset or an entity declaration; cXML only names its external DTD: 400."""


class UnsupportedMessage(CXMLError):
    """A well-formed cXML message type this system does not handle: 450 Not Implemented."""

    default_status = 450
    default_text = "Not Implemented"


class InvalidDocument(CXMLError):
    """A required business element or attribute is missing or unusable: 400 Bad Request."""


class BuildError(CXMLError):
    """Our own model is incomplete and cannot be emitted as valid cXML: 500 on our side."""

    default_status = 500
    default_text = "Internal Server Error"
