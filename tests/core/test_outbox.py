"""The outbox against a real HTTP partner: delivered once, retried on transient failures only."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from openprocure.core import outbox
from openprocure.core.choices import Direction, OutboxStatus
from openprocure.core.models import DeliveryAttempt, Document, OutboxMessage
from tests.partner_server import PartnerServer, cxml_response, free_port_url

pytestmark = pytest.mark.django_db

ORDER = b'<?xml version="1.0"?><cXML payloadID="po-1@buyer.test"><Request><OrderRequest/></Request></cXML>'


def store(url: str, payload_id: str = "po-1@buyer.test") -> OutboxMessage:
    return outbox.enqueue_document(
        kind="OrderRequest",
        url=url,
        payload_id=payload_id,
        body=ORDER,
        reference="PO-2026-000001",
        partner="MARKETPLACE",
    )


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
    ) == [("openprocure.core.tasks.deliver_outbox_message", {"args": [message.pk], "kwargs": {}})]


def test_a_worker_whose_lease_expired_never_undoes_a_delivery() -> None:
    with PartnerServer() as partner:
        message = store(partner.url)
        slow = outbox.claim(message.pk)  # worker A takes the lease, then stalls past its expiry
        assert slow is not None
        OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
        assert outbox.deliver_message(message.pk).delivered  # worker B takes over and delivers
        # Worker A wakes up with a 503 from its own post: recorded, but the message stays delivered.
        result = outbox._finish(slow, 1, timezone.now(), "transient", 503, "503 Service Unavailable", "")
    message.refresh_from_db()
    assert (result.status, message.status, message.attempts) == ("delivered", OutboxStatus.DELIVERED, 2)
    assert (message.last_status_code, message.lease_token, message.lease_until) == (200, "", None)
    assert list(message.delivery_attempts.order_by("number").values_list("number", "outcome")) == [
        (1, "delivered"),
        (2, "transient"),
    ]


def test_a_delivery_seen_by_an_expired_lease_is_final() -> None:
    with PartnerServer() as partner:
        message = store(partner.url)
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
    assert OutboxMessage.objects.get(payload_id="c-1@s.test").body == secret_body.decode()
    assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
        ("openprocure.core.tasks.deliver_outbox_messages", {"args": [[m.pk for m in stored]], "kwargs": {}})
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
    from openprocure.core.tasks import deliver_outbox_messages

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

    from openprocure.core.tasks import deliver_outbox_messages

    count = outbox.DELIVERIES_PER_TASK + 1
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
        ("openprocure.core.tasks.deliver_outbox_message", {"args": [ids[-1]], "kwargs": {}}),
        ("openprocure.core.tasks.deliver_outbox_messages", {"args": [ids[:-1]], "kwargs": {}}),
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


def test_a_partner_s_new_shared_secret_goes_into_its_waiting_documents_escaped() -> None:
    body = "<cXML><Header><Sender><Credential><SharedSecret>old</SharedSecret></Credential></Sender></Header></cXML>"
    stored = outbox.enqueue_documents(
        [
            outbox.Outgoing(
                kind="ShipNoticeRequest",
                url="http://127.0.0.1:9/",
                payload_id=f"s-{n}@s.test",
                body=body,
                partner=partner,
            )
            for n, partner in enumerate(["NetworkId:ACME", "NetworkId:ACME", "NetworkId:OTHER"])
        ]
    )
    OutboxMessage.objects.filter(pk=stored[1].pk).update(status=OutboxStatus.DELIVERING)  # a worker has it
    assert outbox.replace_shared_secret(partner="NetworkId:ACME", secret="n&w<1>") == 1
    bodies = dict(OutboxMessage.objects.values_list("payload_id", "body"))
    assert bodies == {
        "s-0@s.test": body.replace("<SharedSecret>old", "<SharedSecret>n&amp;w&lt;1&gt;"),
        "s-1@s.test": body,
        "s-2@s.test": body,
    }
    # The journal never held the secret.
    assert "old" not in Document.objects.get(payload_id="s-0@s.test").raw
