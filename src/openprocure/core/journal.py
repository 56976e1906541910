"""The document journal: keep every exchanged document raw (secrets masked) and parsed."""

from __future__ import annotations

import re
from typing import Any

from openprocure.core import rows
from openprocure.core.fields import PAYLOAD_ID_LENGTH
from openprocure.core.models import Document
from punchout.cxml.limits import MAX_WARNINGS, MORE_WARNINGS

# An element that holds a secret, from its start tag to its end tag: the tag name ends where
# whitespace or ">" follows, and a self-closing element (nothing to mask) is never taken for a start
# tag, so the match never runs on past it into the rest of the document.
_SECRET_ELEMENT = re.compile(
    rb"(<(?P<tag>SharedSecret|CredentialMac|DigitalSignature)(?:\s[^>]*)?(?<!/)>)(.*?)(</(?P=tag)\s*>)",
    re.DOTALL | re.IGNORECASE,
)
_SECRET_FIELD = re.compile(r"(?i)^(password|pass|pwd|sharedsecret|secret|.*password.*)$")
MASK = "********"


def mask_secrets(raw: bytes | str) -> str:
    """The document with every SharedSecret (and similar) value replaced by a fixed mask.

    Only the content of those elements changes, whatever the secret is: the mask is anchored on the
    element, never found by looking for the secret's text (a one-letter secret would otherwise be
    replaced in every word that contains the letter). Works on bytes that may not even be
    well-formed XML, so a broken document is still kept.
    """
    data = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw
    return mask_secret_bytes(data).decode("utf-8", "replace")


def mask_secret_bytes(raw: bytes) -> bytes:
    """:func:`mask_secrets` on bytes, keeping them bytes (whatever encoding the document declares)."""
    return _SECRET_ELEMENT.sub(lambda m: m.group(1) + MASK.encode() + m.group(4), raw)


def mask_form(fields: dict[str, Any]) -> dict[str, Any]:
    """A copy of form fields (OCI call-up, login) with password-like values masked."""
    return {key: (MASK if _SECRET_FIELD.match(key.lstrip("~")) else value) for key, value in fields.items()}


def capped_warnings(warnings: list[dict[str, str]], limit: int = MAX_WARNINGS) -> list[dict[str, str]]:
    """At most ``limit`` warnings: the first ``limit - 1`` and one last entry saying how many more.

    A parsed cXML document already keeps at most as many (``punchout.cxml.limits``); this bounds
    what the journal stores whatever the source.
    """
    if len(warnings) <= limit:
        return warnings
    kept = warnings[: limit - 1]
    more = len(warnings) - len(kept)
    return [*kept, {"code": MORE_WARNINGS, "path": "", "message": f"{more} more warnings were not kept"}]


def journal_entry(
    *,
    direction: str,
    raw: bytes | str,
    kind: str = "",
    payload_id: str = "",
    protocol: str = "cxml",
    partner: str = "",
    reference: str = "",
    parsed: dict[str, Any] | None = None,
    warnings: list[dict[str, str]] | None = None,
    status_code: int | None = None,
    status_text: str = "",
    in_reply_to: Document | None = None,
    content_type: str = "",
    remote_addr: str | None = None,
) -> Document:
    """One journal entry, secrets masked, not saved yet (for ``bulk_create`` of several at once)."""
    return Document(
        direction=direction,
        protocol=protocol,
        kind=kind[:64],
        payload_id=payload_id[:PAYLOAD_ID_LENGTH],
        partner=partner[:200],
        reference=reference[:200],
        raw=mask_secrets(raw),
        parsed=parsed or {},
        warnings=capped_warnings(warnings or []),
        status_code=status_code,
        status_text=status_text,
        in_reply_to=in_reply_to,
        content_type=content_type[:100],
        remote_addr=remote_addr,
    )


def record_document(**fields: Any) -> Document:
    """Store one document in the journal, masking secrets first (``fields`` as for :func:`journal_entry`)."""
    entry = journal_entry(**fields)
    rows.insert([entry])
    return entry
