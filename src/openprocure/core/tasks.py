"""Background tasks shared by both sites.

The outbox's delivery tasks live in ``openprocure.core.outbox`` and the e-mail retry in
``openprocure.core.mail``, beside the code that enqueues them; they are named here too, so tasks
stored under their former paths (``openprocure.core.tasks.…``) still run.
"""

from __future__ import annotations

from django_tasks import task

from openprocure.core import housekeeping as housekeeping_round
from openprocure.core import outbox
from openprocure.core.mail import send_mail_later
from openprocure.core.outbox import deliver_outbox_message, deliver_outbox_messages

__all__ = [
    "deliver_outbox_message",
    "deliver_outbox_messages",
    "housekeeping",
    "send_mail_later",
    "sweep_outbox",
]


@task()
def sweep_outbox() -> int:
    """Re-schedule due outbox messages whose task was lost (a worker died, a backend restarted)."""
    return outbox.sweep()


@task()
def housekeeping() -> dict[str, int]:
    """Fail background work left running by a lost worker, delete files past their retention."""
    return housekeeping_round.run()
