"""Bounded values: amounts and quantities have domain maxima the database can hold (refused in the form
with a message), CSV exports neutralise formulas, the rule editor changes nothing when nothing was
changed, and budgets refuse negatives and overlaps with a message."""

from __future__ import annotations

import csv
import html
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError
from django.test import Client

from openprocure.buyer.approvals.models import ApprovalRule, ApprovalRuleStep, Budget
from openprocure.buyer.invoicing.models import Invoice
from openprocure.buyer.requisitions.models import Requisition, RequisitionLine
from openprocure.buyer.requisitions.services import create_requisition
from openprocure.core.csvsafe import safe_cell
from openprocure.core.models import User
from tests.buyer.approval_world import World, build_world, signed_in
from tests.buyer.fulfilment_world import (
    ap_clerk,
    envelope,
    invoice_request,
    make_po,
    make_supplier,
    post,
    receive,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def free_text(client: Client, req: Requisition, quantity: str, price: str) -> list[str]:
    answer = client.post(
        f"/requisitions/{req.pk}/lines/add/",
        {
            "description": "Consulting",
            "quantity": quantity,
            "unit_of_measure": "EA",
            "unit_price": price,
            "currency": "EUR",
        },
    )
    if answer.status_code == 400:  # the form again, as typed, with each error beside its field
        form = answer.context["free_text_form"]
        assert form.data["quantity"] == quantity and form.data["unit_price"] == price
        return [
            f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
            for name, errors in form.errors.items()
        ]
    assert answer.status_code == 302
    return [html.unescape(str(m)) for m in get_messages(answer.wsgi_request) if m.level_tag == "error"]


def pages_answer(client: Client, req: Requisition) -> None:
    for path in ("/", "/requisitions/", f"/requisitions/{req.pk}/", "/spend/history/", "/spend/history.csv"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("quantity", "price", "said"),
    [
        ("1000000000", "1000000000000", "Quantity: Ensure this value is less than or equal to 999999999."),
        (
            "12345678901234",
            "1234567890123",
            "Quantity: Ensure this value is less than or equal to 999999999.",
        ),
        (
            "999999999",
            "9999999999",
            "Quantity: The line amount is more than the largest allowed, 999999999999.99.",
        ),
    ],
    ids=["1e9-x-1e12", "14-x-13-digits", "amount"],
)
def test_an_oversized_free_text_line_is_refused_with_a_message(
    world: World, quantity: str, price: str, said: str
) -> None:
    rita = signed_in(world.rita)
    req = create_requisition(requester=world.rita, title="Big")
    assert said in free_text(rita, req, quantity, price)
    assert RequisitionLine.objects.count() == 0
    assert Requisition.objects.get().total_amount == Decimal("0")
    pages_answer(rita, req)


def test_the_largest_values_allowed_are_stored_and_every_page_still_answers(world: World) -> None:
    rita = signed_in(world.rita)
    req = create_requisition(requester=world.rita, title="Big")
    assert free_text(rita, req, "99999999", "9999.99") == []
    assert Requisition.objects.get().total_amount == Decimal("999998990000.01")
    # A second line would take the total over the maximum: refused, the first stays.
    assert free_text(rita, req, "1", "10000000.00") == [
        "The requisition total would be more than the largest allowed, 999999999999.99."
    ]
    assert RequisitionLine.objects.count() == 1
    pages_answer(rita, req)
    pages_answer(signed_in(world.ada), req)  # a procurement administrator's purchase history too
    admin = signed_in(User.objects.create_superuser(email="root@acme.test", password=None))
    for path in ("/admin/requisitions/requisition/", f"/admin/requisitions/requisition/{req.pk}/change/"):
        assert admin.get(path).status_code == 200, path


def test_the_database_refuses_what_the_forms_refuse(world: World) -> None:
    req = create_requisition(requester=world.rita, title="Big")
    with pytest.raises(IntegrityError):
        RequisitionLine.objects.create(
            requisition=req,
            line_number=1,
            quantity=Decimal("1000000000"),
            unit_price=Decimal("1"),
            currency="EUR",
        )


def test_safe_cell_neutralises_formulas() -> None:
    assert [
        safe_cell(v) for v in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "INV-1", "", None, 12]
    ] == [
        "'=1+1",
        "+1",  # a plain number cannot carry a formula
        "-1",
        "'@SUM(A1)",
        "'\t=1",
        "'\r=1",
        "INV-1",
        "",
        None,
        12,
    ]


def test_a_supplier_invoice_id_starting_with_equals_is_neutralised_in_the_exports(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    supplier, connection = make_supplier()
    po = make_po(supplier, connection)
    client.force_login(User.objects.get(email="rita@acme.test"))
    receive(client, po, {1: "12", 2: "5"})
    evil = '=HYPERLINK("http://evil.test","x")'
    body = envelope(
        invoice_request(invoice_id=evil, lines=[(1, "12", "10.00"), (2, "5", "2.00")]),
        payload_id="inv-evil@s",
    )
    post(client, body)
    invoice = Invoice.objects.get()
    assert invoice.number == evil
    assert invoice.status == "approved"
    client.force_login(ap_clerk())
    answer = client.post("/invoicing/payments/")
    assert answer.status_code == 302
    exported = client.get(answer["Location"]).content.decode()
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[1][3] == "'" + evil
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    history = b"".join(client.get("/spend/history.csv").streaming_content).decode()  # type: ignore[attr-defined]
    cells = [cell for row in csv.reader(io.StringIO(history)) for cell in row]
    assert "'" + evil in cells
    assert evil not in cells


def _rule_form(world: World) -> dict[str, Any]:
    return {
        "name": "Finance",
        "priority": "100",
        "currency": "EUR",
        "free_text": "any",
        "is_active": "on",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-order": "1",
        "steps-0-name": "Finance",
        "steps-0-mode": "parallel",
        "steps-0-quorum": "any",
        "steps-0-quorum_count": "1",
        "steps-0-kind": "user",
        "steps-0-users": [str(world.alan.pk)],
    }


def _as_a_browser_posts(page: str) -> dict[str, Any]:
    """The fields a browser sends for the rule form as rendered: inputs, chosen or first options."""
    from html.parser import HTMLParser

    data: dict[str, Any] = {}

    class Form(HTMLParser):
        select: str | None = None
        first: str | None = None
        chosen: list[str] = []
        textarea: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            name = a.get("name") or ""
            if tag == "input" and name and name != "csrfmiddlewaretoken":
                kind = a.get("type", "text")
                if kind in ("checkbox", "radio"):
                    if "checked" in a:
                        data.setdefault(name, []).append(a.get("value") or "on")
                elif kind != "submit":
                    data[name] = a.get("value") or ""
            elif tag == "select":
                self.select, self.first, self.chosen = name, None, []
                self.multiple = "multiple" in a
            elif tag == "option" and self.select:
                value = a.get("value") or ""
                self.first = value if self.first is None else self.first
                if "selected" in a:
                    self.chosen.append(value)
            elif tag == "textarea":
                self.textarea = name
                data[name] = ""

        def handle_data(self, text: str) -> None:
            if self.textarea:
                data[self.textarea] += text

        def handle_endtag(self, tag: str) -> None:
            if tag == "select" and self.select:
                if self.multiple:
                    data[self.select] = self.chosen
                else:
                    data[self.select] = self.chosen[0] if self.chosen else (self.first or "")
                self.select = None
            elif tag == "textarea":
                self.textarea = None

    form = next(part for part in page.split("<form")[1:] if "steps-TOTAL_FORMS" in part.split("</form>")[0])
    Form().feed("<form" + form.split("</form>", 1)[0])
    for key, value in data.items():
        if isinstance(value, str) and value.startswith("\n"):
            data[key] = value[1:]  # a browser drops the newline that opens a textarea
    for key, value in list(data.items()):
        if (
            isinstance(value, list)
            and not key.endswith("users")
            and key not in ("cost_centers", "departments", "suppliers")
        ):
            data[key] = value[0]
    return data


def test_saving_a_rule_without_changes_changes_nothing(world: World) -> None:
    admin = signed_in(world.ada)
    assert admin.post("/approvals/policy/new/", _rule_form(world)).status_code == 302
    rule = ApprovalRule.objects.get()
    before = (rule.updated_at, list(ApprovalRuleStep.objects.values_list("pk", "order", "name")))
    for _ in range(3):
        page = admin.get(f"/approvals/policy/{rule.pk}/").content.decode()
        answer = admin.post(f"/approvals/policy/{rule.pk}/", _as_a_browser_posts(page))
        assert answer.status_code == 302, html.unescape(answer.content.decode())
    rule.refresh_from_db()
    assert (rule.updated_at, list(ApprovalRuleStep.objects.values_list("pk", "order", "name"))) == before
    assert ApprovalRuleStep.objects.get().approvers.get().user == world.alan


def _budget(admin: Client, world: World, start: str, end: str, amount: str) -> list[str]:
    answer = admin.post(
        "/approvals/budgets/",
        {
            "cost_center": world.cc_ops.pk,
            "period_start": start,
            "period_end": end,
            "amount": amount,
            "currency": "EUR",
            "enforcement": "warn",
        },
    )
    if answer.status_code == 302:
        return []
    assert answer.status_code == 400
    page = html.unescape(answer.content.decode())
    assert "budget_dates_ordered" not in page and "unique_budget_period" not in page
    return [error for error in page.split('<ul class="errorlist') if error][1:]


def test_budgets_refuse_negatives_and_overlaps_with_a_message(world: World) -> None:
    admin = signed_in(world.ada)
    refused = _budget(admin, world, "2026-01-01", "2026-12-31", "-100.00")
    assert any("A budget cannot be negative." in error for error in refused)
    assert _budget(admin, world, "2026-01-01", "2026-12-31", "1000.00") == []
    refused = _budget(admin, world, "2026-06-01", "2027-05-31", "500.00")
    assert any(
        "Operations already has a budget from 2026-01-01 to 2026-12-31; budgets of one cost center cannot overlap."
        in error
        or ("CC100" in error and "cannot overlap" in error)
        for error in refused
    ), refused
    refused = _budget(admin, world, "2026-01-01", "2026-03-31", "500.00")  # same start
    assert any("cannot overlap" in error for error in refused)
    refused = _budget(admin, world, "2027-03-01", "2027-01-01", "500.00")
    assert any("The period ends before it starts." in error for error in refused)
    assert list(Budget.objects.values_list("period_start", "amount")) == [
        (__import__("datetime").date(2026, 1, 1), Decimal("1000.00"))
    ]
    assert _budget(admin, world, "2027-01-01", "2027-12-31", "500.00") == []  # the next year is fine
