"""Read the file-based mail spool, so the demo can show every message it sent."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
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


def read_spool(*, limit: int = 200) -> list[SpooledMail]:
    """The newest messages first. A spool file may hold several messages separated by dashes."""
    folder = spool_dir()
    if folder is None or not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    found: list[SpooledMail] = []
    for path in files:
        chunks = path.read_bytes().split(b"\n" + b"-" * 79 + b"\n")
        for index, chunk in enumerate(reversed([c for c in chunks if c.strip()])):
            message = email.message_from_bytes(chunk.strip(), policy=email.policy.default)
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
