"""E-mail that a mail server's outage delays instead of losing.

:func:`send_after_commit` sends once the current transaction commits (nothing goes out for work
that rolled back). :func:`deliver` sends now; when the mail server refuses or cannot be reached,
the message becomes a task that tries again later with exponential backoff and jitter (the
outbox's policy: 5 s, 10 s, 20 s … up to an hour), at most :data:`MAX_ATTEMPTS` times, each
failure logged with its recipients. The caller's work is never turned into an error by e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from openprocure.core.outbox import backoff_delay

logger = logging.getLogger(__name__)

# Attempts in all (the first one included) before a message is given up and logged as an error.
MAX_ATTEMPTS = 8


def send_after_commit(subject: str, body: str, to: str | Sequence[str]) -> None:
    """Send an e-mail once the current transaction commits (at once outside a transaction)."""
    recipients = [to] if isinstance(to, str) else list(to)
    transaction.on_commit(lambda: deliver(subject, body, recipients), robust=True)


def deliver(subject: str, body: str, recipients: Sequence[str], *, attempt: int = 1) -> bool:
    """Send now; on failure schedule the next attempt (see the module). Whether it was sent."""
    try:
        send_mail(subject, body, None, list(recipients))
        return True
    except Exception as error:  # smtplib's errors are OSErrors or SMTPException; both mean "later"
        if attempt >= MAX_ATTEMPTS:
            logger.error(
                "e-mail %r to %s not sent after %d attempts, given up: %s",
                subject,
                ", ".join(recipients),
                attempt,
                error,
            )
            return False
        when = timezone.now() + backoff_delay(attempt)
        logger.warning(
            "e-mail %r to %s not sent (attempt %d: %s); trying again at %s",
            subject,
            ", ".join(recipients),
            attempt,
            error,
            when.isoformat(timespec="seconds"),
        )
        send_mail_later.using(run_after=when).enqueue(subject, body, list(recipients), attempt + 1)
        return False


@task()
def send_mail_later(subject: str, body: str, recipients: list[str], attempt: int) -> bool:
    """Another attempt at an e-mail the mail server did not take (see the module). (Tasks stored
    before it moved here name ``openprocure.core.tasks``, which still answers to that path.)"""
    return deliver(subject, body, recipients, attempt=attempt)
