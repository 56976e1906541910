"""Background tasks shared by both sites."""

from __future__ import annotations

import logging

from django_tasks import task

from openprocure.core import outbox

logger = logging.getLogger(__name__)


@task()
def deliver_outbox_message(message_id: int) -> str:
    """Deliver one outbox message (claiming it first, so a duplicate task is harmless)."""
    return outbox.deliver_message(message_id).status


@task()
def deliver_outbox_messages(message_ids: list[int]) -> list[str]:
    """Deliver several outbox messages one after the other (documents of one unit of work, for one
    destination host: see ``outbox.schedule_deliveries``).

    A message whose delivery fails unexpectedly is logged and left to the sweeper; the others go on.
    """
    statuses = []
    for message_id in message_ids:
        try:
            statuses.append(outbox.deliver_message(message_id).status)
        except Exception:
            logger.exception("outbox %s: delivery failed; the sweeper schedules it again", message_id)
            statuses.append("error")
    return statuses


@task()
def sweep_outbox() -> int:
    """Re-schedule due outbox messages whose task was lost (a worker died, a backend restarted)."""
    return outbox.sweep()


@task()
def send_mail_later(subject: str, body: str, recipients: list[str], attempt: int) -> bool:
    """Another attempt at an e-mail the mail server did not take (see :mod:`openprocure.core.mail`)."""
    from openprocure.core.mail import deliver

    return deliver(subject, body, recipients, attempt=attempt)
