"""What every platform adapter offers, and what it hands back (no Django here but settings-free data).

A platform (Plateforme Agréée, PA) carries a legal entity's e-invoices and lifecycle statuses. An
adapter pushes one file (an invoice or a CDAR status), pulls the inbound flows waiting for the
entity, and is told when each inbound flow has been handled (so a folder adapter files it under
``done/`` or ``failed/``; an HTTP platform that keeps no per-consumer state simply forgets it).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class FlowKind(enum.StrEnum):
    INVOICE = "invoice"
    STATUS = "status"


@dataclass(frozen=True)
class InboundFlow:
    """One file the platform holds for us: an invoice (UBL, CII, Factur-X) or a CDAR status.

    ``id`` names it for :meth:`Platform.acknowledge` and stays the same however often it is pulled
    (so a flow handled before a crash is recognised and not handled twice)."""

    id: str
    kind: FlowKind
    name: str
    content: bytes
    content_type: str
    updated_at: datetime | None = None


class PlatformError(Exception):
    """A push or pull the platform did not take; ``retryable`` when trying again later may help
    (network, timeout, HTTP 5xx or 429), else the platform refused it (HTTP 4xx: fix, then resend)."""

    def __init__(self, text: str, *, status_code: int = 0, retryable: bool = True, body: bytes = b"") -> None:
        self.text = text
        self.status_code = status_code
        self.retryable = retryable
        self.body = body
        super().__init__(text)


class Platform(Protocol):
    """One entity's platform, whichever adapter speaks to it."""

    def push(self, *, kind: FlowKind, name: str, content: bytes, content_type: str) -> str:
        """Hand one file to the platform; the platform's id for it. Raises :class:`PlatformError`."""
        ...

    def pull(self) -> list[InboundFlow]:
        """The inbound flows waiting (oldest first). Raises :class:`PlatformError`."""
        ...

    def acknowledge(self, flow: InboundFlow, *, accepted: bool, reason: str = "") -> None:
        """``flow`` was handled: taken (``accepted``) or refused, with the reason."""
        ...

    def check(self) -> None:
        """Try the connection cheaply, exchanging no flow (the administration page's "Test
        connection"). Raises :class:`PlatformError` saying what failed."""
        ...


def kind_of(content: bytes) -> FlowKind:
    """A CDAR status message or an invoice, from the first bytes of the file (a PDF is an invoice)."""
    return FlowKind.STATUS if b"CrossDomainAcknowledgementAndResponse" in content[:4096] else FlowKind.INVOICE


def syntax_of(content: bytes, content_type: str) -> str:
    """The XP Z12-013 ``flowSyntax`` of a file: CDAR, Factur-X, UBL or CII."""
    if kind_of(content) == FlowKind.STATUS:
        return "CDAR"
    if content_type == "application/pdf" or content.startswith(b"%PDF"):
        return "Factur-X"
    if b"urn:oasis:names:specification:ubl:schema:xsd:" in content[:4096]:
        return "UBL"
    return "CII"
