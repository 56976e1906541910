"""Reorder: the PunchOut lines of a copied draft carry the prices of an earlier cart until the supplier
confirms them through an edit PunchOut ("Check prices with …"); until then the draft says so and
submitting it warns."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.utils import timezone

from openprocure.buyer.punchout.models import PunchOutSession
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.requisitions.selectors import unchecked_price_lines
from openprocure.buyer.requisitions.services import CartLine, replace_lines
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import User


def _reorder(approved: Requisition, client: Client) -> Requisition:
    client.post(f"/requisitions/{approved.pk}/copy/")
    return Requisition.objects.get(events__detail__copied_from=approved.number)


def test_a_reordered_draft_says_its_prices_may_be_outdated_until_checked(
    approved: Requisition, rita: User, acme: PunchOutConnection
) -> None:
    client = Client()
    client.force_login(rita)
    # The source itself is not a copy: nothing to check.
    assert unchecked_price_lines(approved) == []
    draft = _reorder(approved, client)
    assert [line.line_number for line in unchecked_price_lines(draft)] == [1]  # line 2 is free text
    page = client.get(f"/requisitions/{draft.pk}/").content.decode()
    assert (
        "The price may be outdated: line 1 carries the price of an earlier cart, which the supplier has "
        "not confirmed since."
    ) in page
    assert f"Check prices with {acme.supplier.name}</button>" in page

    # The supplier confirms through an edit PunchOut: its cart replaces the line, at today's price.
    session = PunchOutSession.objects.create(
        user=rita, connection=acme, operation="edit", requisition=draft, returned_at=timezone.now()
    )
    pens = draft.lines.get(line_number=1)
    replace_lines(
        requisition=draft,
        actor=rita,
        line_ids=[pens.pk],
        lines=[
            CartLine(
                supplier_part_id="PEN-001",
                quantity=Decimal("3"),
                unit_price=Decimal("34.00"),
                currency="EUR",
                description="Pens",
            )
        ],
        supplier=acme.supplier,
        connection=acme,
        session=session,
    )
    assert unchecked_price_lines(draft) == []
    page = client.get(f"/requisitions/{draft.pk}/").content.decode()
    assert "may be outdated" not in page
    assert draft.lines.get(supplier_part_id="PEN-001").unit_price == Decimal("34.00")


def test_submitting_unchecked_prices_warns(approved: Requisition, rita: User) -> None:
    client = Client()
    client.force_login(rita)
    draft = _reorder(approved, client)
    answer = client.post(f"/requisitions/{draft.pk}/submit/", {"reason": ""}, follow=True)
    assert [str(m) for m in answer.context["messages"]][-2:] == [
        f"Requisition {draft.number} submitted for approval.",
        "The price of line 1 may be outdated: it comes from an earlier cart and the supplier has not "
        "confirmed it.",
    ]
    draft.refresh_from_db()
    assert draft.status != "draft"
    # Once submitted the draft is no longer editable: nothing is said any more.
    assert unchecked_price_lines(draft) == []


def test_someone_else_sees_no_check_button(approved: Requisition, rita: User) -> None:
    client = Client()
    client.force_login(rita)
    draft = _reorder(approved, client)
    admin = Client()
    admin.force_login(User.objects.get(email="admin@acme.test"))
    page = admin.get(f"/requisitions/{draft.pk}/").content.decode()
    assert "The price may be outdated" in page
    assert "Check prices with" not in page
