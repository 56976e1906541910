"""A cXML party as the command line names it: ``DOMAIN:ID`` (``NetworkId:AN01000000001``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Party"]


@dataclass(frozen=True, slots=True)
class Party:
    domain: str
    identity: str

    @classmethod
    def parse(cls, text: str) -> Party:
        """``DOMAIN:ID``; the identity may itself contain colons (only the first one splits)."""
        domain, sep, identity = text.partition(":")
        if not sep or not domain.strip() or not identity.strip():
            raise ValueError(f"{text!r} is not DOMAIN:ID (for example NetworkId:AN01000000001)")
        return cls(domain.strip(), identity.strip())

    def __str__(self) -> str:
        return f"{self.domain}:{self.identity}"
