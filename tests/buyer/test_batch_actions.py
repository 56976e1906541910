"""“Submit selected” on the requester's list and “Approve selected” in the approval inbox, through the pages."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.utils import timezone

from openprocure.buyer.approvals.models import (
    ApprovalAssignment,
    ApprovalDecision,
    ApprovalEvent,
    ApprovalRequest,
    Budget,
    BudgetCommitment,
)
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent, Transmission
from openprocure.buyer.requisitions.models import Requisition, RequisitionLine
from openprocure.core.models import Document, OutboxMessage, User
from tests.buyer.approval_world import build_world, requisition, rule, signed_in, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PO_NUMBER_PATTERN = "PO-{year}-{seq:06}"
    return build_world()


def assignment_of(req: Requisition, email: str) -> ApprovalAssignment:
    return ApprovalAssignment.objects.get(step__request__requisition=req, approver__email=email)


def messages_of(answer) -> list[str]:
    return [str(m) for m in get_messages(answer.wsgi_request)]


def status(req: Requisition) -> str:
    return Requisition.objects.get(pk=req.pk).status


def budget(world, amount: str, enforcement: str) -> Budget:
    today = timezone.localdate()
    return Budget.objects.create(
        cost_center=world.cc_ops,
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        amount=Decimal(amount),
        currency="EUR",
        enforcement=enforcement,
    )


# -- approve selected ---------------------------------------------------------------------------------
def test_approve_selected_orders_what_it_may_and_says_why_not_for_the_rest(world) -> None:
    budget(world, "100000.00", "warn")
    rule("r", {"users": [world.alan, world.bob]})  # one parallel step, any one of the two
    first, second, bobs = (requisition(world, price=p) for p in ("600.00", "750.00", "800.00"))
    for req in (first, second, bobs):
        submit(world, req)
    own = requisition(world, requester=world.alan, price="900.00")
    RequisitionLine.objects.filter(requisition=own).update(cost_center=world.cc_ops)
    submit(world, own, world.alan)  # the engine leaves Alan out: Bob is asked
    forced = assignment_of(own, "bob@acme.test")
    ApprovalAssignment.objects.filter(pk=forced.pk).update(approver=world.alan)  # forced onto his own
    picked = [
        assignment_of(first, "alan@acme.test"),
        assignment_of(second, "alan@acme.test"),
        assignment_of(bobs, "bob@acme.test"),
        forced,
    ]
    page = signed_in(world.alan).get("/approvals/").content.decode()
    assert f'name="assignment" value="{picked[0].pk}"' in page
    mail.outbox.clear()

    answer = signed_in(world.alan).post(
        "/approvals/approve-selected/", {"assignment": [a.pk for a in picked], "comment": "Within plan"}
    )

    assert answer.status_code == 302 and answer["Location"] == "/approvals/"
    assert messages_of(answer) == [
        f"2 approved. 2 could not be approved: {bobs.number}: This approval is assigned to someone else.; "
        f"{own.number}: You cannot approve your own request. It waits for the approvers named in its chain."
    ]
    year = timezone.localdate().year
    orders = list(PurchaseOrder.objects.order_by("number"))
    assert [(po.number, po.requisition_id, po.total_amount, po.status, po.buyer_id) for po in orders] == [
        (f"PO-{year}-000001", first.pk, Decimal("600.00"), "sent", world.rita.pk),
        (f"PO-{year}-000002", second.pk, Decimal("750.00"), "sent", world.rita.pk),
    ]
    assert [(po.lines.get().supplier_part_id, po.lines.get().amount) for po in orders] == [
        (" SKU-1001 ", Decimal("600.00")),
        (" SKU-1001 ", Decimal("750.00")),
    ]
    messages = list(OutboxMessage.objects.order_by("reference"))
    assert [(m.kind, m.reference, m.url, m.status) for m in messages] == [
        ("OrderRequest", f"PO-{year}-000001", "http://127.0.0.1:9/cxml/", "pending"),
        ("OrderRequest", f"PO-{year}-000002", "http://127.0.0.1:9/cxml/", "pending"),
    ]
    for po, message in zip(orders, messages, strict=True):
        assert Transmission.objects.get(purchase_order=po).payload_id == message.payload_id
        assert f'orderID="{po.number}"' in message.body
        # Stored with the secret masked, like the journal's copy: the outbox puts it in at delivery.
        journal = Document.objects.get(reference=po.number, kind="OrderRequest")
        assert journal == message.document
        assert "s3cret-Abc!" not in journal.raw and "<SharedSecret>********</SharedSecret>" in journal.raw
        assert (message.body, message.secret_source) == (journal.raw, str(world.connection.pk))
        assert list(
            PurchaseOrderEvent.objects.filter(purchase_order=po).order_by("id").values_list("kind", "actor")
        ) == [("created", world.alan.pk), ("sent", world.alan.pk)]
    assert [(status(r)) for r in (first, second, bobs, own)] == [
        "ordered",
        "ordered",
        "submitted",
        "submitted",
    ]
    assert list(
        first.events.filter(kind="status_changed")
        .order_by("id")
        .values_list("from_status", "to_status", "actor")
    ) == [
        ("draft", "submitted", world.rita.pk),
        ("submitted", "approved", world.alan.pk),
        ("approved", "ordered", world.alan.pk),
    ]
    assert list(
        ApprovalDecision.objects.order_by("id").values_list(
            "assignment__step__request__requisition", "actor", "decision", "comment", "channel"
        )
    ) == [
        (first.pk, world.alan.pk, "approve", "Within plan", "web"),
        (second.pk, world.alan.pk, "approve", "Within plan", "web"),
    ]
    request = ApprovalRequest.objects.get(requisition=first)
    assert request.status == "approved"
    assert list(request.events.order_by("id").values_list("kind", "actor")) == [
        ("submitted", world.rita.pk),
        ("decision_approve", world.alan.pk),
        ("approved", world.alan.pk),
    ]
    assert assignment_of(first, "bob@acme.test").status == "closed"  # the step no longer needs Bob
    assert list(
        BudgetCommitment.objects.filter(released_at__isnull=True)
        .order_by("requisition")
        .values_list("requisition", "kind", "reference", "amount")
    ) == [
        (first.pk, "purchase_order", f"PO-{year}-000001", Decimal("600.00")),
        (second.pk, "purchase_order", f"PO-{year}-000002", Decimal("750.00")),
    ]
    # The refused ones are untouched.
    assert (
        ApprovalEvent.objects.filter(request__requisition__in=[bobs, own]).exclude(kind="submitted").count()
        == 0
    )
    assert assignment_of(bobs, "bob@acme.test").status == "pending"
    assert ApprovalAssignment.objects.get(pk=forced.pk).status == "pending"


def test_approve_selected_follows_serial_steps_and_numbers_after_the_single_path(
    world, django_capture_on_commit_callbacks
) -> None:
    rule("serial", {"users": [world.alan, world.bob], "mode": "serial"})
    single, batch = requisition(world), requisition(world, price="700.00")
    for req in (single, batch):
        submit(world, req)
    signed_in(world.alan).post(
        f"/approvals/{assignment_of(single, 'alan@acme.test').pk}/", {"decision": "approve"}
    )
    signed_in(world.bob).post(
        f"/approvals/{assignment_of(single, 'bob@acme.test').pk}/", {"decision": "approve"}
    )
    assert status(single) == "ordered"

    signed_in(world.alan).post(
        "/approvals/approve-selected/", {"assignment": [assignment_of(batch, "alan@acme.test").pk]}
    )
    assert status(batch) == "submitted"  # Bob's turn now
    assert assignment_of(batch, "bob@acme.test").status == "pending"
    assert PurchaseOrder.objects.filter(requisition=batch).count() == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(world.bob).post(
            "/approvals/approve-selected/", {"assignment": [assignment_of(batch, "bob@acme.test").pk]}
        )
    assert messages_of(answer) == ["1 approved."]
    year = timezone.localdate().year
    assert PurchaseOrder.objects.get(requisition=batch).number == f"PO-{year}-000002"
    assert status(batch) == "ordered"
    assert [(m.to, m.subject) for m in mail.outbox] == [(["rita@acme.test"], "1 requisition was approved")]


def test_approve_selected_needs_a_selection(world) -> None:
    answer = signed_in(world.alan).post("/approvals/approve-selected/", {})
    assert messages_of(answer) == ["Tick at least one approval, then choose “Approve selected”."]
    assert ApprovalDecision.objects.count() == 0


def test_approve_selected_refuses_a_comment_too_long_beside_the_field_and_approves_nothing(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world, price="600.00")
    submit(world, req)
    picked = assignment_of(req, "alan@acme.test")
    answer = signed_in(world.alan).post(
        "/approvals/approve-selected/", {"assignment": [picked.pk, "x"], "comment": "y" * 2001}
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Ensure this value has at most 2000 characters (it has 2001)." in page
    assert f'value="{picked.pk}" id="assignment-{picked.pk}" checked' in page
    assert "y" * 2001 + "</textarea>" in page
    assert ApprovalDecision.objects.count() == 0
    assert status(req) == "submitted"


# -- reject selected ----------------------------------------------------------------------------------
def test_reject_selected_rejects_with_the_reason_and_says_why_not_for_the_rest(world) -> None:
    rule("r", {"users": [world.alan, world.bob]})
    first, second, bobs = (requisition(world, price=p) for p in ("600.00", "750.00", "800.00"))
    for req in (first, second, bobs):
        submit(world, req)
    picked = [
        assignment_of(first, "alan@acme.test"),
        assignment_of(second, "alan@acme.test"),
        assignment_of(bobs, "bob@acme.test"),
    ]
    page = signed_in(world.alan).get("/approvals/").content.decode()
    assert 'formaction="/approvals/reject-selected/"' in page
    assert "Reject selected" in page

    answer = signed_in(world.alan).post(
        "/approvals/reject-selected/",
        {"assignment": [a.pk for a in picked], "reason": "  Not in this year's plan  "},
    )

    assert answer.status_code == 302 and answer["Location"] == "/approvals/"
    assert messages_of(answer) == [
        "2 rejected: “Not in this year's plan”. 1 could not be rejected: "
        f"{bobs.number}: This approval is assigned to someone else."
    ]
    assert [status(r) for r in (first, second, bobs)] == ["rejected", "rejected", "submitted"]
    assert list(
        ApprovalDecision.objects.order_by("id").values_list(
            "assignment__step__request__requisition__number", "decision", "actor__email", "comment"
        )
    ) == [
        (first.number, "reject", "alan@acme.test", "Not in this year's plan"),
        (second.number, "reject", "alan@acme.test", "Not in this year's plan"),
    ]
    for req in (first, second):
        event = Requisition.objects.get(pk=req.pk).events.get(to_status="rejected")
        assert (event.actor_id, event.reason) == (world.alan.pk, "Not in this year's plan")
    assert PurchaseOrder.objects.count() == 0


@pytest.mark.parametrize("reason", [pytest.param("", id="empty"), pytest.param("   ", id="blank")])
def test_reject_selected_needs_a_reason_beside_the_field_and_rejects_nothing(world, reason: str) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world, price="600.00")
    submit(world, req)
    picked = assignment_of(req, "alan@acme.test")
    answer = signed_in(world.alan).post(
        "/approvals/reject-selected/", {"assignment": [picked.pk], "reason": reason, "comment": "kept?"}
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    field = re.search(r'<textarea name="reason"[^>]*>(.*?)</textarea>(.*?)</p>', page, re.S)
    assert field is not None
    assert field.group(1) == f"\n{reason}"
    assert re.sub(r"<[^>]+>", "", field.group(2)).strip() == (
        "Say why you reject them, so each requester knows; nothing was rejected."
    )
    assert f'value="{picked.pk}" id="assignment-{picked.pk}" checked' in page
    assert "required" not in re.search(r"<textarea[^>]*>", page).group(0)
    assert ApprovalDecision.objects.count() == 0
    assert status(req) == "submitted"


def test_reject_selected_needs_a_selection(world) -> None:
    answer = signed_in(world.alan).post("/approvals/reject-selected/", {"reason": "No"})
    assert messages_of(answer) == ["Tick at least one approval, then choose “Reject selected”."]
    assert ApprovalDecision.objects.count() == 0


def test_reject_selected_refuses_the_requesters_own_request(world) -> None:
    rule("r", {"users": [world.bob]})
    own = requisition(world, requester=world.alan, price="900.00")
    RequisitionLine.objects.filter(requisition=own).update(cost_center=world.cc_ops)
    submit(world, own, world.alan)
    forced = assignment_of(own, "bob@acme.test")
    ApprovalAssignment.objects.filter(pk=forced.pk).update(approver=world.alan)  # forced onto his own
    answer = signed_in(world.alan).post(
        "/approvals/reject-selected/", {"assignment": [forced.pk], "reason": "Changed my mind"}
    )
    assert messages_of(answer) == [
        f"0 rejected: “Changed my mind”. 1 could not be rejected: {own.number}: "
        "You cannot approve your own request. It waits for the approvers named in its chain."
    ]
    assert status(own) == "submitted"
    assert ApprovalDecision.objects.count() == 0


def test_revoking_a_token_that_is_no_number_is_refused_and_revokes_nothing(world) -> None:
    from openprocure.buyer.approvals import services
    from openprocure.buyer.approvals.models import ApiToken

    token, _ = services.create_api_token(user=world.alan, name="laptop")
    client = signed_in(world.alan)
    answer = client.post("/approvals/tokens/", {"revoke": "first"})
    assert answer.status_code == 400
    assert "Choose “Revoke” beside one of your tokens." in answer.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert client.post("/approvals/tokens/", {"revoke": token.pk}).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


# -- submit selected ----------------------------------------------------------------------------------
def test_submit_selected_refuses_the_one_a_blocking_budget_stops(world) -> None:
    budget(world, "1000.00", "block")  # no rule: each requisition is approved and ordered at once
    fits, too_much, after_first, small = (
        requisition(world, price=p) for p in ("600.00", "1000.01", "500.00", "300.00")
    )
    page = signed_in(world.rita).get("/requisitions/").content.decode()
    assert f'name="requisition" value="{fits.pk}"' in page

    answer = signed_in(world.rita).post(
        "/requisitions/submit-selected/",
        {"requisition": [r.pk for r in (fits, too_much, after_first, small)]},
    )

    b = Budget.objects.get()
    period = f"{b.period_start.isoformat()}–{b.period_end.isoformat()}"
    assert messages_of(answer) == [
        "2 submitted. 2 could not be submitted: "
        f"{too_much.number}: Budget of CC100 Operations for {period}: 1,000.00\xa0EUR, already committed 600.00\xa0EUR, "
        "this requisition 1,000.01\xa0EUR, remaining -600.01\xa0EUR.; "
        f"{after_first.number}: Budget of CC100 Operations for {period}: 1,000.00\xa0EUR, already committed 600.00\xa0EUR, "
        "this requisition 500.00\xa0EUR, remaining -100.00\xa0EUR."
    ]
    assert [status(r) for r in (fits, too_much, after_first, small)] == [
        "ordered",
        "draft",
        "draft",
        "ordered",
    ]
    year = timezone.localdate().year
    assert list(PurchaseOrder.objects.order_by("number").values_list("number", "requisition")) == [
        (f"PO-{year}-000001", fits.pk),
        (f"PO-{year}-000002", small.pk),
    ]
    assert OutboxMessage.objects.count() == 2
    assert ApprovalRequest.objects.filter(requisition__in=[too_much, after_first]).count() == 0
    refused = Requisition.objects.get(pk=too_much.pk)
    assert (refused.submitted_at, refused.events.filter(kind="status_changed").count()) == (None, 0)
    assert sorted(
        BudgetCommitment.objects.filter(released_at__isnull=True).values_list("reference", "amount")
    ) == [(f"PO-{year}-000001", Decimal("600.00")), (f"PO-{year}-000002", Decimal("300.00"))]


def test_the_batch_e_mail_writes_amounts_in_the_approvers_language(
    world, settings, django_capture_on_commit_callbacks
) -> None:
    settings.PUBLIC_URL = "https://buy.acme.test"
    rule("r", {"users": [world.alan]})
    User.objects.filter(pk=world.alan.pk).update(preferred_language="fr")
    first, second = requisition(world), requisition(world, price="650.00")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(world.rita).post("/requisitions/submit-selected/", {"requisition": [first.pk, second.pk]})
    assert [m.to for m in mail.outbox] == [["alan@acme.test"]]
    body = mail.outbox[0].body
    assert f"{first.number} Chairs — demandée par Rita Requester, 600,00\xa0EUR" in body
    assert f"{second.number} Chairs — demandée par Rita Requester, 650,00\xa0EUR" in body


def test_submit_selected_freezes_chains_and_mails_each_approver_once(
    world, settings, django_capture_on_commit_callbacks
) -> None:
    settings.PUBLIC_URL = "https://buy.acme.test"
    rule("r", {"users": [world.alan]})
    first, second = requisition(world), requisition(world, price="650.00")
    already = requisition(world)
    submit(world, already)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(world.rita).post(
            "/requisitions/submit-selected/", {"requisition": [first.pk, second.pk, already.pk]}
        )
    assert messages_of(answer) == [
        f"2 submitted. 1 could not be submitted: {already.number}: Requisition {already.number} was already submitted."
    ]
    for req in (first, second):
        assert status(req) == "submitted"
        assert assignment_of(req, "alan@acme.test").status == "pending"
        assert list(
            ApprovalRequest.objects.filter(requisition=req).values_list("round", "amount", "status")
        ) == [(1, Decimal(req.total_amount), "pending")]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["alan@acme.test"], "2 requisitions need your approval")
    ]
    body = mail.outbox[0].body
    assert f"{first.number} Chairs — requested by Rita Requester, 600.00\xa0EUR" in body
    assert f"{second.number} Chairs — requested by Rita Requester, 650.00\xa0EUR" in body
    assert f"https://buy.acme.test/approvals/{assignment_of(first, 'alan@acme.test').pk}/" in body
    # Each requisition has its own single-use approve and reject links, as a single request's e-mail.
    approve = re.findall(r"Approve now \(single use\): https://buy\.acme\.test(/approvals/email/\S+/)", body)
    reject = re.findall(r"you will be asked why\): https://buy\.acme\.test(/approvals/email/\S+/)", body)
    assert (len(approve), len(reject), len(set(approve + reject))) == (2, 2, 4)
    browser = Client()
    browser.force_login(world.alan)  # the links act for their addressee, signed in
    assert browser.post(approve[1], {"comment": "fine"}).status_code == 200
    assert (status(first), status(second)) == ("submitted", "ordered")
    assert browser.post(approve[1]).status_code == 410  # used
    assert ApprovalDecision.objects.get().channel == "email"


def test_submit_selected_refuses_someone_elses_requisition(world) -> None:
    theirs = requisition(world)
    answer = signed_in(world.bob).post("/requisitions/submit-selected/", {"requisition": [theirs.pk]})
    assert messages_of(answer) == [
        f"0 submitted. 1 could not be submitted: {theirs.number}: Only the requester can submit requisition {theirs.number}."
    ]
    assert status(theirs) == "draft"
    assert ApprovalRequest.objects.count() == 0


# -- concurrency --------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("other", ["batch", "single"], ids=["two batches", "batch and single decision"])
def test_concurrent_batch_approvals_of_one_step_are_counted_once(settings, other: str) -> None:
    import threading

    from django.db import OperationalError, close_old_connections

    from openprocure.buyer.approvals import services

    settings.PO_NUMBER_PATTERN = "PO-{year}-{seq:06}"
    world = build_world()
    rule("any", {"users": [world.alan, world.bob]})
    reqs = [requisition(world), requisition(world, price="700.00")]
    for req in reqs:
        submit(world, req)
    alans = [assignment_of(r, "alan@acme.test").pk for r in reqs]
    bobs = [assignment_of(r, "bob@acme.test").pk for r in reqs]
    outcomes: list[tuple[str, int, int]] = []
    barrier = threading.Barrier(2)

    def alan() -> None:
        barrier.wait()
        while True:
            try:
                result = services.decide_many(assignment_ids=alans, actor=world.alan)
                outcomes.append(("alan", len(result.decided), len(result.refused)))
                break
            except OperationalError:  # SQLite: "database is locked" — retried like a client would
                continue
        close_old_connections()

    def bob() -> None:
        barrier.wait()
        ids = bobs
        while True:
            try:
                if other == "batch":
                    result = services.decide_many(assignment_ids=ids, actor=world.bob)
                    outcomes.append(("bob", len(result.decided), len(result.refused)))
                else:
                    outcomes.append(("bob", *decide_each(ids)))
                break
            except OperationalError:
                continue
        close_old_connections()

    def decide_each(ids: list[int]) -> tuple[int, int]:
        decided = refused = 0
        for pk in ids:
            while True:
                try:
                    services.decide(assignment_id=pk, actor=world.bob, decision="approve")
                    decided += 1
                    break
                except services.ApprovalError:
                    refused += 1
                    break
                except OperationalError:
                    continue
        return decided, refused

    threads = [threading.Thread(target=alan), threading.Thread(target=bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(decided for _who, decided, _refused in outcomes) == 2
    assert sum(refused for _who, _decided, refused in outcomes) == 2
    for req in reqs:
        assert ApprovalDecision.objects.filter(assignment__step__request__requisition=req).count() == 1
        assert PurchaseOrder.objects.filter(requisition=req).count() == 1
        assert status(req) == "ordered"
    year = timezone.localdate().year
    assert sorted(PurchaseOrder.objects.values_list("number", flat=True)) == [
        f"PO-{year}-000001",
        f"PO-{year}-000002",
    ]
