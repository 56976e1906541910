"""``fulfilment.inbound.accept_once``: the one rule by which ``POST /cxml/`` (by payloadID) and
``POST /oagis/`` (by BODID) apply a supplier's document once and answer a repeat as it was answered."""

from __future__ import annotations

import pytest

from openprocure.buyer.fulfilment import inbound
from openprocure.buyer.fulfilment.inbound import Accepted, KeyOfAnotherSender, accept_once
from openprocure.buyer.fulfilment.models import InboundDocument
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.choices import Direction
from openprocure.core.models import Document
from punchout.cxml.errors import InvalidDocument
from tests.buyer.fulfilment_world import make_supplier

pytestmark = pytest.mark.django_db


def _journal() -> Document:
    return Document.objects.create(direction=Direction.INBOUND, kind="ConfirmationRequest", raw="<cXML/>")


def _business(runs: list[str], message: str = "Confirmation of PO-1 recorded.") -> Accepted:
    runs.append(message)
    Supplier.objects.create(name=f"Made by run {len(runs)}")
    return Accepted(reference="PO-1", message=message)


def test_a_key_runs_once_and_a_repeat_gets_what_was_kept() -> None:
    supplier, _connection = make_supplier()
    runs: list[str] = []
    first = accept_once(
        "p-1",
        kind="ConfirmationRequest",
        supplier=supplier,
        journal=_journal(),
        business=lambda: _business(runs),
    )
    assert first == Accepted(reference="PO-1", message="Confirmation of PO-1 recorded.")
    again = accept_once(
        "p-1",
        kind="ConfirmationRequest",
        supplier=supplier,
        journal=_journal(),
        business=lambda: _business(runs),
    )
    assert isinstance(again, InboundDocument)
    assert (again.payload_id, again.kind, again.reference, again.status_code, again.message) == (
        "p-1",
        "ConfirmationRequest",
        "PO-1",
        200,
        "Confirmation of PO-1 recorded.",
    )
    assert runs == ["Confirmation of PO-1 recorded."]
    assert Supplier.objects.filter(name__startswith="Made by run").count() == 1


def test_without_a_key_the_business_runs_every_time_and_nothing_is_kept() -> None:
    supplier, _connection = make_supplier()
    runs: list[str] = []
    for _ in range(2):
        result = accept_once(
            "",
            kind="ConfirmationRequest",
            supplier=supplier,
            journal=_journal(),
            business=lambda: _business(runs),
        )
        assert isinstance(result, Accepted)
    assert len(runs) == 2
    assert InboundDocument.objects.count() == 0


def test_a_refusal_is_not_kept_so_the_document_may_come_again() -> None:
    supplier, _connection = make_supplier()

    def refuse() -> Accepted:
        Supplier.objects.create(name="Made by the refused run")
        raise InvalidDocument("Order PO-1 has no line 9.", path="/x")

    with pytest.raises(InvalidDocument):
        accept_once("p-2", kind="ConfirmationRequest", supplier=supplier, journal=_journal(), business=refuse)
    assert InboundDocument.objects.count() == 0
    assert not Supplier.objects.filter(name="Made by the refused run").exists()


@pytest.mark.parametrize(
    ("names", "message", "path"),
    [
        (
            {},
            "The payloadID has 251 characters; at most 250 are accepted. Send a shorter one.",
            "/cXML/@payloadID",
        ),
        (
            {"key_name": "BODID", "key_path": "/AcknowledgePurchaseOrder/ApplicationArea/BODID"},
            "The BODID has 251 characters; at most 250 are accepted. Send a shorter one.",
            "/AcknowledgePurchaseOrder/ApplicationArea/BODID",
        ),
    ],
    ids=["payload-id", "bodid"],
)
def test_a_key_longer_than_kept_is_refused_and_runs_nothing(
    names: dict[str, str], message: str, path: str
) -> None:
    supplier, _connection = make_supplier()
    runs: list[str] = []
    with pytest.raises(InvalidDocument) as refused:
        accept_once(
            "k" * 251,
            kind="ConfirmationRequest",
            supplier=supplier,
            journal=_journal(),
            business=lambda: _business(runs),
            **names,
        )
    assert (refused.value.message, refused.value.path, refused.value.status_code) == (message, path, 400)
    assert runs == []
    assert InboundDocument.objects.count() == 0
    kept = accept_once(
        "k" * 250,
        kind="ConfirmationRequest",
        supplier=supplier,
        journal=_journal(),
        business=lambda: _business(runs),
    )
    assert isinstance(kept, Accepted)
    assert InboundDocument.objects.get().payload_id == "k" * 250


def test_a_concurrent_delivery_that_kept_the_key_first_wins_and_this_one_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    supplier, _connection = make_supplier()
    journal = _journal()
    winner = InboundDocument.objects.create(
        payload_id="p-3", kind="ConfirmationRequest", supplier=supplier, reference="PO-1", message="First."
    )
    # This delivery looked before the other one had committed: it saw no answer kept yet.
    looks = iter([None, winner])
    monkeypatch.setattr(inbound, "remembered", lambda key: next(looks))
    runs: list[str] = []
    result = accept_once(
        "p-3",
        kind="ConfirmationRequest",
        supplier=supplier,
        journal=journal,
        business=lambda: _business(runs),
    )
    assert result == winner
    assert runs == ["Confirmation of PO-1 recorded."]
    assert not Supplier.objects.filter(name__startswith="Made by run").exists()
    assert InboundDocument.objects.count() == 1


def test_a_key_kept_for_another_supplier_raises_and_runs_nothing() -> None:
    supplier, _connection = make_supplier()
    other, _other_connection = make_supplier(name="Other Supplies", identity="other-supplies")
    InboundDocument.objects.create(
        payload_id="p-4", kind="ConfirmationRequest", supplier=other, reference="PO-9"
    )
    runs: list[str] = []
    with pytest.raises(KeyOfAnotherSender) as raised:
        accept_once(
            "p-4",
            kind="ConfirmationRequest",
            supplier=supplier,
            journal=_journal(),
            business=lambda: _business(runs),
        )
    assert raised.value.key == "p-4"
    assert runs == []
