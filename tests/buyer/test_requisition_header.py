"""The requisition's details: ship-to and coding for every line, kept on re-punch, never changed silently."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from openprocure.buyer.organization.models import Address, Company, CostCenter, GLAccount
from openprocure.buyer.requisitions import coding
from openprocure.buyer.requisitions.choices import EventKind, RequisitionStatus, SplitMode
from openprocure.buyer.requisitions.models import Requisition, RequisitionEvent
from openprocure.buyer.requisitions.services import (
    CartLine,
    SplitInput,
    add_free_text_line,
    create_requisition_from_cart,
    replace_lines,
    set_accounting,
    submit_requisition,
    update_header,
)
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import User
from tests.buyer.punchout_world import SupplierServer, cart, launch

PEN = CartLine(
    supplier_part_id="PEN-001", supplier_part_auxiliary_id="cart-7/1", quantity=Decimal("2"),
    unit_price=Decimal("1.25"), currency="EUR", description="Blue pen",
)  # fmt: skip
PAPER = CartLine(
    supplier_part_id="PAPER-A4", quantity=Decimal("3"), unit_price=Decimal("4.10"), currency="EUR",
    description="Paper",
)  # fmt: skip


def _cc(code: str) -> CostCenter:
    return CostCenter.objects.get(code=code)


def _gl(code: str) -> GLAccount:
    return GLAccount.objects.get(code=code)


def _coding(requisition: Requisition) -> list[tuple[int, str, str, str, list[tuple[str, str, str, str]]]]:
    return [
        (
            line.line_number,
            line.supplier_part_id,
            line.cost_center.code if line.cost_center else "",
            line.gl_account.code if line.gl_account else "",
            [
                (
                    s.cost_center.code,
                    s.gl_account.code if s.gl_account else "",
                    str(s.percentage),
                    str(s.amount),
                )
                for s in line.splits.all()
            ],
        )
        for line in requisition.lines.order_by("line_number")
    ]


def _with_header(rita: User, acme: PunchOutConnection) -> Requisition:
    """Rita's pens and paper, charged to CC-200 / 6000 by the requisition's details."""
    requisition = create_requisition_from_cart(
        requester=rita, lines=[PEN, PAPER], supplier=acme.supplier, connection=acme
    )
    return update_header(
        requisition=requisition, actor=rita, title="Office", justification="Stock is out",
        need_by=None, ship_to=requisition.ship_to, cost_center=_cc("CC-200"), gl_account=_gl("6000"),
    )  # fmt: skip


def test_a_new_requisition_starts_with_the_requesters_cost_center(
    rita: User, acme: PunchOutConnection
) -> None:
    requisition = create_requisition_from_cart(requester=rita, lines=[PEN], supplier=acme.supplier)
    assert (requisition.cost_center.code, requisition.gl_account, requisition.ship_to.code) == (
        "CC-100",
        None,
        "HQ",
    )
    assert _coding(requisition) == [(1, "PEN-001", "CC-100", "", [])]


def test_the_header_coding_charges_every_line_and_every_new_line(
    rita: User, acme: PunchOutConnection
) -> None:
    requisition = create_requisition_from_cart(requester=rita, lines=[PEN, PAPER], supplier=acme.supplier)
    pen = requisition.lines.get(line_number=1)
    set_accounting(
        line=pen, actor=rita, mode=SplitMode.PERCENTAGE,
        splits=[SplitInput(_cc("CC-100"), percentage=Decimal("50")), SplitInput(_cc("CC-300"), percentage=Decimal("50"))],
    )  # fmt: skip
    update_header(
        requisition=requisition, actor=rita, title="Office", justification="", need_by=None,
        ship_to=requisition.ship_to, cost_center=_cc("CC-200"), gl_account=_gl("6000"),
    )  # fmt: skip
    assert _coding(requisition) == [
        (1, "PEN-001", "CC-200", "6000", []),
        (2, "PAPER-A4", "CC-200", "6000", []),
    ]
    add_free_text_line(
        requisition=requisition,
        actor=rita,
        description="Cleaning",
        quantity=Decimal("1"),
        unit_price=Decimal("80"),
    )
    assert _coding(requisition)[2] == (3, "", "CC-200", "6000", [])
    event = RequisitionEvent.objects.filter(requisition=requisition, kind=EventKind.HEADER_CHANGED).get()
    assert event.detail == {
        "before": {"title": "Marketplace", "cost_center": "CC-100", "gl_account": ""},
        "after": {"title": "Office", "cost_center": "CC-200", "gl_account": "6000"},
    }


def test_only_the_details_that_changed_are_applied(rita: User, acme: PunchOutConnection) -> None:
    requisition = _with_header(rita, acme)
    pen = requisition.lines.get(line_number=1)
    set_accounting(
        line=pen, actor=rita, mode=SplitMode.PERCENTAGE,
        splits=[SplitInput(_cc("CC-100"), percentage=Decimal("60")), SplitInput(_cc("CC-300"), percentage=Decimal("40"))],
    )  # fmt: skip
    update_header(
        requisition=requisition, actor=rita, title="Office supplies", justification="Stock is out",
        need_by=None, ship_to=requisition.ship_to, cost_center=_cc("CC-200"), gl_account=_gl("6000"),
    )  # fmt: skip
    # A new title leaves the line's own split alone.
    assert _coding(requisition)[0] == (
        1, "PEN-001", "CC-100", "", [("CC-100", "", "60.0000", "None"), ("CC-300", "", "40.0000", "None")]
    )  # fmt: skip


def test_a_repunch_keeps_the_split_of_a_line_still_in_the_cart_and_codes_new_lines_by_the_header(
    rita: User, acme: PunchOutConnection
) -> None:
    requisition = _with_header(rita, acme)
    pen = requisition.lines.get(line_number=1)
    set_accounting(
        line=pen, actor=rita, mode=SplitMode.PERCENTAGE,
        splits=[SplitInput(_cc("CC-100"), _gl("6100"), percentage=Decimal("60")), SplitInput(_cc("CC-300"), percentage=Decimal("40"))],
    )  # fmt: skip
    five_pens = CartLine(**{**PEN.__dict__, "quantity": Decimal("5")})
    stapler = CartLine(
        supplier_part_id="STAPLER", quantity=Decimal("1"), unit_price=Decimal("9"), currency="EUR"
    )
    edited = replace_lines(
        requisition=requisition, actor=rita, line_ids=list(requisition.lines.values_list("pk", flat=True)),
        lines=[stapler, five_pens], supplier=acme.supplier, connection=acme,
    )  # fmt: skip
    assert edited.coding_changes == []
    assert _coding(requisition) == [
        (1, "STAPLER", "CC-200", "6000", []),
        (
            2,
            "PEN-001",
            "CC-100",
            "6100",
            [("CC-100", "6100", "60.0000", "None"), ("CC-300", "", "40.0000", "None")],
        ),
    ]
    requisition.refresh_from_db()
    assert requisition.total_amount == Decimal("15.25")
    event = requisition.events.order_by("-id").first()
    assert (event.kind, event.detail) == (
        EventKind.LINES_CHANGED,
        {"removed": ["PEN-001", "PAPER-A4"], "added": ["STAPLER", "PEN-001"]},
    )
    assert event.coding_notes == []


def test_a_split_by_amount_that_no_longer_adds_up_takes_the_header_coding_and_says_so(
    rita: User, acme: PunchOutConnection
) -> None:
    requisition = _with_header(rita, acme)
    pen = requisition.lines.get(line_number=1)
    set_accounting(
        line=pen, actor=rita, mode=SplitMode.AMOUNT,
        splits=[SplitInput(_cc("CC-100"), amount=Decimal("1.50")), SplitInput(_cc("CC-300"), amount=Decimal("1.00"))],
    )  # fmt: skip
    four_pens = CartLine(**{**PEN.__dict__, "quantity": Decimal("1000")})
    edited = replace_lines(
        requisition=requisition, actor=rita, line_ids=[pen.pk], lines=[four_pens], supplier=acme.supplier
    )
    change = {
        "line": 3,
        "part": "PEN-001",
        "cause": "amount_changed",
        "currency": "EUR",
        "amount_before": "2.50",
        "amount_after": "1250.00",
        "before": [
            {"cost_center": "CC-100", "gl_account": "", "percentage": "", "amount": "1.50"},
            {"cost_center": "CC-300", "gl_account": "", "percentage": "", "amount": "1.00"},
        ],
        "after": [{"cost_center": "CC-200", "gl_account": "6000", "percentage": "", "amount": ""}],
    }
    assert edited.coding_changes == [change]
    assert _coding(requisition) == [
        (2, "PAPER-A4", "CC-200", "6000", []),
        (3, "PEN-001", "CC-200", "6000", []),
    ]
    event = requisition.events.order_by("-id").first()
    assert (event.kind, event.detail["coding_changed"]) == (EventKind.ACCOUNTING_CHANGED, [change])
    english = (
        "Line 3 (PEN-001): its amount changed from 2.50\u00a0EUR to 1,250.00\u00a0EUR at the supplier, so its "
        "split by amount no longer added up. It is now charged to CC-200/6000 (the requisition's coding) "
        "instead of CC-100 1.50\u00a0EUR; CC-300 1.00\u00a0EUR: check its accounting."
    )
    assert event.coding_notes == [english]
    with translation.override("fr"):
        assert coding.change_message(change) == (
            "Ligne 3 (PEN-001) : son montant est passé de 2,50\u00a0EUR à 1\u202f250,00\u00a0EUR chez le "
            "fournisseur, sa répartition par montant ne tombait donc plus juste. Elle est désormais imputée "
            "à CC-200/6000 (l'imputation de la demande) au lieu de CC-100 1,50\u00a0EUR ; CC-300 1,00\u00a0EUR : "
            "vérifiez son imputation."
        )


def test_a_part_back_under_another_auxiliary_id_is_a_new_item_and_the_change_is_told(
    rita: User, acme: PunchOutConnection
) -> None:
    requisition = _with_header(rita, acme)
    pen = requisition.lines.get(line_number=1)
    set_accounting(
        line=pen, actor=rita, mode=SplitMode.PERCENTAGE,
        splits=[SplitInput(_cc("CC-100"), percentage=Decimal("25")), SplitInput(_cc("CC-300"), percentage=Decimal("75"))],
    )  # fmt: skip
    reissued = CartLine(**{**PEN.__dict__, "supplier_part_auxiliary_id": "cart-8/1"})
    edited = replace_lines(requisition=requisition, actor=rita, line_ids=[pen.pk], lines=[reissued])
    assert [coding.change_message(change) for change in edited.coding_changes] == [
        "Line 3 (PEN-001) came back from the supplier as a new item (its auxiliary ID changed), so it is now "
        "charged to CC-200/6000 (the requisition's coding) instead of CC-100 25\u00a0%; CC-300 75\u00a0%: "
        "check its accounting."
    ]
    with translation.override("fr"):
        assert [coding.change_message(change) for change in edited.coding_changes] == [
            "La ligne 3 (PEN-001) est revenue du fournisseur comme un nouvel article (son identifiant "
            "auxiliaire a changé) : elle est donc désormais imputée à CC-200/6000 (l'imputation de la demande) "
            "au lieu de CC-100 25\u00a0% ; CC-300 75\u00a0% : vérifiez son imputation."
        ]


def test_after_an_edited_cart_the_requester_reads_which_line_changed(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer
) -> None:
    rita = User.objects.get(email="requester@acme.test")
    requisition = _with_header(rita, acme)
    for line in requisition.lines.all():
        line.connection = acme
        line.save(update_fields=["connection"])
    pen = requisition.lines.get(line_number=1)
    set_accounting(
        line=pen, actor=rita, mode=SplitMode.AMOUNT,
        splits=[SplitInput(_cc("CC-100"), amount=Decimal("2.00")), SplitInput(_cc("CC-300"), amount=Decimal("0.50"))],
    )  # fmt: skip
    edit = launch(requester, acme, supplier, operation="edit", requisition=str(requisition.pk))
    items = [("PEN-001", "cart-7/1", "4", "1.25", "Blue pen"), ("PAPER-A4", None, "3", "4.10", "Paper")]
    response = requester.post(
        f"/punchout/return/{edit.cookie}/",
        {"cxml-urlencoded": cart(edit.cookie, items, "17.30", "edit")},
        follow=True,
    )
    page = response.content.decode()
    told = (
        "Line 1 (PEN-001): its amount changed from 2.50\u00a0EUR to 5.00\u00a0EUR at the supplier, so its split "
        "by amount no longer added up. It is now charged to CC-200/6000 (the requisition&#x27;s coding) instead "
        "of CC-100 2.00\u00a0EUR; CC-300 0.50\u00a0EUR: check its accounting."
    )
    assert page.count(told) == 2  # the message after the return, and the history
    assert _coding(requisition) == [
        (1, "PEN-001", "CC-200", "6000", []),
        (2, "PAPER-A4", "CC-200", "6000", []),
    ]


def test_the_details_form_keeps_what_was_typed_when_it_fails(
    acme: PunchOutConnection, requester: Client, rita: User
) -> None:
    requisition = _with_header(rita, acme)
    other = Company.objects.create(name="Other Ltd", default_currency="EUR")
    foreign = CostCenter.objects.create(company=other, code="X-1", name="Elsewhere")
    response = requester.post(
        f"/requisitions/{requisition.pk}/details/",
        {"title": "Printer paper", "justification": "Out of stock", "need_by": "31/31/2026",
         "ship_to": requisition.ship_to_id, "cost_center": foreign.pk},
    )  # fmt: skip
    assert response.status_code == 400
    form = response.context["header_form"]
    assert form.errors == {
        "need_by": ["Enter a valid date."],
        "cost_center": ["Select a valid choice. That choice is not one of the available choices."],
    }
    page = response.content.decode()
    assert 'value="Printer paper"' in page
    assert ">\nOut of stock</textarea>" in page
    requisition.refresh_from_db()
    assert (requisition.title, requisition.cost_center.code) == ("Office", "CC-200")


def test_only_the_requester_changes_the_details(acme: PunchOutConnection, rita: User) -> None:
    requisition = _with_header(rita, acme)
    approver = Client()
    approver.force_login(User.objects.get(email="approver@acme.test"))
    response = approver.post(
        f"/requisitions/{requisition.pk}/details/",
        {"title": "Mine", "ship_to": Address.objects.get(code="HQ").pk, "cost_center": _cc("CC-300").pk},
    )
    assert response.status_code == 404
    requisition.refresh_from_db()
    assert (requisition.title, requisition.cost_center.code) == ("Office", "CC-200")


def test_a_repunch_that_changes_prices_tells_the_requester_each_line_old_and_new(
    rita: User, acme: PunchOutConnection
) -> None:
    requisition = _with_header(rita, acme)
    dearer_pens = CartLine(**{**PEN.__dict__, "unit_price": Decimal("1.3125")})
    same_paper = CartLine(**PAPER.__dict__)
    replace_lines(
        requisition=requisition, actor=rita, line_ids=list(requisition.lines.values_list("pk", flat=True)),
        lines=[dearer_pens, same_paper], supplier=acme.supplier, connection=acme,
    )  # fmt: skip
    event = requisition.events.order_by("-id").first()
    assert event.detail["price_changed"] == [
        {
            "line": "1",
            "part": "PEN-001",
            "before": "1.2500",
            "before_currency": "EUR",
            "after": "1.3125",
            "currency": "EUR",
        }
    ]
    assert event.coding_notes == [
        "Line 1 (PEN-001): the supplier's price is now 1.3125\u00a0EUR, it was 1.25\u00a0EUR."
    ]
    with translation.override("fr"):
        assert event.coding_notes == [
            "Ligne 1 (PEN-001) : le prix du fournisseur est désormais de 1,3125\u00a0EUR, il était de 1,25\u00a0EUR."
        ]


@pytest.mark.parametrize(
    ("path", "typed"),
    [
        ("details/", {"title": "Mine"}),
        (
            "lines/add/",
            {
                "description": "Scales",
                "quantity": "1",
                "unit_of_measure": "EA",
                "unit_price": "9",
                "currency": "EUR",
            },
        ),
    ],
)
def test_a_form_posted_from_a_page_opened_while_it_was_a_draft_says_why_above_the_lines(
    acme: PunchOutConnection, requester: Client, rita: User, path: str, typed: dict[str, str]
) -> None:
    """The page no longer shows the form once the requisition has gone on (here, submitted and ordered
    at once, under Rita's limit): the refusal is a message above the lines, not an error on a form the
    page does not show."""
    requisition = _with_header(rita, acme)
    submit_requisition(requisition, rita)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ORDERED
    answer = requester.post(f"/requisitions/{requisition.pk}/{path}", typed, follow=True)
    assert answer.redirect_chain == [(f"/requisitions/{requisition.pk}/", 302)]
    assert [str(message) for message in answer.context["messages"]] == [
        f"Requisition {requisition.number} is Ordered: lines can only change while it is a draft or "
        "returned for changes."
    ]
    requisition.refresh_from_db()
    assert (requisition.title, requisition.lines.count()) == ("Office", 2)
