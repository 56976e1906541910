"""The cart is evidence, not truth: it passes through the requester's browser, so its prices and
quantities are checked before anything is created, and an order is made only from what was approved."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.approvals.models import ApprovalAssignment, ApprovalRequest
from openprocure.buyer.punchout.choices import SessionStatus
from openprocure.buyer.punchout.models import PunchOutSession
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.models import Requisition, RequisitionEvent, RequisitionLine
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import Document
from tests.buyer.approval_world import build_world, requisition, rule, signed_in, submit
from tests.buyer.punchout_world import SupplierServer, cart, launch

LAPTOP = ("LAPTOP-15", None, "1", "1908.60", "Laptop 15 inch")
FORGED = ("REBATE", None, "1", "-1600.00", "Rebate")


def _post(
    client: Client, session: PunchOutSession, items: list[tuple[str, str | None, str, str, str]], total: str
):  # type: ignore[no-untyped-def]
    return client.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, items, total)}
    )


def test_a_forged_negative_price_line_is_refused_and_nothing_is_created(
    acme: PunchOutConnection,
    requester: Client,
    supplier: SupplierServer,
) -> None:
    # The attack: 1,908.60 EUR of laptop plus a forged -1,600.00 line posts as a 308.60 EUR cart.
    session = launch(requester, acme, supplier)
    response = _post(requester, session, [LAPTOP, FORGED], "308.60")
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert "The cart from Marketplace was refused and nothing was created." in page
    assert "Line 2 (REBATE): the unit price must be greater than zero (it is -1600.00)" in page
    assert Requisition.objects.count() == 0
    assert RequisitionLine.objects.count() == 0
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN  # the supplier may send a corrected cart
    kept = Document.objects.get(kind="PunchOutOrderMessage")
    assert kept.status_code == 400
    assert "REBATE" in kept.raw  # the raw input is kept, with the refusal
    assert "-1600.00" in kept.status_text

    # The honest cart of the same session still goes through.
    response = _post(requester, session, [LAPTOP], "1908.60")
    assert response.status_code == 302
    assert Requisition.objects.get().total_amount == Decimal("1908.60")


@pytest.mark.parametrize(
    ("item", "said"),
    [
        (("PEN", None, "0", "1.25", "Pen"), "Line 1 (PEN): the quantity must be greater than zero (it is 0)"),
        (
            ("PEN", None, "-3", "1.25", "Pen"),
            "Line 1 (PEN): the quantity must be greater than zero (it is -3)",
        ),
        (
            ("PEN", None, "2", "0", "Pen"),
            "Line 1 (PEN): the unit price must be greater than zero (it is 0.00)",
        ),
        (
            ("PEN", None, "1000000000", "1000000000000", "Pen"),
            "Line 1 (PEN): the quantity 1000000000 is more than the largest allowed, 999999999.",
        ),
        (
            ("PEN", None, "12345678901234", "1234567890123", "Pen"),
            "Line 1 (PEN): the quantity 12345678901234 is more than the largest allowed, 999999999.",
        ),
        (
            ("PEN", None, "999999", "9999999999", "Pen"),
            "Line 1 (PEN): the line amount is more than the largest allowed, 999999999999.99.",
        ),
    ],
    ids=["zero-quantity", "negative-quantity", "zero-price", "1e9-x-1e12", "14-x-13-digits", "amount"],
)
def test_zero_negative_or_oversized_cart_lines_are_refused(
    acme: PunchOutConnection,
    requester: Client,
    supplier: SupplierServer,
    item: tuple[str, str | None, str, str, str],
    said: str,
) -> None:
    session = launch(requester, acme, supplier)
    response = _post(requester, session, [item], "1.00")
    assert response.status_code == 422
    assert said in html.unescape(response.content.decode())
    assert Requisition.objects.count() == 0
    # Every page that lists requisitions still answers.
    assert requester.get("/requisitions/").status_code == 200
    assert requester.get("/").status_code == 200


def test_a_connection_that_allows_credit_lines_takes_a_rebate_but_never_a_cart_worth_nothing(
    acme: PunchOutConnection,
    requester: Client,
    supplier: SupplierServer,
) -> None:
    acme.allows_credit_lines = True
    acme.save(update_fields=["allows_credit_lines"])
    session = launch(requester, acme, supplier)
    response = _post(requester, session, [LAPTOP, ("PROMO", None, "1", "-1.00", "Promotion")], "1907.60")
    assert response.status_code == 302
    assert Requisition.objects.get().total_amount == Decimal("1907.60")

    session = launch(requester, acme, supplier)
    response = _post(requester, session, [LAPTOP, ("PROMO", None, "1", "-1908.60", "All free")], "0.00")
    assert response.status_code == 422
    assert "The cart's lines add up to 0.00\u00a0EUR: a cart must be worth more than zero." in html.unescape(
        response.content.decode()
    )
    assert Requisition.objects.count() == 1
    # Still never a zero or negative quantity.
    response = _post(requester, session, [("PROMO", None, "-1", "5.00", "Back")], "-5.00")
    assert response.status_code == 422
    assert "the quantity must be greater than zero (it is -1)" in html.unescape(response.content.decode())


def test_an_oci_cart_with_a_negative_price_is_refused(
    acme: PunchOutConnection,
    requester: Client,
) -> None:
    acme.protocol = "oci"
    acme.save(update_fields=["protocol"])
    response = requester.post(f"/punchout/launch/{acme.pk}/", {"operation": "create"})
    assert response.status_code in (200, 302)
    session = PunchOutSession.objects.get()
    fields = {
        "NEW_ITEM-DESCRIPTION[1]": "Laptop",
        "NEW_ITEM-QUANTITY[1]": "1",
        "NEW_ITEM-PRICE[1]": "1908.60",
        "NEW_ITEM-CURRENCY[1]": "EUR",
        "NEW_ITEM-VENDORMAT[1]": "LAPTOP-15",
        "NEW_ITEM-UNIT[1]": "EA",
        "NEW_ITEM-DESCRIPTION[2]": "Rebate",
        "NEW_ITEM-QUANTITY[2]": "1",
        "NEW_ITEM-PRICE[2]": "-1600.00",
        "NEW_ITEM-CURRENCY[2]": "EUR",
        "NEW_ITEM-VENDORMAT[2]": "REBATE",
        "NEW_ITEM-UNIT[2]": "EA",
    }
    response = requester.post(f"/punchout/return/{session.cookie}/", fields)
    page = html.unescape(response.content.decode())
    assert response.status_code == 422, page
    assert "The cart from Marketplace was refused and nothing was created." in page
    assert "Line 2: PRICE '-1600.00' is negative." in page
    assert Requisition.objects.count() == 0


@pytest.mark.django_db
def test_a_requisition_changed_after_its_approval_round_started_is_not_ordered_but_approved_again() -> None:
    world = build_world()
    rule("chairs", {"users": [world.alan]})
    req = requisition(world, price="600.00")
    submit(world, req)
    first = ApprovalRequest.objects.get(requisition=req)
    assert first.amount == Decimal("600.00")
    # A change outside the services (the database edited by hand, a bug) while the approver decides:
    RequisitionLine.objects.filter(requisition=req).update(quantity=Decimal("10"))
    Requisition.objects.filter(pk=req.pk).update(total_amount=Decimal("6000.00"))
    assignment = ApprovalAssignment.objects.get(step__request=first, status="pending")
    signed_in(world.alan).post(f"/approvals/{assignment.pk}/", {"decision": "approve", "comment": ""})

    assert PurchaseOrder.objects.count() == 0  # nothing was ordered from the changed lines
    req.refresh_from_db()
    assert req.status == "submitted"
    first.refresh_from_db()
    assert first.status == "superseded"
    second = ApprovalRequest.objects.get(requisition=req, round=2)
    assert (second.status, second.amount) == ("pending", Decimal("6000.00"))
    reasons = list(
        RequisitionEvent.objects.filter(requisition=req, to_status="submitted").values_list(
            "reason", flat=True
        )
    )
    assert reasons[-1] == (
        f"No order was made: The lines of {req.number} changed after they were approved. It goes back to approval."
    )
    # The new round approved: the order is made from what was approved the second time.
    assignment = ApprovalAssignment.objects.get(step__request=second, status="pending")
    signed_in(world.alan).post(f"/approvals/{assignment.pk}/", {"decision": "approve", "comment": ""})
    po = PurchaseOrder.objects.get()
    assert po.total_amount == Decimal("6000.00")
    assert Requisition.objects.get(pk=req.pk).status == "ordered"


@pytest.mark.django_db
def test_an_order_whose_lines_do_not_add_up_is_not_sent() -> None:
    world = build_world()
    req = requisition(world, price="600.00")
    submit(world, req)  # no rule: approved at once, the order created and sent
    po = PurchaseOrder.objects.get()
    assert po.status == "sent"
    transmissions = po.transmissions.count()
    # The order's line altered outside the services, then "send again":
    po.lines.update(unit_price=Decimal("6.00"))
    PurchaseOrder.objects.filter(pk=po.pk).update(status="failed")
    signed_in(world.rita).post(f"/purchasing/{po.number}/resend/")
    po.refresh_from_db()
    assert po.transmissions.count() == transmissions
    assert po.status == "failed"
    assert po.supplier_message == f"Line 1 of order {po.number} does not add up; it was not sent."
    assert po.supplier_message_values == {
        "code": "line-mismatch",
        "line": "1",
        "number": po.number,
        "message": f"Line 1 of order {po.number} does not add up; it was not sent.",
    }


@pytest.mark.django_db
def test_an_order_whose_total_is_not_its_lines_sum_says_so_in_the_readers_language() -> None:
    world = build_world()
    req = requisition(world, price="600.00")
    submit(world, req)
    po = PurchaseOrder.objects.get()
    # The total altered outside the services, then "send again": kept as numbers, told when read.
    PurchaseOrder.objects.filter(pk=po.pk).update(status="failed", total_amount=Decimal("1234.50"))
    rita = signed_in(world.rita)
    rita.post(f"/purchasing/{po.number}/resend/")
    po.refresh_from_db()
    assert po.status == "failed"
    assert po.supplier_message_values == {
        "code": "total-mismatch",
        "number": po.number,
        "total": "1234.50",
        "sum": "600.00",
        "currency": "EUR",
        "message": f"Order {po.number} totals 1,234.50\u00a0EUR but its lines add up to 600.00\u00a0EUR; it was "
        "not sent.",
    }
    french = rita.get(f"/purchasing/{po.number}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert (
        f"La commande {po.number} totalise 1\u202f234,50\u00a0EUR mais ses lignes font 600,00\u00a0EUR ; "
    ) in french
    english = rita.get(f"/purchasing/{po.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Order {po.number} totals 1,234.50\u00a0EUR but its lines add up to 600.00\u00a0EUR" in english


def test_an_edit_cart_returned_after_submission_changes_nothing(
    acme: PunchOutConnection,
    requester: Client,
    supplier: SupplierServer,
) -> None:
    """Lines change only while a requisition is a draft or returned: an "Edit cart" coming back after
    submission is refused with a message (it used to answer 500, changing nothing either)."""
    session = launch(requester, acme, supplier)
    _post(requester, session, [LAPTOP], "1908.60")
    req = Requisition.objects.get()
    edit = launch(requester, acme, supplier, operation="edit", requisition=str(req.pk))
    assert requester.post(f"/requisitions/{req.pk}/submit/").status_code == 302
    req.refresh_from_db()
    assert req.status != "draft"
    response = requester.post(
        f"/punchout/return/{edit.cookie}/",
        {
            "cxml-urlencoded": cart(
                edit.cookie, [("LAPTOP-15", None, "1", "308.60", "Laptop")], "308.60", "edit"
            )
        },
    )
    assert response.status_code == 409
    assert (
        f"Requisition {req.number} is {req.get_status_display()}: lines can only change while it is a draft "
        "or returned for changes." in html.unescape(response.content.decode())
    )
    assert Document.objects.filter(kind="PunchOutOrderMessage").order_by("-id").first().status_code == 409  # type: ignore[union-attr]
    assert [(line.unit_price, line.quantity) for line in Requisition.objects.get().lines.all()] == [
        (Decimal("1908.6000"), Decimal("1.0000"))
    ]
    assert Requisition.objects.get().total_amount == Decimal("1908.60")
