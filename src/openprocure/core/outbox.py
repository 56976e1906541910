"""The outbox: every document we send to a partner is stored first, then delivered by a worker.

Rules (the same on every task backend):
- a message is claimed with a lease by one worker at a time (an atomic conditional UPDATE, so it
  works on SQLite and PostgreSQL alike and two workers never send the same message at once);
- a cXML 2xx answer marks it delivered; a network error, HTTP 5xx or cXML 5xx schedules a retry
  with exponential backoff and jitter; a cXML or HTTP 4xx is permanent and stops retries, keeping
  the partner's text for people to read;
- a worker that dies mid-delivery leaves a lease that expires; the sweeper puts the message back
  and the partner recognises the repeat by its payloadID.
"""

from __future__ import annotations

import logging
import random
import re
import secrets
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from openprocure.core import rows
from openprocure.core.choices import Direction, OutboxStatus
from openprocure.core.journal import journal_entry, record_document
from openprocure.core.models import DeliveryAttempt, OutboxMessage
from punchout.cxml.transport import PermanentDeliveryError, TransientDeliveryError, post_cxml

logger = logging.getLogger(__name__)

# How long a worker may hold a message before another may take it over (seconds).
LEASE_SECONDS = 120
# First retry delay and its ceiling (seconds); each failure doubles the delay, plus up to 25% jitter.
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 3600
# Timeout of one HTTP delivery (seconds).
DELIVERY_TIMEOUT_SECONDS = 30.0
# Messages stored together are delivered by one task, this many at most (the rest by more tasks).
DELIVERIES_PER_TASK = 20


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one call of :func:`deliver_message`."""

    delivered: bool
    status: str
    detail: str


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Delay before the next attempt after ``attempts`` failures: exponential, capped, with jitter."""
    base = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    jitter = (rng or random).uniform(0, base * 0.25)
    return timedelta(seconds=base + jitter)


def enqueue_document(
    *,
    kind: str,
    url: str,
    payload_id: str,
    body: bytes | str,
    reference: str = "",
    partner: str = "",
    content_type: str = "text/xml; charset=utf-8",
) -> OutboxMessage:
    """Store a document for delivery and schedule a worker task once the transaction commits.

    Storing the same payloadID twice returns the existing message: a retried caller never creates
    a second delivery.
    """
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            payload_id=payload_id,
            defaults={
                "kind": kind,
                "url": url,
                "body": text,
                "reference": reference,
                "partner": partner,
                "content_type": content_type,
            },
        )
        if created:
            message.document = record_document(
                direction=Direction.OUTBOUND,
                raw=text,
                kind=kind,
                payload_id=payload_id,
                partner=partner,
                reference=reference,
                content_type=content_type,
            )
            message.save(update_fields=["document"])
            schedule_delivery(message.pk)
    return message


@dataclass(frozen=True)
class Outgoing:
    """One document to store in the outbox with :func:`enqueue_documents`."""

    kind: str
    url: str
    payload_id: str
    body: bytes | str
    reference: str = ""
    partner: str = ""
    content_type: str = "text/xml; charset=utf-8"


def enqueue_documents(documents: Sequence[Outgoing]) -> list[OutboxMessage]:
    """Store several new documents for delivery at once, in the caller's transaction.

    For documents whose payloadIDs were just generated: one statement per table (journal, outbox)
    instead of four per document with :func:`enqueue_document`, and one after-commit callback
    scheduling them all. A payloadID already stored is not looked up: it raises ``IntegrityError``
    (the unique payloadID); use :func:`enqueue_document` when a retried caller may store the same
    document again.
    """
    if not documents:
        return []
    texts = [d.body.decode("utf-8") if isinstance(d.body, bytes) else d.body for d in documents]
    with transaction.atomic(savepoint=False):
        entries = [
            journal_entry(
                direction=Direction.OUTBOUND,
                raw=text,
                kind=document.kind,
                payload_id=document.payload_id,
                partner=document.partner,
                reference=document.reference,
                content_type=document.content_type,
            )
            for document, text in zip(documents, texts, strict=True)
        ]
        rows.insert(entries)
        messages = [
            OutboxMessage(
                kind=document.kind,
                url=document.url,
                payload_id=document.payload_id,
                body=text,
                reference=document.reference,
                partner=document.partner,
                content_type=document.content_type,
                document=entry,
            )
            for document, text, entry in zip(documents, texts, entries, strict=True)
        ]
        rows.insert(messages)
        schedule_deliveries([message.pk for message in messages])
    return messages


def _tasks_in_this_transaction(task: Any) -> bool:
    """Whether ``task``'s backend stores tasks as rows of the database we are writing to, inside a
    transaction: then a task is enqueued in that transaction, committed or rolled back with the
    messages it delivers (one write transaction less, and no window where a message is committed
    but its task not yet stored). Other backends (RQ) are told after commit, as a worker could
    otherwise run before the messages are visible."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    alias = router.db_for_write(OutboxMessage)
    return (
        isinstance(task.get_backend(), DatabaseBackend)
        and router.db_for_write(DBTaskResult) == alias
        and connections[alias].in_atomic_block
    )


def _when_committed(enqueue: Callable[[], None], task: Any) -> None:
    if _tasks_in_this_transaction(task):
        try:
            with transaction.atomic():  # a savepoint: a failure to enqueue never undoes the caller's work
                enqueue()
        except Exception:
            logger.exception("outbox: could not enqueue a delivery task; the sweeper schedules it again")
    else:
        # robust: the messages are already stored, so a failure to enqueue (a busy task database, a
        # broker that is down) is only logged — the sweeper schedules them again — and never turns
        # the caller's committed work into an error.
        transaction.on_commit(enqueue, robust=True)


def schedule_deliveries(message_ids: Sequence[int]) -> None:
    """Ask the task backend to deliver several messages once the transaction commits: one task per
    :data:`DELIVERIES_PER_TASK` messages.

    Like :func:`schedule_delivery`, a failure to enqueue is only logged (the sweeper schedules the
    messages again).
    """
    from openprocure.core.tasks import deliver_outbox_message, deliver_outbox_messages

    ids = list(message_ids)
    if not ids:
        return

    def _enqueue() -> None:
        chunks = [
            ids[start : start + DELIVERIES_PER_TASK] for start in range(0, len(ids), DELIVERIES_PER_TASK)
        ]
        with transaction.atomic() if len(chunks) > 1 else nullcontext():
            for chunk in chunks:
                if len(chunk) == 1:
                    deliver_outbox_message.enqueue(chunk[0])
                else:
                    deliver_outbox_messages.enqueue(chunk)

    _when_committed(_enqueue, deliver_outbox_messages)


def schedule_delivery(message_id: int, *, when: datetime | None = None) -> None:
    """Ask the task backend to deliver a message once the current transaction commits."""
    from openprocure.core.tasks import deliver_outbox_message

    def _enqueue() -> None:
        task = deliver_outbox_message.using(run_after=when) if when else deliver_outbox_message
        task.enqueue(message_id)

    _when_committed(_enqueue, deliver_outbox_message)


_SHARED_SECRET = re.compile(r"<SharedSecret>.*?</SharedSecret>", re.S)


def replace_shared_secret(*, partner: str, secret: str) -> int:
    """Put a partner's new shared secret in its undelivered documents; how many were changed.

    For documents still waiting (pending, retrying) or failed (a person may send them again): they
    were built with the old secret, which the partner refuses once it has the new one. A document
    a worker is delivering right now is left alone.
    """
    replacement = f"<SharedSecret>{xml_escape(secret)}</SharedSecret>"
    changed = 0
    with transaction.atomic():
        waiting = OutboxMessage.objects.select_for_update().filter(
            partner=partner, status__in=[OutboxStatus.PENDING, OutboxStatus.RETRYING, OutboxStatus.FAILED]
        )
        for message in waiting:
            body = _SHARED_SECRET.sub(lambda _match: replacement, message.body)
            if body != message.body:
                rows.update(OutboxMessage, message.pk, body=body)
                changed += 1
    return changed


def claim(message_id: int) -> OutboxMessage | None:
    """Take the lease on a due message, or return None when another worker has it or it is not due."""
    now = timezone.now()
    token = secrets.token_hex(16)
    due = Q(status__in=[OutboxStatus.PENDING, OutboxStatus.RETRYING], next_attempt_at__lte=now) | Q(
        status=OutboxStatus.DELIVERING, lease_until__lt=now
    )
    updated = OutboxMessage.objects.filter(due, pk=message_id).update(
        status=OutboxStatus.DELIVERING,
        lease_token=token,
        lease_until=now + timedelta(seconds=LEASE_SECONDS),
    )
    if updated != 1:
        return None
    return OutboxMessage.objects.get(pk=message_id, lease_token=token)


def deliver_message(message_id: int, *, timeout: float = DELIVERY_TIMEOUT_SECONDS) -> DeliveryResult:
    """Claim a message, send it once, and record the attempt and its outcome."""
    message = claim(message_id)
    if message is None:
        return DeliveryResult(delivered=False, status="skipped", detail="not due or held by another worker")
    started = timezone.now()
    number = message.attempts + 1
    try:
        result = post_cxml(message.url, message.body.encode("utf-8"), timeout=timeout)
    except PermanentDeliveryError as error:
        outcome, code, detail, answer = (
            DeliveryAttempt.Outcome.PERMANENT,
            error.status_code,
            str(error),
            error.body,
        )
    except TransientDeliveryError as error:
        outcome, code, detail, answer = (
            DeliveryAttempt.Outcome.TRANSIENT,
            error.status_code,
            str(error),
            error.body,
        )
    else:
        status = result.status
        outcome, code, answer = DeliveryAttempt.Outcome.DELIVERED, status.code, result.body
        detail = (
            f"{status.code} {status.text}: {status.message}"
            if status.message
            else f"{status.code} {status.text}"
        )
    return _finish(message, number, started, outcome, code or None, detail, answer.decode("utf-8", "replace"))


def _finish(
    message: OutboxMessage,
    number: int,
    started: datetime,
    outcome: str,
    status_code: int | None,
    detail: str,
    response_body: str,
) -> DeliveryResult:
    now = timezone.now()
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        lease_lost = locked.lease_token != message.lease_token
        if lease_lost:
            # Our lease expired and another worker took the message over: we still record our
            # attempt (the partner may have received it), but the status is the lease holder's to
            # decide — except that "delivered" is final, whoever saw it first.
            logger.warning("outbox %s: lease lost before recording attempt %s", message.pk, number)
        number = max(number, locked.attempts + 1)
        DeliveryAttempt.objects.create(
            message=locked,
            number=number,
            started_at=started,
            finished_at=now,
            outcome=outcome,
            status_code=status_code,
            detail=detail[:4000],
            response_body=response_body[:100_000],
        )
        locked.attempts = number
        if not lease_lost:
            locked.lease_token = ""
            locked.lease_until = None
        # Delivered is final; and when our lease was lost, only a delivery of ours may still settle it
        # (otherwise the worker now holding the lease decides).
        settled_elsewhere = locked.status == OutboxStatus.DELIVERED or (
            lease_lost and outcome != DeliveryAttempt.Outcome.DELIVERED
        )
        if not settled_elsewhere:
            locked.last_status_code = status_code
            locked.response_body = response_body[:100_000]
            if outcome == DeliveryAttempt.Outcome.DELIVERED:
                locked.status = OutboxStatus.DELIVERED
                locked.delivered_at = now
                locked.last_error = ""
                locked.lease_token = ""
                locked.lease_until = None
            elif outcome == DeliveryAttempt.Outcome.PERMANENT or number >= locked.max_attempts:
                locked.status = OutboxStatus.FAILED
                locked.last_error = detail
            else:
                locked.status = OutboxStatus.RETRYING
                locked.last_error = detail
                locked.next_attempt_at = now + backoff_delay(number)
                schedule_delivery(locked.pk, when=locked.next_attempt_at)
        locked.save()
        if locked.document_id:
            record_document(
                direction=Direction.INBOUND,
                raw=response_body,
                kind="Response",
                partner=locked.partner,
                reference=locked.reference,
                status_code=status_code,
                status_text=detail[:2000],
                in_reply_to=locked.document,
            )
    return DeliveryResult(
        delivered=outcome == DeliveryAttempt.Outcome.DELIVERED, status=locked.status, detail=detail
    )


def retry_now(message: OutboxMessage) -> None:
    """A person asks for another try of a failed message (after fixing the cause)."""
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            pk=message.pk, status__in=[OutboxStatus.FAILED, OutboxStatus.RETRYING]
        ).update(
            status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), max_attempts=message.attempts + 12
        )
        if updated:
            schedule_delivery(message.pk)


def sweep(*, limit: int = 500) -> int:
    """Re-schedule messages that are due but have no live task: expired leases and missed retries."""
    now = timezone.now()
    due = OutboxMessage.objects.filter(
        Q(
            status__in=[OutboxStatus.PENDING, OutboxStatus.RETRYING],
            next_attempt_at__lte=now - timedelta(seconds=30),
        )
        | Q(status=OutboxStatus.DELIVERING, lease_until__lt=now)
    ).values_list("pk", flat=True)[:limit]
    count = 0
    for pk in due:
        schedule_delivery(pk)
        count += 1
    return count
