"""Read the file-based mail spool, so the demo can show every message it sent."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class SpooledMail:
    """One message found in the spool."""

    key: str
    subject: str
    sender: str
    recipients: str
    date: str
    body: str
    html: str


def spool_dir() -> Path | None:
    """The spool folder, or None when mail goes out by SMTP."""
    path = getattr(settings, "EMAIL_FILE_PATH", None)
    return Path(path) if path else None


def addressees(message: EmailMessage) -> set[str]:
    """The addresses a message was sent to (To and Cc), lower-cased."""
    pairs = getaddresses([str(value) for name in ("To", "Cc") for value in message.get_all(name, [])])
    return {address.strip().lower() for _name, address in pairs if address.strip()}


def read_spool(*, limit: int = 200, addressed_to: str | None = None) -> list[SpooledMail]:
    """The newest messages first. A spool file may hold several messages separated by dashes.

    With ``addressed_to``, only the messages sent to that address (the demo mailbox shows each
    person their own mail: an approval e-mail's links are for its addressee only).
    """
    wanted = addressed_to.strip().lower() if addressed_to is not None else None
    folder = spool_dir()
    if folder is None or not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    found: list[SpooledMail] = []
    for path in files:
        chunks = path.read_bytes().split(b"\n" + b"-" * 79 + b"\n")
        for index, chunk in enumerate(reversed([c for c in chunks if c.strip()])):
            message = email.message_from_bytes(chunk.strip(), policy=email.policy.default)
            if wanted is not None and wanted not in addressees(message):
                continue
            found.append(_summarise(f"{path.stem}-{index}", message))
            if len(found) >= limit:
                return found
    return found


def _summarise(key: str, message: EmailMessage) -> SpooledMail:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return SpooledMail(
        key=key,
        subject=str(message.get("Subject", "")),
        sender=str(message.get("From", "")),
        recipients=str(message.get("To", "")),
        date=str(message.get("Date", datetime.now().isoformat())),
        body=plain.get_content() if plain is not None else "",
        html=html.get_content() if html is not None else "",
    )
