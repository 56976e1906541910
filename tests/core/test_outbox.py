"""The outbox against a real HTTP partner: delivered once, retried on transient failures only."""

from __future__ import annotations

import logging
import random
import subprocess
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from openprocure.core import outbox
from openprocure.core.choices import Direction, OutboxStatus
from openprocure.core.models import DeliveryAttempt, Document, OutboxMessage
from openprocure.core.tunables import tunable
from tests.partner_server import PartnerServer, cxml_response, free_port_url

pytestmark = pytest.mark.django_db

ORDER = b'<?xml version="1.0"?><cXML payloadID="po-1@buyer.test"><Request><OrderRequest/></Request></cXML>'


def store(url: str, payload_id: str = "po-1@buyer.test", on_result: str = "") -> OutboxMessage:
    return outbox.enqueue_document(
        kind="OrderRequest",
        url=url,
        payload_id=payload_id,
        body=ORDER,
        reference="PO-2026-000001",
        partner="MARKETPLACE",
        on_result=on_result,
    )


RESULTS = "tests.outbox"


@pytest.fixture
def results() -> Iterator[list[tuple[int, str, str, int | None, str]]]:
    """What the result callback ``tests.outbox`` was told: (message, its status, outcome, code, text),
    each seen inside the transaction recording the outcome."""
    told: list[tuple[int, str, str, int | None, str]] = []

    def record(message: OutboxMessage, outcome: str) -> None:
        assert transaction.get_connection().in_atomic_block
        told.append((message.pk, message.status, outcome, message.last_status_code, message.last_error))

    hook = outbox.result_hook(RESULTS)
    hook.register(record)
    yield told
    hook.remove(record)


def test_delivered_message_is_never_sent_again() -> None:
    with PartnerServer() as partner:
        message = store(partner.url)
        first = outbox.deliver_message(message.pk)
        second = outbox.deliver_message(message.pk)
    message.refresh_from_db()
    assert (first.delivered, first.status) == (True, "delivered")
    assert (second.delivered, second.status) == (False, "skipped")
    assert len(partner.received) == 1
    assert partner.received[0].body == ORDER
    assert message.status == OutboxStatus.DELIVERED
    assert message.attempts == 1
    assert list(message.delivery_attempts.values_list("outcome", "status_code")) == [("delivered", 200)]


def test_storing_the_same_payload_id_twice_keeps_one_message() -> None:
    first = store("http://127.0.0.1:9/cxml/")
    again = store("http://127.0.0.1:9/cxml/")
    assert first.pk == again.pk
    assert OutboxMessage.objects.count() == 1
    assert Document.objects.filter(direction=Direction.OUTBOUND, kind="OrderRequest").count() == 1


def test_partner_down_then_up_then_delivered() -> None:
    message = store(free_port_url())
    result = outbox.deliver_message(message.pk)
    message.refresh_from_db()
    assert (result.delivered, message.status, message.attempts) == (False, OutboxStatus.RETRYING, 1)
    assert message.next_attempt_at > timezone.now()
    assert message.last_error.startswith("could not reach 127.0.0.1:")
    # Not due yet: a worker that picks it up early does nothing.
    assert outbox.deliver_message(message.pk).status == "skipped"
    with PartnerServer() as partner:
        OutboxMessage.objects.filter(pk=message.pk).update(url=partner.url, next_attempt_at=timezone.now())
        result = outbox.deliver_message(message.pk)
    message.refresh_from_db()
    assert (result.delivered, message.status, message.attempts) == (True, OutboxStatus.DELIVERED, 2)
    assert list(message.delivery_attempts.values_list("number", "outcome")) == [
        (1, "transient"),
        (2, "delivered"),
    ]


def test_cxml_400_is_permanent_and_keeps_the_partner_text() -> None:
    with PartnerServer() as partner:
        partner.script((200, cxml_response(400, "Bad Request", "ShipTo is missing")))
        message = store(partner.url)
        result = outbox.deliver_message(message.pk)
        OutboxMessage.objects.filter(pk=message.pk).update(
            next_attempt_at=timezone.now() - timedelta(hours=1)
        )
        again = outbox.deliver_message(message.pk)
    message.refresh_from_db()
    assert (result.delivered, message.status) == (False, OutboxStatus.FAILED)
    assert again.status == "skipped"
    assert len(partner.received) == 1
    assert message.last_status_code == 400
    assert message.last_error == "400 Bad Request: ShipTo is missing"
    attempt = DeliveryAttempt.objects.get(message=message)
    assert (attempt.outcome, attempt.status_code) == ("permanent", 400)
    assert "ShipTo is missing" in attempt.response_body


@pytest.mark.parametrize(
    ("http_status", "body", "code"),
    [
        pytest.param(500, b"<html>oops</html>", 500, id="http-500"),
        pytest.param(200, cxml_response(500, "Internal Server Error", "try later"), 500, id="cxml-500"),
        pytest.param(503, cxml_response(503, "Service Unavailable"), 503, id="http-503-cxml-503"),
    ],
)
def test_server_errors_are_retried(http_status: int, body: bytes, code: int) -> None:
    with PartnerServer() as partner:
        partner.script((http_status, body))
        message = store(partner.url)
        outbox.deliver_message(message.pk)
    message.refresh_from_db()
    assert (message.status, message.last_status_code) == (OutboxStatus.RETRYING, code)


def test_a_worker_dying_mid_delivery_loses_nothing() -> None:
    with PartnerServer() as partner:
        message = store(partner.url)
        claimed = outbox.claim(message.pk)  # the worker took the lease, then died before posting
        assert claimed is not None
        assert outbox.claim(message.pk) is None  # nobody else may take it while the lease runs
        assert outbox.deliver_message(message.pk).status == "skipped"
        OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
        result = outbox.deliver_message(message.pk)
    message.refresh_from_db()
    assert (result.delivered, message.status, len(partner.received)) == (True, OutboxStatus.DELIVERED, 1)


def test_attempts_are_capped() -> None:
    message = store(free_port_url())
    OutboxMessage.objects.filter(pk=message.pk).update(max_attempts=2)
    outbox.deliver_message(message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    outbox.deliver_message(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 2)


def test_retry_now_puts_a_failed_message_back() -> None:
    with PartnerServer() as partner:
        partner.script((200, cxml_response(400, "Bad Request", "unknown part")))
        message = store(partner.url)
        outbox.deliver_message(message.pk)
        message.refresh_from_db()
        outbox.retry_now(message)
        result = outbox.deliver_message(message.pk)
    message.refresh_from_db()
    assert (result.delivered, message.status, message.attempts) == (True, OutboxStatus.DELIVERED, 2)


def test_backoff_doubles_with_bounded_jitter() -> None:
    rng = random.Random(7)
    delays = [outbox.backoff_delay(n, rng=random.Random(7)).total_seconds() for n in (1, 2, 3)]
    fraction = random.Random(7).random()
    assert delays == pytest.approx([5 + 1.25 * fraction, 10 + 2.5 * fraction, 20 + 5 * fraction])
    capped = outbox.backoff_delay(30, rng=rng).total_seconds()
    assert 3600 <= capped <= 4500


def test_sweep_reschedules_expired_leases(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    message = store("http://127.0.0.1:9/cxml/")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.DELIVERING, lease_until=timezone.now() - timedelta(seconds=5)
    )
    from django_tasks_db.models import DBTaskResult

    stored_tasks = set(DBTaskResult.objects.values_list("id", flat=True))  # the task of store()
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbox.sweep() == 1
    # The database task backend stores the task in the sweep's own transaction (no callback needed).
    assert callbacks == []
    assert list(
        DBTaskResult.objects.exclude(id__in=stored_tasks).values_list("task_path", "args_kwargs")
    ) == [("openprocure.core.outbox.deliver_outbox_message", {"args": [message.pk], "kwargs": {}})]


def test_a_worker_whose_lease_expired_never_undoes_a_delivery(results) -> None:  # type: ignore[no-untyped-def]
    with PartnerServer() as partner:
        message = store(partner.url, on_result=RESULTS)
        slow = outbox.claim(message.pk)  # worker A takes the lease, then stalls past its expiry
        assert slow is not None
        OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
        assert outbox.deliver_message(message.pk).delivered  # worker B takes over and delivers
        # Worker A wakes up with a 503 from its own post: recorded, but the message stays delivered.
        result = outbox._finish(slow, 1, timezone.now(), "transient", 503, "503 Service Unavailable", "")
    message.refresh_from_db()
    assert (result.status, message.status, message.attempts) == ("delivered", OutboxStatus.DELIVERED, 2)
    assert (message.last_status_code, message.lease_token, message.lease_until) == (200, "", None)
    # The result callback was told once, by the worker that delivered.
    assert results == [(message.pk, "delivered", "delivered", 200, "")]
    assert list(message.delivery_attempts.order_by("number").values_list("number", "outcome")) == [
        (1, "delivered"),
        (2, "transient"),
    ]


def test_a_delivery_seen_by_an_expired_lease_is_final(results) -> None:  # type: ignore[no-untyped-def]
    with PartnerServer() as partner:
        message = store(partner.url, on_result=RESULTS)
        first = outbox.claim(message.pk)
        assert first is not None
        OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
        second = outbox.claim(message.pk)  # another worker takes the expired lease
        assert second is not None
        # The first worker's post arrives after all: the partner has the document.
        outbox._finish(first, 1, timezone.now(), "delivered", 200, "200 OK", "")
        message.refresh_from_db()
        assert (message.status, message.lease_token) == (OutboxStatus.DELIVERED, "")
        # The second worker's attempt then fails: nothing is retried.
        outbox._finish(second, 1, timezone.now(), "transient", None, "could not reach the partner", "")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.DELIVERED, 2, "")
    assert list(message.delivery_attempts.order_by("number").values_list("number", "outcome")) == [
        (1, "delivered"),
        (2, "transient"),
    ]
    # Two workers, one delivery: the result callback was told exactly once.
    assert results == [(message.pk, "delivered", "delivered", 200, "")]


def test_the_result_callback_is_told_of_a_refusal_and_of_giving_up_but_not_of_a_retry(results) -> None:  # type: ignore[no-untyped-def]
    with PartnerServer() as partner:
        partner.script((200, cxml_response(400, "Bad Request", "unknown part")))
        refused = store(partner.url, on_result=RESULTS)
        outbox.deliver_message(refused.pk)
    given_up = store(free_port_url(), payload_id="po-2@buyer.test", on_result=RESULTS)
    OutboxMessage.objects.filter(pk=given_up.pk).update(max_attempts=2)
    outbox.deliver_message(given_up.pk)
    assert results == [(refused.pk, "failed", "permanent", 400, "400 Bad Request: unknown part")]
    OutboxMessage.objects.filter(pk=given_up.pk).update(next_attempt_at=timezone.now())
    outbox.deliver_message(given_up.pk)
    given_up.refresh_from_db()
    assert given_up.status == OutboxStatus.FAILED
    assert results[1:] == [(given_up.pk, "failed", "transient", None, given_up.last_error)]


def test_a_message_without_a_callback_is_delivered_and_an_unknown_callback_is_refused(results) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"No outbox result callback is registered under 'tests\.typo'"):
        store("http://127.0.0.1:9/cxml/", on_result="tests.typo")
    with pytest.raises(ValueError, match=r"'tests\.typo'"):
        outbox.enqueue_documents(
            [outbox.Outgoing("OrderRequest", "http://127.0.0.1:9/", "p@b", "<cXML/>", on_result="tests.typo")]
        )
    assert OutboxMessage.objects.count() == 0
    with PartnerServer() as partner:
        message = store(partner.url)
        assert outbox.deliver_message(message.pk).delivered
    assert results == []


def test_several_documents_are_stored_at_once_with_their_journal_and_one_scheduling(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from django_tasks_db.models import DBTaskResult

    secret_body = ORDER.replace(
        b"<Request>",
        b"<Header><Sender><Credential><SharedSecret>s3cret</SharedSecret></Credential></Sender></Header><Request>",
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stored = outbox.enqueue_documents(
            [
                outbox.Outgoing(
                    kind="ConfirmationRequest",
                    url="http://127.0.0.1:9/cxml/",
                    payload_id="c-1@s.test",
                    body=secret_body,
                    reference="111-1",
                    partner="NetworkId:ACME",
                ),
                outbox.Outgoing(
                    kind="ShipNoticeRequest",
                    url="http://127.0.0.1:9/cxml/",
                    payload_id="c-2@s.test",
                    body="<cXML/>",
                    reference="111-1",
                ),
            ]
        )
    assert [m.payload_id for m in stored] == ["c-1@s.test", "c-2@s.test"]
    assert callbacks == []  # the task is a row written in the same transaction as the messages
    rows = list(
        OutboxMessage.objects.order_by("payload_id").values_list(
            "payload_id", "kind", "status", "document__kind", "document__payload_id", "document__reference"
        )
    )
    assert rows == [
        (
            "c-1@s.test",
            "ConfirmationRequest",
            OutboxStatus.PENDING,
            "ConfirmationRequest",
            "c-1@s.test",
            "111-1",
        ),
        ("c-2@s.test", "ShipNoticeRequest", OutboxStatus.PENDING, "ShipNoticeRequest", "c-2@s.test", "111-1"),
    ]
    journal = Document.objects.get(payload_id="c-1@s.test")
    assert (journal.direction, journal.partner) == (Direction.OUTBOUND, "NetworkId:ACME")
    assert "s3cret" not in journal.raw and "<SharedSecret>********</SharedSecret>" in journal.raw
    # The outbox keeps the body as the journal does: the secret is put in at delivery.
    assert OutboxMessage.objects.get(payload_id="c-1@s.test").body == journal.raw
    assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
        ("openprocure.core.outbox.deliver_outbox_messages", {"args": [[m.pk for m in stored]], "kwargs": {}})
    ]


def test_a_rolled_back_transaction_takes_its_messages_and_their_task_with_it() -> None:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue_documents(
            [
                outbox.Outgoing(
                    kind="OrderRequest", url="http://127.0.0.1:9/", payload_id="gone@s.test", body=ORDER
                )
            ]
        )
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("a fault after the documents were stored")
    assert (OutboxMessage.objects.count(), Document.objects.count(), DBTaskResult.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_failure_to_enqueue_is_logged_and_keeps_the_messages(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from openprocure.core.outbox import deliver_outbox_messages

    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionError("task store unavailable")

    monkeypatch.setattr(type(deliver_outbox_messages), "enqueue", refuse)
    stored = outbox.enqueue_documents(
        [
            outbox.Outgoing(
                kind="OrderRequest", url="http://127.0.0.1:9/", payload_id=f"k-{n}@s.test", body=ORDER
            )
            for n in range(2)
        ]
    )
    assert OutboxMessage.objects.filter(pk__in=[m.pk for m in stored]).count() == 2
    assert "could not enqueue a delivery task; the sweeper schedules it again" in caplog.text


def test_a_task_delivers_several_messages_and_a_large_batch_is_split(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from django_tasks_db.models import DBTaskResult

    from openprocure.core.outbox import deliver_outbox_messages

    count = tunable("OUTBOX_DELIVERIES_PER_TASK") + 1
    with django_capture_on_commit_callbacks(execute=True):
        stored = outbox.enqueue_documents(
            [
                outbox.Outgoing(
                    kind="OrderRequest", url="http://127.0.0.1:9/", payload_id=f"b-{n}@s.test", body=ORDER
                )
                for n in range(count)
            ]
        )
    ids = [m.pk for m in stored]
    tasks = sorted(DBTaskResult.objects.values_list("task_path", "args_kwargs"), key=lambda row: row[0])
    assert tasks == [
        ("openprocure.core.outbox.deliver_outbox_message", {"args": [ids[-1]], "kwargs": {}}),
        ("openprocure.core.outbox.deliver_outbox_messages", {"args": [ids[:-1]], "kwargs": {}}),
    ]
    with PartnerServer() as partner:
        for message in stored[:2]:
            OutboxMessage.objects.filter(pk=message.pk).update(url=partner.url)
        assert deliver_outbox_messages.call(ids[:2]) == ["delivered", "delivered"]
    assert len(partner.received) == 2
    assert set(OutboxMessage.objects.filter(pk__in=ids[:2]).values_list("status", flat=True)) == {
        OutboxStatus.DELIVERED
    }


def test_storing_no_documents_stores_and_schedules_nothing(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbox.enqueue_documents([]) == []
    assert (len(callbacks), OutboxMessage.objects.count()) == (0, 0)


# -- the shared secret is put in at delivery, never stored -------------------------------------------
# The secret store of these tests: the outbox reads it through OUTBOX_SECRET_LOOKUP at each attempt.
SECRETS: dict[str, str] = {}


def lookup(source: str) -> str:
    if source == "unreadable":
        raise outbox.SecretUnavailable("The secret of the test partner cannot be read: enter it again.")
    return SECRETS.get(source, "")


def with_secret(secret: str) -> bytes:
    return ORDER.replace(
        b"<Request>",
        b'<Header><Sender><Credential domain="NetworkId"><Identity>ACME</Identity><SharedSecret>'
        + secret.encode()
        + b"</SharedSecret></Credential></Sender></Header><Request>",
    )


@pytest.fixture
def secret_store(settings):  # type: ignore[no-untyped-def]
    settings.OUTBOX_SECRET_LOOKUP = "tests.core.test_outbox.lookup"
    SECRETS.clear()
    yield SECRETS
    SECRETS.clear()


def every_stored_text() -> str:
    """Every text column of every outbox, attempt and journal row, joined."""
    texts: list[str] = []
    for model in (OutboxMessage, DeliveryAttempt, Document):
        columns = [f.name for f in model._meta.fields if f.get_internal_type() in ("TextField", "CharField")]
        for row in model.objects.values_list(*columns):
            texts.extend(str(value) for value in row)
    return "\n".join(texts)


def test_the_secret_is_put_in_at_delivery_and_no_row_or_log_line_ever_holds_it(secret_store, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    secret = "acme-secret-4f9c2b7e"
    secret_store["7"] = secret
    with PartnerServer() as partner:
        partner.script((200, cxml_response(200, "OK", f"echoed <SharedSecret>{secret}</SharedSecret>")))
        message = outbox.enqueue_document(
            kind="OrderRequest",
            url=partner.url,
            payload_id="po-1@buyer.test",
            body=with_secret(secret),
            partner="MARKETPLACE",
            secret_source="7",
        )
        assert outbox.deliver_message(message.pk).delivered
    # The partner received the secret, in its element and nowhere else …
    assert [r.body for r in partner.received] == [with_secret(secret)]
    # … while no stored row, and no log line of the delivery, contains it.
    assert secret not in every_stored_text()
    assert secret not in caplog.text
    message.refresh_from_db()
    assert message.body == with_secret("********").decode()
    assert message.status == OutboxStatus.DELIVERED
    assert "<SharedSecret>********</SharedSecret>" in message.delivery_attempts.get().response_body


def test_a_secret_replaced_before_delivery_is_the_one_sent_escaped_and_others_keep_theirs(
    secret_store,
) -> None:  # type: ignore[no-untyped-def]
    secret_store.update({"acme": "old-acme-secret-0001", "other": "other-secret-00000002"})
    with PartnerServer() as partner:
        stored = outbox.enqueue_documents(
            [
                outbox.Outgoing(
                    kind="ShipNoticeRequest",
                    url=partner.url,
                    payload_id=f"s-{n}@s.test",
                    body=with_secret("old-acme-secret-0001" if source == "acme" else "other-secret-00000002"),
                    secret_source=source,
                )
                for n, source in enumerate(["acme", "other"])
            ]
        )
        bodies = list(OutboxMessage.objects.order_by("payload_id").values_list("body", flat=True))
        # The partner replaces Acme's secret between the enqueue and the delivery; no body changes.
        secret_store["acme"] = "n&w<acme>secret-0003"
        assert [outbox.deliver_message(m.pk).status for m in stored] == ["delivered", "delivered"]
        assert list(OutboxMessage.objects.order_by("payload_id").values_list("body", flat=True)) == bodies
    assert [r.body for r in partner.received] == [
        with_secret("n&amp;w&lt;acme&gt;secret-0003"),
        with_secret("other-secret-00000002"),
    ]


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        pytest.param(
            "unreadable", "The secret of the test partner cannot be read: enter it again.", id="unreadable"
        ),
        pytest.param(
            "gone",
            "No shared secret is stored for this partner any more: enter it again, then retry the message.",
            id="none-stored",
        ),
        pytest.param(
            "",
            "This document does not say whose shared secret it carries, so it cannot be sent; send the "
            "business document (order, notice, invoice) again to build a new one.",
            id="no-source",
        ),
    ],
)
def test_a_document_whose_secret_cannot_be_had_is_not_sent_and_says_why(
    secret_store, source: str, detail: str
) -> None:  # type: ignore[no-untyped-def]
    with PartnerServer() as partner:
        message = outbox.enqueue_document(
            kind="OrderRequest",
            url=partner.url,
            payload_id="po-1@buyer.test",
            body=with_secret("acme-secret-4f9c2b7e"),
            secret_source=source,
        )
        result = outbox.deliver_message(message.pk)
        assert partner.received == []
        message.refresh_from_db()
        assert (result.status, message.status, message.last_error) == ("failed", OutboxStatus.FAILED, detail)
        assert list(message.delivery_attempts.values_list("outcome", "status_code", "detail")) == [
            ("permanent", None, detail)
        ]
        # Once the secret is there again, a person's retry sends it.
        OutboxMessage.objects.filter(pk=message.pk).update(secret_source="fixed")
        secret_store["fixed"] = "the-new-secret-0004"
        outbox.retry_now(message)
        assert outbox.deliver_message(message.pk).delivered
    assert [r.body for r in partner.received] == [with_secret("the-new-secret-0004")]


def test_a_document_without_a_secret_is_sent_as_stored(secret_store) -> None:  # type: ignore[no-untyped-def]
    with PartnerServer() as partner:
        assert outbox.deliver_message(store(partner.url).pk).delivered
    assert [r.body for r in partner.received] == [ORDER]


# -- the deadline and the lease -----------------------------------------------------------------------
def test_a_partner_that_drips_its_answer_is_cut_at_the_deadline_and_retried_later(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOX_DELIVERY_DEADLINE_SECONDS = 1
    with PartnerServer(drip=0.05) as dripping:  # its whole answer would take about 20 s
        message = store(dripping.url)
        result = outbox.deliver_message(message.pk)
    message.refresh_from_db()
    host = dripping.url.split("/")[2]
    detail = f"{host} did not answer in full within 1 s (the deadline of one delivery attempt); the connection was cut"
    assert (result.delivered, result.status, result.detail) == (False, "retrying", detail)
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.RETRYING, 1, detail)
    assert (message.lease_token, message.lease_until) == ("", None)
    assert message.next_attempt_at > timezone.now()
    attempt = message.delivery_attempts.get()
    assert (attempt.outcome, attempt.status_code) == ("transient", None)
    assert (attempt.finished_at - attempt.started_at).total_seconds() < 5
    assert len(dripping.received) == 1


def test_the_lease_is_the_deadline_plus_the_time_to_record_an_attempt(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOX_DELIVERY_DEADLINE_SECONDS = 10
    assert outbox.lease_seconds() == 70
    message = store("http://127.0.0.1:9/cxml/")
    before = timezone.now()
    claimed = outbox.claim(message.pk)
    assert claimed is not None and claimed.lease_until is not None
    assert before + timedelta(seconds=70) <= claimed.lease_until <= timezone.now() + timedelta(seconds=70)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        pytest.param(
            {"OUTBOX_LEASE_SECONDS": 60},
            "OUTBOX_LEASE_SECONDS=60 is shorter than the delivery deadline (30 s) plus the time to record an "
            "attempt (60 s): a lease could expire while its worker is still sending, and another worker "
            "would send the document a second time. Leave OUTBOX_LEASE_SECONDS unset (it is then 90 s) or "
            "make it at least that.",
            id="lease-too-short",
        ),
        pytest.param(
            {"OUTBOX_DELIVERY_DEADLINE_SECONDS": 0},
            "OUTBOX_DELIVERY_DEADLINE_SECONDS=0: the deadline of a delivery attempt must be a positive number "
            "of seconds (OPENPROCURE_DELIVERY_DEADLINE_SECONDS).",
            id="no-deadline",
        ),
        pytest.param(
            {"OUTBOX_DELIVERY_DEADLINE_SECONDS": float("inf")},
            "OUTBOX_DELIVERY_DEADLINE_SECONDS=inf: the deadline of a delivery attempt must be a positive "
            "number of seconds (OPENPROCURE_DELIVERY_DEADLINE_SECONDS).",
            id="infinite-deadline",
        ),
        pytest.param(
            {"OUTBOX_SECRET_LOOKUP": "tests.core.test_outbox.nowhere"},
            "OUTBOX_SECRET_LOOKUP='tests.core.test_outbox.nowhere' cannot be imported: Module "
            '"tests.core.test_outbox" does not define a "nowhere" attribute/class',
            id="lookup-missing",
        ),
    ],
)
def test_timings_that_could_send_a_document_twice_stop_the_start(settings, overrides, error) -> None:  # type: ignore[no-untyped-def]
    outbox.check_configuration()  # the defaults pass
    for name, value in overrides.items():
        setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured) as refused:
        outbox.check_configuration()
    assert str(refused.value) == error


def test_a_site_whose_deadline_is_not_a_positive_number_does_not_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.core import processes

    env = processes.child_env(OPENPROCURE_DATA_DIR=str(tmp_path), OPENPROCURE_DELIVERY_DEADLINE_SECONDS="-1")
    done = subprocess.run(
        [*processes.OPENPROCURE, "buyer", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert (
        "ImproperlyConfigured: OUTBOX_DELIVERY_DEADLINE_SECONDS=-1: the deadline of a delivery attempt must be "
        "a positive number of seconds" in done.stderr
    )


# -- one slow host delays only its own documents ------------------------------------------------------
def test_documents_stored_together_get_one_task_per_host_in_their_order(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from django_tasks_db.models import DBTaskResult

    urls = ["http://slow.test/cxml/", "https://fast.test/in", "http://slow.test/cxml/", "http://SLOW.test/x"]
    stored = outbox.enqueue_documents(
        [
            outbox.Outgoing(kind="OrderRequest", url=url, payload_id=f"h-{n}@s.test", body=ORDER)
            for n, url in enumerate(urls)
        ]
    )
    assert [m.destination for m in stored] == ["slow.test", "fast.test", "slow.test", "slow.test"]
    ids = [m.pk for m in stored]
    assert sorted(DBTaskResult.objects.values_list("task_path", "args_kwargs"), key=lambda r: r[0]) == [
        ("openprocure.core.outbox.deliver_outbox_message", {"args": [ids[1]], "kwargs": {}}),
        (
            "openprocure.core.outbox.deliver_outbox_messages",
            {"args": [[ids[0], ids[2], ids[3]]], "kwargs": {}},
        ),
    ]


def test_a_host_with_its_share_of_deliveries_running_makes_the_next_wait_without_an_attempt(
    settings,
) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    settings.OUTBOX_DELIVERIES_PER_DESTINATION = 2
    with PartnerServer() as slow, PartnerServer() as other:
        running = [store(slow.url, payload_id=f"run-{n}@buyer.test") for n in range(2)]
        waiting = store(slow.url, payload_id="wait@buyer.test")
        elsewhere = store(other.url, payload_id="other@buyer.test")
        for message in running:  # two workers are delivering to the slow host, for 8 s already
            assert outbox.claim(message.pk) is not None
        started = timezone.now() - timedelta(seconds=8)
        OutboxMessage.objects.filter(pk__in=[m.pk for m in running]).update(
            lease_until=started + timedelta(seconds=outbox.lease_seconds())
        )
        tasks_before = set(DBTaskResult.objects.values_list("id", flat=True))
        result = outbox.deliver_message(waiting.pk)
        waiting.refresh_from_db()
        assert (result.delivered, result.status) == (False, "postponed")
        assert (waiting.status, waiting.attempts, waiting.delivery_attempts.count()) == (
            OutboxStatus.PENDING,
            0,
            0,
        )
        # It waits about as long as the oldest running delivery has lasted (8 s), plus jitter.
        wait = (waiting.next_attempt_at - timezone.now()).total_seconds()
        assert 7 <= wait <= 10
        [(path, args, run_after)] = DBTaskResult.objects.exclude(id__in=tasks_before).values_list(
            "task_path", "args_kwargs", "run_after"
        )
        assert (path, args, run_after) == (
            "openprocure.core.outbox.deliver_outbox_message",
            {"args": [waiting.pk], "kwargs": {}},
            waiting.next_attempt_at,
        )
        # Another host is not held up.
        assert outbox.deliver_message(elsewhere.pk).delivered
        # When a running delivery ends, the waiting one goes.
        outbox._finish(
            OutboxMessage.objects.get(pk=running[0].pk), 1, timezone.now(), "delivered", 200, "200 OK", ""
        )
        OutboxMessage.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
        assert outbox.deliver_message(waiting.pk).delivered
    assert [r.body for r in slow.received] == [ORDER]
    assert len(other.received) == 1


# -- the admin shows documents masked ---------------------------------------------------------------
def test_the_admin_shows_outbox_messages_attempts_and_journal_entries_masked(admin_client) -> None:  # type: ignore[no-untyped-def]
    secret = "legacy-secret-in-clear-0005"
    message = store("http://127.0.0.1:9/cxml/")
    # A row written before bodies were masked, and a partner's answer echoing a secret element.
    OutboxMessage.objects.filter(pk=message.pk).update(
        body=with_secret(secret).decode(), response_body=f"<SharedSecret>{secret}</SharedSecret>"
    )
    Document.objects.filter(pk=message.document_id).update(raw=with_secret(secret).decode())
    DeliveryAttempt.objects.create(
        message=message,
        number=1,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        outcome="transient",
        response_body=f"<Status><SharedSecret>{secret}</SharedSecret></Status>",
    )
    pages = {
        "outbox": admin_client.get(f"/admin/core/outboxmessage/{message.pk}/change/"),
        "journal": admin_client.get(f"/admin/core/document/{message.document_id}/change/"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        text = page.content.decode()
        assert secret not in text, name
        assert "&lt;SharedSecret&gt;********&lt;/SharedSecret&gt;" in text, name
    assert pages["outbox"].content.decode().count("&lt;SharedSecret&gt;********&lt;/SharedSecret&gt;") == 3
    # Nothing there edits a document.
    assert 'name="body"' not in pages["outbox"].content.decode()
    assert 'name="raw"' not in pages["journal"].content.decode()


def test_the_migration_masks_finished_documents_and_every_answer_and_finds_each_host() -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("openprocure.core.migrations.0002_outbox_destination_secret_source")
    secret = "legacy-secret-in-clear-0006"
    delivered = store("https://Partner.example:8443/cxml/", payload_id="d@buyer.test")
    waiting = store("http://127.0.0.1:9/cxml/", payload_id="w@buyer.test")
    OutboxMessage.objects.update(
        body=with_secret(secret).decode(),
        response_body=f"<SharedSecret>{secret}</SharedSecret>",
        destination="",
    )
    OutboxMessage.objects.filter(pk=delivered.pk).update(status=OutboxStatus.DELIVERED)
    migration.destinations_and_masks(apps, None)
    rows = {m.payload_id: m for m in OutboxMessage.objects.all()}
    assert rows["d@buyer.test"].destination == "partner.example:8443"
    assert rows["d@buyer.test"].body == with_secret("********").decode()
    assert rows["w@buyer.test"].destination == "127.0.0.1:9"
    # A waiting document keeps its secret until its site says whose it is (see the sites' migrations).
    assert rows["w@buyer.test"].body == with_secret(secret).decode()
    assert {m.response_body for m in rows.values()} == {"<SharedSecret>********</SharedSecret>"}
    assert waiting.pk == rows["w@buyer.test"].pk


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        pytest.param("ftp://partner.test/cxml", "cXML is posted over http or https, not 'ftp'", id="scheme"),
        pytest.param("http://partner.test:99999/cxml", "Port out of range 0-65535", id="port"),
    ],
)
def test_a_destination_that_cannot_be_posted_to_fails_with_a_reason(url: str, reason: str) -> None:
    message = store(url)
    result = outbox.deliver_message(message.pk)
    message.refresh_from_db()
    detail = f"The destination URL cannot be used: {reason}. Correct it, then send the document again."
    assert (result.status, message.status, message.last_error, message.lease_token) == (
        "failed",
        OutboxStatus.FAILED,
        detail,
        "",
    )


def test_tasks_stored_under_their_former_paths_still_run() -> None:
    from django.utils.module_loading import import_string

    from openprocure.core import mail

    # Delivery tasks live beside the outbox and the e-mail retry beside the mail; task rows stored
    # before they moved name openprocure.core.tasks, which still answers with the same tasks.
    assert [
        import_string(f"openprocure.core.tasks.{name}")
        for name in ("deliver_outbox_message", "deliver_outbox_messages", "send_mail_later")
    ] == [
        outbox.deliver_outbox_message,
        outbox.deliver_outbox_messages,
        mail.send_mail_later,
    ]
    assert outbox.deliver_outbox_message.module_path == "openprocure.core.outbox.deliver_outbox_message"
