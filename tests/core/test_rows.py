"""``core.rows``: inserts and updates of model rows without the ORM's per-call compilation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openprocure.core import rows
from openprocure.core.models import DeliveryAttempt, Document, OutboxMessage, User

pytestmark = pytest.mark.django_db


def _document(**fields: object) -> Document:
    values: dict[str, object] = {"direction": "in", "kind": "OrderRequest", "raw": "<cXML/>"}
    values.update(fields)
    return Document(**values)  # type: ignore[arg-type]


def test_insert_stores_every_value_and_sets_the_keys() -> None:
    earlier = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = _document(
        payload_id="p-1",
        parsed={"lines": [1, 2], "note": "é"},
        warnings=[{"code": "W1"}],
        status_code=200,
        remote_addr="127.0.0.1",
        created_at=earlier,
    )
    second = _document(payload_id="p-2", kind="", status_code=None, in_reply_to=None)
    with CaptureQueriesContext(connection) as captured:
        rows.insert([first, second])
    assert len(captured.captured_queries) == 1  # one statement for both rows
    assert first.pk is not None and second.pk == first.pk + 1
    assert not first._state.adding and first._state.db == "default"
    stored = Document.objects.get(pk=first.pk)
    assert (stored.payload_id, stored.kind, stored.raw) == ("p-1", "OrderRequest", "<cXML/>")
    assert stored.parsed == {"lines": [1, 2], "note": "é"}
    assert stored.warnings == [{"code": "W1"}]
    assert stored.status_code == 200
    assert stored.remote_addr == "127.0.0.1"
    assert stored.created_at == earlier
    other = Document.objects.get(pk=second.pk)
    assert (other.payload_id, other.kind, other.status_code, other.parsed) == ("p-2", "", None, {})


def test_a_related_instance_saved_after_it_was_assigned_gives_its_key() -> None:
    request = _document(payload_id="request")
    answer = _document(direction="out", payload_id="answer", in_reply_to=request)
    rows.insert([request])  # saved after the answer was built, as the endpoint does
    rows.insert([answer])
    assert Document.objects.get(pk=answer.pk).in_reply_to_id == request.pk


def test_a_related_instance_never_saved_is_refused() -> None:
    answer = _document(direction="out", in_reply_to=_document())
    with pytest.raises(ValueError, match=r"Document\.in_reply_to: the related Document is not saved"):
        rows.insert([answer])
    assert Document.objects.count() == 0


def test_instances_of_two_models_are_refused() -> None:
    message = OutboxMessage(kind="OrderRequest", url="http://127.0.0.1:9/", payload_id="m", body="<x/>")
    with pytest.raises(TypeError, match="instances of one model, got OutboxMessage"):
        rows.insert([_document(), message])  # type: ignore[list-item]


def test_expressions_are_refused_rather_than_stored_as_text() -> None:
    with pytest.raises(TypeError, match=r"Document\.status_code: expressions are not supported"):
        rows.insert([_document(status_code=F("id"))])


def test_many_rows_are_split_below_the_database_parameter_limit() -> None:
    documents = [_document(payload_id=f"bulk-{n}") for n in range(1200)]
    with CaptureQueriesContext(connection) as captured:
        rows.insert(documents)
    columns = len(rows._table(Document, "default").columns)
    limit = connection.features.max_query_params
    expected = 1 if limit is None else -(-1200 // (limit // columns))
    assert len(captured.captured_queries) == expected
    assert len({d.pk for d in documents}) == 1200
    stored = dict(Document.objects.values_list("pk", "payload_id"))
    assert all(stored[d.pk] == d.payload_id for d in documents)


def test_an_insert_rolls_back_with_its_transaction() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        rows.insert([_document(payload_id="gone")])
        raise RuntimeError("fault after the insert")
    assert not Document.objects.filter(payload_id="gone").exists()


def test_a_unique_column_still_raises_integrity_error() -> None:
    from django.db import IntegrityError

    rows.insert([OutboxMessage(kind="k", url="http://127.0.0.1:9/", payload_id="same", body="a")])
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert([OutboxMessage(kind="k", url="http://127.0.0.1:9/", payload_id="same", body="b")])
    assert list(OutboxMessage.objects.values_list("body", flat=True)) == ["a"]


def test_auto_now_fields_are_set_as_save_sets_them() -> None:
    if not apps.is_installed("openprocure.buyer.requisitions"):
        pytest.skip("the buyer suite's Requisition (a model with auto_now) is not installed here")
    from openprocure.buyer.requisitions.models import Requisition

    requester = User.objects.create_user("rows@example.test")
    stale = timezone.now() - timedelta(days=3)
    requisition = Requisition(number="REQ-ROWS-1", requester=requester, updated_at=stale)
    before = timezone.now()
    rows.insert([requisition])
    stored = Requisition.objects.get(pk=requisition.pk)
    assert stored.updated_at >= before
    assert stored.updated_at == requisition.updated_at


def test_update_changes_the_named_columns_of_one_row() -> None:
    document = _document(payload_id="u")
    rows.insert([document])
    assert rows.update(Document, document.pk, status_code=409, status_text="Conflict", parsed={"a": 1}) == 1
    stored = Document.objects.get(pk=document.pk)
    assert (stored.status_code, stored.status_text, stored.parsed, stored.payload_id) == (
        409,
        "Conflict",
        {"a": 1},
        "u",
    )
    assert rows.update(Document, document.pk + 1000, status_code=500) == 0


def test_insert_of_nothing_sends_nothing() -> None:
    with CaptureQueriesContext(connection) as captured:
        rows.insert([])
    assert captured.captured_queries == []


def test_foreign_keys_given_as_ids_are_stored() -> None:
    message = OutboxMessage(kind="k", url="http://127.0.0.1:9/", payload_id="fk", body="a")
    rows.insert([message])
    now = timezone.now()
    attempt = DeliveryAttempt(
        message_id=message.pk, number=1, started_at=now, finished_at=now, outcome="delivered"
    )
    rows.insert([attempt])
    assert DeliveryAttempt.objects.get(pk=attempt.pk).message == message


def _table_name(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def test_select_builds_instances_with_the_orm_s_conversions() -> None:
    created = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
    document = _document(payload_id="s-1", parsed={"total": "12.50", "lines": [1]}, created_at=created)
    rows.insert([document])
    sql = f"SELECT d.*, 'extra' AS note FROM {_table_name(Document)} d WHERE d.payload_id = %s"  # noqa: S608
    (found,) = rows.select(Document, sql, ["s-1"])
    assert isinstance(found, Document) and found.pk == document.pk
    assert found.created_at == created and found.created_at.tzinfo is not None
    assert found.parsed == {"total": "12.50", "lines": [1]}
    assert found.note == "extra"  # a column that is not a field becomes an attribute
    assert not found._state.adding and found._state.db == "default"
    assert found == Document.objects.get(pk=document.pk)


def test_select_of_some_columns_defers_the_others() -> None:
    document = _document(payload_id="s-2", raw="<big/>")
    rows.insert([document])
    sql = f"SELECT id, payload_id FROM {_table_name(Document)} WHERE payload_id = %s"  # noqa: S608
    (found,) = rows.select(Document, sql, ["s-2"])
    assert found.get_deferred_fields() >= {"raw", "parsed", "created_at"}
    assert found.payload_id == "s-2"
    assert found.raw == "<big/>"  # loaded on first use, as with the ORM
    assert rows.select(Document, sql, ["none"]) == []


def test_select_converts_decimals_and_dates_as_the_orm_does() -> None:
    if not apps.is_installed("openprocure.buyer.requisitions"):
        pytest.skip("the buyer suite's Requisition (decimal and date fields) is not installed here")
    from decimal import Decimal

    from openprocure.buyer.requisitions.models import Requisition

    requester = User.objects.create_user("select@example.test")
    requisition = Requisition.objects.create(
        number="REQ-SEL-1", requester=requester, total_amount=Decimal("1234.56"), need_by="2026-12-01"
    )
    sql = f"SELECT * FROM {_table_name(Requisition)} WHERE number = %s"  # noqa: S608
    (found,) = rows.select(Requisition, sql, ["REQ-SEL-1"])
    assert found.total_amount == Decimal("1234.56") and isinstance(found.total_amount, Decimal)
    assert found.need_by.isoformat() == "2026-12-01"
    assert found.requester_id == requester.pk
    assert found.updated_at == Requisition.objects.get(pk=requisition.pk).updated_at
