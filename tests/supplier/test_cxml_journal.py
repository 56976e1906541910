"""Requests journaled with their answer (PunchOut setup, ProfileRequest): stored exactly once, in
every outcome, and orders still journaled before anything else happens."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from openprocure.core.cxml_endpoint import Inbound, answer_document
from openprocure.core.models import Document
from openprocure.supplier.punchout.models import PunchOutSession
from openprocure.supplier.storefront.cxml import HANDLERS, JOURNAL_WITH_ANSWER
from punchout import cxml
from tests.supplier.worlds import order_request, post_setup, setup_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(acme):
    return acme


def journal() -> list[tuple[str, str, int | None, bool]]:
    """(direction, kind, status, is an answer) of every journal entry, oldest first."""
    rows = Document.objects.order_by("id").values_list("direction", "kind", "status_code", "in_reply_to_id")
    return [(direction, kind, code, reply_to is not None) for direction, kind, code, reply_to in rows]


def test_a_setup_and_its_answer_are_stored_together_with_the_answer_status(client, integration):
    assert {"PunchOutSetupRequest", "ProfileRequest"} <= JOURNAL_WITH_ANSWER
    assert "OrderRequest" not in JOURNAL_WITH_ANSWER
    document = post_setup(client, setup_request())
    assert document.status.code == 200
    session = PunchOutSession.objects.get()
    assert journal() == [
        ("in", "PunchOutSetupRequest", 200, False),
        ("out", "PunchOutSetupResponse", 200, True),
    ]
    request, answer = Document.objects.order_by("id")
    assert answer.in_reply_to_id == request.pk
    assert (request.reference, answer.reference) == (f"punchout-session:{session.pk}",) * 2
    assert "acme-shared-secret" not in request.raw


def test_a_refused_setup_is_stored_once_with_its_refusal(client, integration):
    document = post_setup(client, setup_request(secret="wrong-secret"))
    assert document.status.code == 401
    assert journal() == [("in", "PunchOutSetupRequest", 401, False), ("out", "Response", 401, True)]


def test_a_fault_after_the_answer_was_journaled_keeps_the_request_once_with_the_500(
    client,
    integration,
    monkeypatch,
):
    def faulty(inbound: Inbound) -> cxml.CXML:
        with transaction.atomic():
            PunchOutSession.objects.create(
                business=integration.business, integration=integration, email="x@acme.test"
            )
            inbound.journal_answer(answer_document(inbound, cxml.PunchOutSetupResponse(start_page_url="x")))
            raise RuntimeError("disk full")  # everything above rolls back

    monkeypatch.setitem(HANDLERS, "PunchOutSetupRequest", faulty)
    document = post_setup(client, setup_request())
    assert (document.kind, document.status.code) == ("Response", 500)
    assert PunchOutSession.objects.count() == 0
    assert journal() == [("in", "PunchOutSetupRequest", 500, False), ("out", "Response", 500, True)]
    assert Document.objects.get(direction="in").raw.startswith("<?xml")


def test_an_order_request_is_still_journaled_before_its_handler_runs(client, integration, monkeypatch):
    seen: list[list[tuple[str, str, int | None, bool]]] = []

    def look(inbound: Inbound) -> cxml.CXML:
        seen.append(journal())
        raise RuntimeError("crash in the middle of an order")

    monkeypatch.setitem(HANDLERS, "OrderRequest", look)
    _payload_id, body = order_request([cxml.ItemIn(Decimal(1), cxml.ItemID("B000TEST", "line-1"))])
    answer = cxml.parse(client.post("/cxml/", body, content_type="text/xml").content).document
    assert answer.status.code == 500
    assert seen == [[("in", "OrderRequest", None, False)]]
