"""The outbox: every document we send to a partner is stored first, then delivered by a worker.

Rules (the same on every task backend):
- a message is claimed with a lease by one worker at a time (an atomic conditional UPDATE, so it
  works on SQLite and PostgreSQL alike and two workers never send the same message at once);
- one attempt has a **deadline** (connect, send, read the whole answer: see
  ``punchout.cxml.transport``), and the lease is always longer than the deadline plus the time to
  record the attempt, so a lease never expires while its worker may still be sending — otherwise a
  second worker could send the document again;
- a message whose URL is ``mailto:`` is an e-mail (``core.email_documents``): the mail server's
  acceptance marks it delivered, a refused recipient or SMTP 5xx is permanent (a bounce at send),
  anything else is retried like a network error;
- a cXML 2xx answer marks it delivered; a network error, the deadline, HTTP 5xx or cXML 5xx
  schedules a retry with exponential backoff and jitter; a cXML or HTTP 4xx is permanent and stops
  retries, keeping the partner's text for people to read;
- deliveries run side by side (several task slots per worker, one task per destination host), and
  at most ``OUTBOX_DELIVERIES_PER_DESTINATION`` at a time go to one host: a slow partner only delays its
  own documents; a message whose host is busy waits a little and is tried again (no attempt counted);
- a worker that dies mid-delivery leaves a lease that expires; the sweeper puts the message back
  and the partner recognises the repeat by its payloadID;
- the app that stores a message may name a **result callback** (``on_result=``, a key of
  :func:`result_hook`): when the message is delivered, refused, or given up after its last attempt,
  the worker calls the callables registered under that key with the message and the outcome, in the
  transaction that records the outcome, so the app's own state (a purchase order accepted or failed)
  moves with it or not at all (no poller reads the outbox);
- an OAGIS purchase order BOD (a message whose kind is one of :data:`BOD_KINDS`) goes out the same
  way, through ``punchout.oagis.transport.post_bod``: HTTP Basic with the BOD's
  ``ApplicationArea/Sender/LogicalID`` and the shared secret ``secret_source`` names (read at
  delivery, as below); an AcknowledgePurchaseOrder (or a ConfirmBOD without errors) is delivered, a
  ConfirmBOD with errors or an HTTP 4xx permanent, the rest transient, as for cXML;
- bodies are stored with their shared secret masked (so are the journal's copies): the secret is put
  in at delivery, read then from the encrypted store named by the message's ``secret_source``, so a
  secret replaced in the meantime is the one sent, and no stored row ever holds it.
"""

from __future__ import annotations

import logging
import math
import random
import re
import secrets
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from openprocure.core import rows
from openprocure.core.choices import OUTBOX_TRANSITIONS, Direction, OutboxStatus, Protocol
from openprocure.core.email_documents import MAIL_DESTINATION, is_email, send_email_document
from openprocure.core.exceptions import ServiceError
from openprocure.core.hooks import Hook
from openprocure.core.journal import MASK, journal_entry, mask_secret_bytes, mask_secrets, record_document
from openprocure.core.models import DeliveryAttempt, OutboxMessage
from openprocure.core.status import set_status, set_status_where
from openprocure.core.tunables import tunable
from punchout import oagis
from punchout.cxml.transport import PermanentDeliveryError, TransientDeliveryError, post_cxml
from punchout.netguard import RefusedDestination
from punchout.oagis.transport import post_bod

logger = logging.getLogger(__name__)

# The outbox's tunables are declared in ``openprocure.core.tunables`` (``OUTBOX_*``): the deadline of
# one attempt, the lease's margin over it, the backoff, the deliveries per task and per destination.


def delivery_deadline() -> float:
    """Seconds one delivery attempt may take, from connecting to the last byte of the answer."""
    return float(tunable("OUTBOX_DELIVERY_DEADLINE_SECONDS"))


def lease_seconds() -> float:
    """How long a worker holds a message: the deadline plus the margin, unless set explicitly."""
    explicit = tunable("OUTBOX_LEASE_SECONDS")
    if explicit is not None:
        return float(explicit)
    return delivery_deadline() + float(tunable("OUTBOX_LEASE_MARGIN_SECONDS"))


def deliveries_per_destination() -> int:
    """Deliveries to one host that may run at the same time."""
    return int(tunable("OUTBOX_DELIVERIES_PER_DESTINATION"))


def check_configuration() -> None:
    """Refuse to start with timings that could let a lease expire during its delivery (a duplicate)."""
    deadline, lease = delivery_deadline(), lease_seconds()
    margin = float(tunable("OUTBOX_LEASE_MARGIN_SECONDS"))
    if not math.isfinite(deadline) or deadline <= 0:
        raise ImproperlyConfigured(
            f"OUTBOX_DELIVERY_DEADLINE_SECONDS={deadline:g}: the deadline of a delivery attempt must be a "
            "positive number of seconds (OPENPROCURE_DELIVERY_DEADLINE_SECONDS)."
        )
    if not lease >= deadline + margin:
        raise ImproperlyConfigured(
            f"OUTBOX_LEASE_SECONDS={lease:g} is shorter than the delivery deadline ({deadline:g} s) plus "
            f"the time to record an attempt ({margin:g} s): a lease could expire while its worker is still "
            "sending, and another worker would send the document a second time. Leave OUTBOX_LEASE_SECONDS "
            f"unset (it is then {deadline + margin:g} s) or make it at least that."
        )
    if deliveries_per_destination() < 1:
        raise ImproperlyConfigured("OUTBOX_DELIVERIES_PER_DESTINATION must be 1 or more.")
    lookup = getattr(settings, "OUTBOX_SECRET_LOOKUP", "")
    if lookup:
        try:
            import_string(lookup)
        except ImportError as exc:
            raise ImproperlyConfigured(f"OUTBOX_SECRET_LOOKUP={lookup!r} cannot be imported: {exc}") from exc


def destination_of(url: str) -> str:
    """The host (and port) a URL points at, as kept in ``OutboxMessage.destination``; every e-mail
    (a ``mailto:`` URL) goes to the one mail server."""
    if is_email(url):
        return MAIL_DESTINATION
    return urlsplit(url).netloc.rpartition("@")[2].lower()[:300]


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one call of :func:`deliver_message`."""

    delivered: bool
    status: str
    detail: str


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Delay before the next attempt after ``attempts`` failures: exponential, capped, with jitter."""
    ceiling, first = tunable("OUTBOX_BACKOFF_MAX_SECONDS"), tunable("OUTBOX_BACKOFF_BASE_SECONDS")
    base = min(ceiling, first * 2 ** max(0, attempts - 1))
    jitter = (rng or random).uniform(0, base * 0.25)
    return timedelta(seconds=base + jitter)


# -- the shared secret, put in at delivery -----------------------------------------------------------
class SecretUnavailable(ServiceError):
    """The shared secret a document must carry cannot be had; ``message`` says what a person should do."""


@cache
def _secret_lookup(path: str) -> Callable[[str], str]:
    lookup: Callable[[str], str] = import_string(path)
    return lookup


# A SharedSecret element holding the mask (no attributes ending in "/": not a self-closing element).
_MASKED_SHARED_SECRET = re.compile(
    r"(<SharedSecret(?:\s[^>]*)?(?<!/)>)" + re.escape(MASK) + r"(</SharedSecret\s*>)"
)


def body_to_send(message: OutboxMessage) -> bytes:
    """The message's body with its shared secret put back, read now from the encrypted store.

    The site's ``OUTBOX_SECRET_LOOKUP`` (a dotted path to ``lookup(secret_source) -> str``) reads
    it. Raises :class:`SecretUnavailable` when the document needs a secret that cannot be had:
    none is stored any more, it is unreadable after an encryption key change (the lookup raises it
    with its own message), or the document does not say whose secret it carries.
    """
    body = message.body
    if not _MASKED_SHARED_SECRET.search(body):
        return body.encode("utf-8")
    path = getattr(settings, "OUTBOX_SECRET_LOOKUP", "")
    if not message.secret_source or not path:
        raise SecretUnavailable(
            "This document does not say whose shared secret it carries, so it cannot be sent; send the "
            "business document (order, notice, invoice) again to build a new one."
        )
    secret = _secret_lookup(path)(message.secret_source)
    if not secret:
        raise SecretUnavailable(
            "No shared secret is stored for this partner any more: enter it again, then retry the message."
        )
    escaped = xml_escape(secret)
    sent = _MASKED_SHARED_SECRET.sub(lambda match: match.group(1) + escaped + match.group(2), body)
    return sent.encode("utf-8")


#: The OAGIS BODs the outbox delivers with :func:`punchout.oagis.transport.post_bod` (see the module).
BOD_KINDS = frozenset({"ProcessPurchaseOrder", "ChangePurchaseOrder", "CancelPurchaseOrder"})


def protocol_of(kind: str, url: str = "") -> str:
    """The journal's protocol of a document of ``kind`` the outbox sends to ``url``."""
    if url.startswith("platform://"):
        return Protocol.PLATFORM
    return Protocol.OAGIS if kind in BOD_KINDS else Protocol.CXML


def answer_kind(message: OutboxMessage, answer: str) -> str:
    """The journal's kind of a partner's answer: ``Response`` for cXML, the BOD's name for OAGIS."""
    if message.kind not in BOD_KINDS:
        return "Response"
    found = re.search(r"<(?:\w+:)?(AcknowledgePurchaseOrder|ConfirmBOD)[\s>]", answer[:2000])
    return found.group(1) if found else "Response"


def bod_credentials(message: OutboxMessage) -> tuple[str, str] | None:
    """(user, secret) of a BOD's HTTP Basic authentication: its Sender/LogicalID and the shared
    secret ``secret_source`` names, read now; None for a message that names no secret. Raises
    :class:`SecretUnavailable` as :func:`body_to_send` does."""
    if not message.secret_source:
        return None
    path = getattr(settings, "OUTBOX_SECRET_LOOKUP", "")
    secret = _secret_lookup(path)(message.secret_source) if path else ""
    if not secret:
        raise SecretUnavailable(
            "No shared secret is stored for this partner any more: enter it again, then retry the message."
        )
    sender = oagis.parse_purchase_order(message.body).application_area.sender_logical_id or ""
    return sender, secret


# -- result callbacks ---------------------------------------------------------------------------------
_RESULT_HOOKS: dict[str, Hook] = {}


def result_hook(key: str) -> Hook:
    """The hook called with ``(message, outcome)`` when a message stored with ``on_result=key`` is
    settled: delivered (``outcome`` is ``DeliveryAttempt.Outcome.DELIVERED``), refused by the partner
    (``PERMANENT``; ``message.last_status_code`` and ``message.last_error`` hold its status and text)
    or given up after its last attempt (``TRANSIENT``). The app that stores such messages registers
    its callables from its ``AppConfig.ready()``::

        outbox.result_hook("purchasing.order").register(services.record_delivery)

    They run in the transaction that records the outcome: one that raises rolls the outcome back too
    (the message stays leased, and is tried again when its lease ends).
    """
    return _RESULT_HOOKS.setdefault(key, Hook())


def _check_result_key(key: str) -> str:
    if key and not _RESULT_HOOKS.get(key):
        raise ValueError(f"No outbox result callback is registered under {key!r}.")
    return key


def _report_result(message: OutboxMessage, outcome: str) -> None:
    """Call the message's result callbacks (inside the caller's transaction)."""
    if not message.on_result:
        return  # stored without a callback (or before callbacks existed): nobody waits for it
    hook = _RESULT_HOOKS.get(message.on_result)
    if not hook:
        # Raising would roll the delivery back and send the document again at every lease's end.
        logger.error("outbox %s: no result callback registered under %r", message.pk, message.on_result)
        return
    hook(message, outcome)


# -- storing ------------------------------------------------------------------------------------------
def enqueue_document(
    *,
    kind: str,
    url: str,
    payload_id: str,
    body: bytes | str,
    reference: str = "",
    partner: str = "",
    content_type: str = "text/xml; charset=utf-8",
    secret_source: str = "",
    on_result: str = "",
) -> OutboxMessage:
    """Store a document for delivery and schedule a worker task once the transaction commits.

    ``on_result`` names the result callback (see :func:`result_hook`) told when it is settled.
    Storing the same payloadID twice returns the existing message: a retried caller never creates
    a second delivery. Secrets in the body (SharedSecret, CredentialMac, DigitalSignature) are
    masked before it is stored; at delivery the SharedSecret is filled in again from the store
    that ``secret_source`` names (see :func:`body_to_send`).
    """
    document = Outgoing(
        kind=kind,
        url=url,
        payload_id=payload_id,
        body=body,
        reference=reference,
        partner=partner,
        content_type=content_type,
        secret_source=secret_source,
        on_result=on_result,
    )
    text = mask_secrets(body)
    _check_result_key(on_result)
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            payload_id=payload_id, defaults=_message_fields(document, text)
        )
        if created:
            message.document = record_document(**_journal_fields(document, text))
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
    # Whose shared secret the sender puts in at delivery (see :func:`enqueue_document`).
    secret_source: str = ""
    # The result callback told when it is delivered, refused or given up (see :func:`result_hook`).
    on_result: str = ""


def _message_fields(document: Outgoing, text: str) -> dict[str, Any]:
    """The outbox row of a document whose secrets are masked in ``text``."""
    return {
        "kind": document.kind,
        "url": document.url,
        "destination": destination_of(document.url),
        "payload_id": document.payload_id,
        "body": text,
        "reference": document.reference,
        "partner": document.partner,
        "content_type": document.content_type,
        "secret_source": document.secret_source,
        "on_result": document.on_result,
    }


def _journal_fields(document: Outgoing, text: str) -> dict[str, Any]:
    """The journal entry of a document whose secrets are masked in ``text``."""
    return {
        "direction": Direction.OUTBOUND,
        "raw": text,
        "kind": document.kind,
        "payload_id": document.payload_id,
        "protocol": protocol_of(document.kind, document.url),
        "partner": document.partner,
        "reference": document.reference,
        "content_type": document.content_type,
    }


def enqueue_documents(documents: Sequence[Outgoing]) -> list[OutboxMessage]:
    """Store several new documents for delivery at once, in the caller's transaction.

    For documents whose payloadIDs were just generated: one statement per table (journal, outbox)
    instead of four per document with :func:`enqueue_document`, and one after-commit callback
    scheduling them all. A payloadID already stored is not looked up: it raises ``IntegrityError``
    (the unique payloadID); use :func:`enqueue_document` when a retried caller may store the same
    document again. Secrets are masked as by :func:`enqueue_document`.
    """
    if not documents:
        return []
    texts = [mask_secrets(document.body) for document in documents]
    for document in documents:
        _check_result_key(document.on_result)
    with transaction.atomic(savepoint=False):
        entries = [
            journal_entry(**_journal_fields(document, text))
            for document, text in zip(documents, texts, strict=True)
        ]
        rows.insert(entries)
        messages = [
            OutboxMessage(**_message_fields(document, text), document=entry)
            for document, text, entry in zip(documents, texts, entries, strict=True)
        ]
        rows.insert(messages)
        schedule_deliveries(messages)
    return messages


# -- scheduling ---------------------------------------------------------------------------------------
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


def schedule_deliveries(messages: Sequence[OutboxMessage]) -> None:
    """Ask the task backend to deliver several messages once the transaction commits: one task per
    destination host (messages in the order given), of at most ``OUTBOX_DELIVERIES_PER_TASK`` messages.

    Tasks of different hosts run side by side on a worker's task slots, so documents for a partner
    that answers slowly never wait behind another's. Like :func:`schedule_delivery`, a failure to
    enqueue is only logged (the sweeper schedules the messages again).
    """
    by_destination: dict[str, list[int]] = {}
    for message in messages:
        by_destination.setdefault(message.destination, []).append(message.pk)
    per_task = int(tunable("OUTBOX_DELIVERIES_PER_TASK"))
    chunks = [
        ids[start : start + per_task]
        for ids in by_destination.values()
        for start in range(0, len(ids), per_task)
    ]
    if not chunks:
        return

    def _enqueue() -> None:
        with transaction.atomic() if len(chunks) > 1 else nullcontext():
            for chunk in chunks:
                if len(chunk) == 1:
                    deliver_outbox_message.enqueue(chunk[0])
                else:
                    deliver_outbox_messages.enqueue(chunk)

    _when_committed(_enqueue, deliver_outbox_messages)


def schedule_delivery(message_id: int, *, when: datetime | None = None) -> None:
    """Ask the task backend to deliver a message once the current transaction commits."""

    def _enqueue() -> None:
        task = deliver_outbox_message.using(run_after=when) if when else deliver_outbox_message
        task.enqueue(message_id)

    _when_committed(_enqueue, deliver_outbox_message)


# Every field the recording of an attempt may change besides the status.
_DELIVERY_FIELDS = (
    "attempts",
    "lease_token",
    "lease_until",
    "last_status_code",
    "response_body",
    "last_error",
    "delivered_at",
    "next_attempt_at",
)


# -- delivering ---------------------------------------------------------------------------------------
def claim(message_id: int) -> OutboxMessage | None:
    """Take the lease on a due message, or return None when another worker has it or it is not due."""
    now = timezone.now()
    token = secrets.token_hex(16)
    due = Q(status__in=[OutboxStatus.PENDING, OutboxStatus.RETRYING], next_attempt_at__lte=now) | Q(
        status=OutboxStatus.DELIVERING, lease_until__lt=now
    )
    updated = set_status_where(
        OutboxMessage.objects.filter(due, pk=message_id),
        OutboxStatus.DELIVERING,
        table=OUTBOX_TRANSITIONS,
        lease_token=token,
        lease_until=now + timedelta(seconds=lease_seconds()),
    )
    if updated != 1:
        return None
    return OutboxMessage.objects.get(pk=message_id, lease_token=token)


def postpone_if_destination_busy(message_id: int) -> datetime | None:
    """When the message's host already has its share of deliveries running, move the message's next
    attempt a little later (no attempt is counted) and schedule it then; that moment, else None.

    The wait is about as long as the host's oldest running attempt has lasted so far — short for a
    host that answers quickly, up to the deadline for one that drips — plus up to 25% jitter. The
    check only reads (no write lock) unless the host is busy.
    """
    now = timezone.now()
    waiting = Q(
        pk=message_id, status__in=[OutboxStatus.PENDING, OutboxStatus.RETRYING], next_attempt_at__lte=now
    )
    destination = OutboxMessage.objects.filter(waiting).values_list("destination", flat=True).first()
    if destination is None:
        return None
    running = OutboxMessage.objects.filter(
        destination=destination, status=OutboxStatus.DELIVERING, lease_until__gte=now
    ).aggregate(count=Count("pk"), first_lease_end=Min("lease_until"))
    if running["count"] < deliveries_per_destination():
        return None
    started = running["first_lease_end"] - timedelta(seconds=lease_seconds())
    wait = min(delivery_deadline(), max(1.0, (now - started).total_seconds()))
    when = now + timedelta(seconds=wait + random.uniform(0, wait * 0.25))
    with transaction.atomic():
        if not OutboxMessage.objects.filter(waiting).update(next_attempt_at=when):
            return None  # taken or changed meanwhile
        schedule_delivery(message_id, when=when)
    return when


def deliver_message(message_id: int, *, deadline: float | None = None) -> DeliveryResult:
    """Claim a message, send it once (within the deadline), and record the attempt and its outcome."""
    postponed = postpone_if_destination_busy(message_id)
    if postponed is not None:
        return DeliveryResult(
            delivered=False,
            status="postponed",
            detail=f"its host is busy with other deliveries; tried again at {postponed:%H:%M:%S}",
        )
    message = claim(message_id)
    if message is None:
        return DeliveryResult(delivered=False, status="skipped", detail="not due or held by another worker")
    started = timezone.now()
    number = message.attempts + 1
    seconds = delivery_deadline() if deadline is None else deadline
    try:
        code, detail, answer = _send(message, seconds)
        outcome = DeliveryAttempt.Outcome.DELIVERED
    except SecretUnavailable as error:
        # Nothing was sent: a person provides the secret, then retries (as after a refusal).
        outcome, code, detail, answer = DeliveryAttempt.Outcome.PERMANENT, 0, error.message, b""
    except RefusedDestination as error:
        # A partner's URL that resolves to a non-public address the operator has not allowed
        # (punchout.netguard): nothing was sent, and retrying cannot help until the URL or the
        # allow-list changes.
        detail = f"Not sent: {error}."
        outcome, code, answer = DeliveryAttempt.Outcome.PERMANENT, 0, b""
    except ValueError as error:
        # A destination URL that cannot be posted to (scheme, host, port): nothing was sent, and
        # sending again will not help until a person corrects it.
        detail = f"The destination URL cannot be used: {error}. Correct it, then send the document again."
        outcome, code, answer = DeliveryAttempt.Outcome.PERMANENT, 0, b""
    except (PermanentDeliveryError, TransientDeliveryError) as error:
        # The partner refused (never retried) or the try failed on the way (retried): as it says.
        outcome = DeliveryAttempt.Outcome.TRANSIENT if error.retryable else DeliveryAttempt.Outcome.PERMANENT
        code, detail, answer = error.status_code, str(error), error.body
    return _finish(message, number, started, outcome, code or None, detail, answer.decode("utf-8", "replace"))


# -- transports ----------------------------------------------------------------------------------------
#: How a message whose URL has one of these schemes is delivered instead of a cXML POST: the
#: callable takes the message and the deadline and returns ``(status code, detail, answer)``, or
#: raises ``TransientDeliveryError`` / ``PermanentDeliveryError`` like the cXML transport. The e-invoicing
#: platform connector registers ``platform`` (``openprocure.core.platform``).
Transport = Callable[[OutboxMessage, float], tuple[int, str, bytes]]
_TRANSPORTS: dict[str, Transport] = {}


def register_transport(scheme: str, transport: Transport) -> None:
    """Deliver messages addressed ``<scheme>://…`` with ``transport`` (see ``_TRANSPORTS``)."""
    _TRANSPORTS[scheme] = transport


def _deliver_email(message: OutboxMessage, deadline: float) -> tuple[int, str, bytes]:
    """An e-mail (see ``core.email_documents``): the mail server's answer is the outcome."""
    return 250, send_email_document(message.body, deadline=deadline), b""


register_transport("mailto", _deliver_email)


def _send(message: OutboxMessage, deadline: float) -> tuple[int, str, bytes]:
    """One delivery: the message's transport, an OAGIS BOD or a cXML POST; ``(status code, detail, answer)``."""
    transport = _TRANSPORTS.get(urlsplit(message.url).scheme.lower())
    if transport is not None:
        return transport(message, deadline)
    if message.kind in BOD_KINDS:  # an OAGIS BOD, posted with HTTP Basic
        bod = post_bod(
            message.url,
            message.body.encode("utf-8"),
            credentials=bod_credentials(message),
            deadline=deadline,
            mask_answer=mask_secret_bytes,
        )
        return bod.http_status, f"{bod.http_status} {bod.summary}", bod.body
    # The partner's answer is read masked: nothing kept from it (detail, status, the answer
    # itself) can hold a secret it echoes.
    result = post_cxml(message.url, body_to_send(message), deadline=deadline, mask_answer=mask_secret_bytes)
    status = result.status
    detail = (
        f"{status.code} {status.text}: {status.message}" if status.message else f"{status.code} {status.text}"
    )
    return status.code, detail, result.body


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
        if settled_elsewhere:
            locked.save()
        else:
            locked.last_status_code = status_code
            locked.response_body = response_body[:100_000]
            if outcome == DeliveryAttempt.Outcome.DELIVERED:
                target = OutboxStatus.DELIVERED
                locked.delivered_at = now
                locked.last_error = ""
                locked.lease_token = ""
                locked.lease_until = None
            elif outcome == DeliveryAttempt.Outcome.PERMANENT or number >= locked.max_attempts:
                target = OutboxStatus.FAILED
                locked.last_error = detail
            else:
                target = OutboxStatus.RETRYING
                locked.last_error = detail
                locked.next_attempt_at = now + backoff_delay(number)
                schedule_delivery(locked.pk, when=locked.next_attempt_at)
            set_status(locked, target, table=OUTBOX_TRANSITIONS, also=_DELIVERY_FIELDS)
            if target != OutboxStatus.RETRYING:
                _report_result(locked, outcome)
        if locked.document_id:
            record_document(
                direction=Direction.INBOUND,
                raw=response_body,
                kind=answer_kind(locked, response_body),
                protocol=protocol_of(locked.kind, locked.url),
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
        updated = set_status_where(
            OutboxMessage.objects.filter(
                pk=message.pk, status__in=[OutboxStatus.FAILED, OutboxStatus.RETRYING]
            ),
            OutboxStatus.PENDING,
            table=OUTBOX_TRANSITIONS,
            next_attempt_at=timezone.now(),
            max_attempts=message.attempts + 12,
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


# -- the tasks ---------------------------------------------------------------------------------------
# Defined here, beside the scheduling that enqueues them and the delivery they run. (Tasks stored
# before they moved name ``openprocure.core.tasks``, which still answers to those paths.)
@task()
def deliver_outbox_message(message_id: int) -> str:
    """Deliver one outbox message (claiming it first, so a duplicate task is harmless)."""
    return deliver_message(message_id).status


@task()
def deliver_outbox_messages(message_ids: list[int]) -> list[str]:
    """Deliver several outbox messages one after the other (documents of one unit of work, for one
    destination host: see :func:`schedule_deliveries`).

    A message whose delivery fails unexpectedly is logged and left to the sweeper; the others go on.
    """
    statuses = []
    for message_id in message_ids:
        try:
            statuses.append(deliver_message(message_id).status)
        except Exception:
            logger.exception("outbox %s: delivery failed; the sweeper schedules it again", message_id)
            statuses.append("error")
    return statuses
