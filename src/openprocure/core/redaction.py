"""Secrets that travel in URLs never reach a log: paths and query strings are redacted first.

What a URL may carry that opens something (a bearer secret):

- PunchOut session keys and start tokens (``/po/<key>/…``, ``/po/start/<token>/``);
- the buyer's cart return address (``/punchout/return/<BuyerCookie>/``);
- invitation, set-password and e-mail approval tokens (``/business/invitation/<token>/``,
  ``/accounts/set-password/<uid>/<token>/``, ``/approvals/email/<token>/``);
- any query parameter whose name says password, secret, token or key (OCI's ``PASSWORD``,
  ``?token=…``, ``api_key=…``).

``redact`` replaces each with ``[redacted]``; the gunicorn access log (``RedactingLogger``) and
Django's log records (``RedactingFilter``) go through it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"
_SEGMENT = r"[^/?#\s\"']+"
_PATHS = re.compile(
    r"(?P<keep>/po/start/|/punchout/return/|/business/invitation/|/approvals/email/"
    rf"|/accounts/set-password/{_SEGMENT}/)"
    rf"(?P<secret>{_SEGMENT})"
    # A PunchOut session key: /po/<key>/ (keys are 40 to 64 URL-safe characters; "start" is not one).
    r"|(?P<po>/po/)(?P<key>[A-Za-z0-9_-]{20,})",
)
_QUERY = re.compile(
    r"(?P<name>(?:^|[?&;\s])[^=&;\s#?]*(?:pass(?:word|wd)?|pwd|secret|token|key)[^=&;\s#]*=)"
    r"(?P<value>[^&;\s#\"']*)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` (a path, a query string, a request line or a log message) without URL secrets."""
    if not text:
        return text
    text = _PATHS.sub(
        lambda m: f"{m['keep']}{REDACTED}" if m["keep"] else f"{m['po']}{REDACTED}",
        text,
    )
    return _QUERY.sub(lambda m: f"{m['name']}{REDACTED}" if m["value"] else m[0], text)


class RedactingLogger(GunicornLogger):
    """gunicorn's logger with every access-log field redacted (``--logger-class``)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {name: redact(value) if isinstance(value, str) else value for name, value in atoms.items()}


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the formatted message (``Not Found: /po/<key>/…`` and the like)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
