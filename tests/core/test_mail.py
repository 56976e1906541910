"""``core.mail``: a mail server that is down delays e-mail, never loses it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail as outbox
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from openprocure.core import mail
from openprocure.core.mail import send_mail_later
from tests.core.processes import closed_port

pytestmark = pytest.mark.django_db

TASK = "openprocure.core.mail.send_mail_later"


@pytest.fixture
def smtp_down(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 2
    return settings


def test_a_refused_message_becomes_a_later_attempt_and_is_sent_when_the_server_is_back(
    smtp_down, caplog
) -> None:  # type: ignore[no-untyped-def]
    before = timezone.now()
    assert mail.deliver("Order 111-1 confirmed", "Thank you.", ["rita@acme.test"]) is False
    (task,) = DBTaskResult.objects.filter(task_path=TASK)
    assert task.args_kwargs == {
        "args": ["Order 111-1 confirmed", "Thank you.", ["rita@acme.test"], 2],
        "kwargs": {},
    }
    # The first retry waits the outbox's first backoff step: 5 s plus up to 25 % jitter.
    assert before + timedelta(seconds=5) <= task.run_after <= timezone.now() + timedelta(seconds=6.25)
    assert "e-mail 'Order 111-1 confirmed' to rita@acme.test not sent (attempt 1" in caplog.text
    # The server is back: the task's attempt sends it, and schedules nothing more.
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_mail_later.call(*task.args_kwargs["args"]) is True
    assert [(m.subject, m.to, m.body) for m in outbox.outbox] == [
        ("Order 111-1 confirmed", ["rita@acme.test"], "Thank you.")
    ]
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1


def test_each_failure_doubles_the_wait_and_the_last_attempt_gives_up(smtp_down, caplog) -> None:  # type: ignore[no-untyped-def]
    assert send_mail_later.call("S", "B", ["a@acme.test"], 3) is False
    (task,) = DBTaskResult.objects.filter(task_path=TASK)
    assert task.args_kwargs["args"][3] == 4
    assert timezone.now() + timedelta(seconds=19) <= task.run_after  # 20 s after a third failure
    assert mail.deliver("S", "B", ["a@acme.test"], attempt=mail.MAX_ATTEMPTS) is False
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1  # nothing more scheduled
    assert f"e-mail 'S' to a@acme.test not sent after {mail.MAX_ATTEMPTS} attempts, given up" in caplog.text


def test_send_after_commit_sends_nothing_for_work_that_rolled_back(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        mail.send_after_commit("Never", "Rolled back.", "x@acme.test")
        raise RuntimeError("the work failed")
    with django_capture_on_commit_callbacks(execute=True):
        mail.send_after_commit("Sent", "Committed.", "y@acme.test")
    assert [(m.subject, m.to) for m in outbox.outbox] == [("Sent", ["y@acme.test"])]
