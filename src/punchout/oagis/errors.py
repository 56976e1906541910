"""Errors of the OAGIS core, each with the HTTP status a partner should receive.

A refusal names what was wrong in the received document and where (an element path such as
``/ProcessPurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderLine[2]/Quantity``). The receiving side
answers a refused BOD with a ConfirmBOD whose error message carries this text.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BuildError",
    "DocumentTooLarge",
    "ForbiddenConstruct",
    "InvalidBOD",
    "NotWellFormed",
    "OAGISError",
    "UnsupportedBOD",
]


class OAGISError(Exception):
    """Base of every OAGIS failure: a ``message``, the element ``path`` it concerns, a status."""

    default_status: ClassVar[int] = 400
    #: a stable reason code, sent as the ReasonCode of the ConfirmBOD's error message
    code: ClassVar[str] = "error"

    def __init__(self, message: str, *, path: str | None = None, status_code: int | None = None) -> None:
        self.message = message
        self.path = path
        self.status_code = status_code if status_code is not None else self.default_status
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class NotWellFormed(OAGISError):
    """The body is not XML at all (syntax error, invalid encoding): 400."""

    code = "not-well-formed"


class DocumentTooLarge(OAGISError):
    """The body exceeds the size limit: 413 (do not retry as is)."""

    code = "too-large"

    default_status = 413


class ForbiddenConstruct(OAGISError):
    """A DOCTYPE or an entity declaration; BODs are described by XML schemas, never by a DTD: 400."""

    code = "forbidden-construct"


class UnsupportedBOD(OAGISError):
    """Well-formed XML that is not one of the BODs this core reads: 501 Not Implemented."""

    code = "unsupported-bod"

    default_status = 501


class InvalidBOD(OAGISError):
    """A BOD that lacks what every reader needs, or states a value that cannot be read: 400."""

    code = "invalid-bod"


class BuildError(OAGISError):
    """The model cannot be written as a schema-valid BOD (something required is missing)."""

    code = "cannot-build"

    default_status = 500
