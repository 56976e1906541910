"""A cart whose Message/Status is not 200 changes nothing: 204 on an edit session is "no change",
500 shows the supplier's error; the requisition keeps every line."""

from __future__ import annotations

import pytest
from django.test import Client

from openprocure.buyer.punchout.choices import SessionStatus
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import Document
from tests.buyer.punchout_world import ITEMS, SupplierServer, cart, launch

pytestmark = pytest.mark.django_db


def with_status(body: str, code: int, text: str, message: str) -> str:
    return body.replace("<Message>", f'<Message><Status code="{code}" text="{text}">{message}</Status>', 1)


@pytest.mark.parametrize(
    ("code", "text", "said", "shown"),
    [
        (
            204,
            "No Content",
            "Cart unchanged",
            "Marketplace: no change (Cart unchanged). Nothing was changed.",
        ),
        (
            500,
            "Internal Server Error",
            "Our catalogue is down",
            "Marketplace could not return the cart (500 Our catalogue is down). Nothing was changed.",
        ),
    ],
)
def test_a_non_200_cart_on_an_edit_session_changes_nothing(
    acme: PunchOutConnection,
    requester: Client,
    supplier: SupplierServer,
    code: int,
    text: str,
    said: str,
    shown: str,
) -> None:
    session = launch(requester, acme, supplier)
    requester.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, ITEMS, "16.85")}
    )
    requisition = Requisition.objects.get()
    before = [(ln.description, ln.quantity, ln.unit_price) for ln in requisition.lines.all()]
    assert len(before) == 2
    total = requisition.total_amount

    edit = launch(requester, acme, supplier, operation="edit", requisition=str(requisition.pk))
    body = with_status(cart(edit.cookie, [], "0", "edit"), code, text, said)
    response = requester.post(f"/punchout/return/{edit.cookie}/", {"cxml-urlencoded": body}, follow=True)
    assert response.redirect_chain[-1][0] == f"/requisitions/{requisition.pk}/"
    assert shown in response.content.decode()
    requisition.refresh_from_db()
    assert [(ln.description, ln.quantity, ln.unit_price) for ln in requisition.lines.all()] == before
    assert requisition.total_amount == total
    edit.refresh_from_db()
    assert edit.status == SessionStatus.CLOSED
    kept = Document.objects.get(pk=edit.return_document_id)
    assert (kept.status_code, kept.status_text) == (code, said)
    # The same cart posted again is refused as already received: still nothing changes.
    again = requester.post(f"/punchout/return/{edit.cookie}/", {"cxml-urlencoded": body})
    assert again.status_code in (302, 409)
    assert requisition.lines.count() == 2


def test_a_204_cart_on_a_new_session_creates_nothing(
    acme: PunchOutConnection,
    requester: Client,
    supplier: SupplierServer,
) -> None:
    session = launch(requester, acme, supplier)
    body = with_status(cart(session.cookie, ITEMS, "16.85"), 204, "No Content", "Nothing chosen")
    response = requester.post(f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": body}, follow=True)
    assert "Marketplace: no change (Nothing chosen). Nothing was changed." in response.content.decode()
    assert not Requisition.objects.exists()
