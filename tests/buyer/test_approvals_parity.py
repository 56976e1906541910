"""The batch paths (submit many, approve selected) leave exactly the state the one-by-one paths leave.

Each scenario builds pairs of identical requisitions; one of each pair goes through
``submit_requisition`` and ``decide``, the other through ``submit_many`` and ``decide_many``, and after
every step the two are compared row by row (everything but keys, timestamps and generated numbers).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.db import models

from openprocure.buyer.approvals.models import (
    ApprovalAssignment,
    ApprovalDecision,
    ApprovalRequest,
    BudgetCommitment,
)
from openprocure.buyer.approvals.services import decide, decide_many
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.requisitions.services import submit_many, submit_requisition
from openprocure.core.models import OutboxMessage
from tests.buyer.approval_world import World, build_world, requisition, rule

pytestmark = pytest.mark.django_db

#: Links between the rows compared (they differ between the two copies by construction).
LINKS = {
    "requisition_id",
    "request_id",
    "step_id",
    "assignment_id",
    "purchase_order_id",
    "line_id",
    "requisition_line_id",
    "document_id",
    "budget_id",
}


PAYLOAD_ID = re.compile(r"\d{8}T\d+\.\d+\.\d+@[\w.-]+")


def dump(row: models.Model, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """The row's own values: no key, no timestamp, no link to another compared row."""
    return {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if not f.primary_key
        and f.attname not in LINKS
        and f.attname not in drop
        and not isinstance(f, models.DateTimeField)
    }


def snapshot(req: Requisition) -> str:
    """Everything the approval and ordering of ``req`` wrote, with its generated numbers neutralised."""
    req = Requisition.objects.get(pk=req.pk)
    orders = list(PurchaseOrder.objects.filter(requisition=req).order_by("id"))
    state: dict[str, Any] = {
        "requisition": dump(req, drop=("number",)),
        "requisition events": [dump(e) for e in req.events.order_by("id")],
        "requests": [
            {
                "request": dump(request),
                "events": [dump(e) for e in request.events.order_by("id")],
                "steps": [
                    {
                        "step": dump(step),
                        "assignments": [
                            {
                                "assignment": dump(a),
                                "decisions": [dump(d) for d in a.decisions.order_by("id")],
                            }
                            for a in step.assignments.order_by("position", "approver_id")
                        ],
                    }
                    for step in request.steps.order_by("position")
                ],
            }
            for request in ApprovalRequest.objects.filter(requisition=req).order_by("round")
        ],
        "commitments": [
            dump(c) for c in BudgetCommitment.objects.filter(requisition=req).order_by("kind", "id")
        ],
        "orders": [
            {
                "order": dump(po, drop=("number",)),
                "lines": [dump(line) for line in po.lines.order_by("id")],
                "events": [dump(e) for e in po.events.order_by("id")],
                "outbox": [
                    (m.kind, m.status, m.url)
                    for m in OutboxMessage.objects.filter(reference=po.number).order_by("id")
                ],
            }
            for po in orders
        ],
        # Batches mail each approver once for all their requisitions: compare who heard of this one.
        "told": sorted({to for m in mail.outbox if req.number in m.subject + m.body for to in m.to}),
    }
    text = json.dumps(state, default=str, sort_keys=True)
    for index, po in enumerate(orders):
        text = text.replace(po.number, f"<PO {index}>")
    text = PAYLOAD_ID.sub("<payloadID>", text)
    return text.replace(req.number, "<REQUISITION>")


def pairs(world: World, prices: tuple[str, ...]) -> tuple[list[Requisition], list[Requisition]]:
    single = [requisition(world, price=p) for p in prices]
    batch = [requisition(world, price=p) for p in prices]
    return single, batch


def assignment(req: Requisition, approver: Any) -> int:
    return ApprovalAssignment.objects.get(
        step__request__requisition=req, approver=approver, status="pending"
    ).pk


def assert_same(single: list[Requisition], batch: list[Requisition]) -> None:
    for one, many in zip(single, batch, strict=True):
        assert snapshot(many) == snapshot(one)


# (rules to create, approvers in the order they decide)
SCENARIOS = {
    "any one of two": ([{"users": ["alan", "bob"]}], ["alan"]),
    "two serial steps": ([{"users": ["alan"]}, {"users": ["bob"]}], ["alan", "bob"]),
    "all of two": ([{"users": ["alan", "bob"], "quorum": "all"}], ["bob", "alan"]),
    "two manager levels in turn": (
        [{"kind": "manager", "levels": 2, "mode": "serial", "quorum": "all"}],
        ["mona", "dirk"],
    ),
    "no rule applies": ([], []),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_batch_and_single_paths_leave_the_same_state(settings, scenario: str) -> None:
    settings.PO_NUMBER_PATTERN = "PO-{year}-{seq:06}"
    world = build_world()
    steps, deciders = SCENARIOS[scenario]
    if steps:
        rule(
            "Policy",
            *[{**spec, "users": [world.people[n] for n in spec.get("users", [])]} for spec in steps],
        )
    single, batch = pairs(world, ("600.00", "1250.00"))

    for req in single:
        submit_requisition(req, world.rita)
    outcome = submit_many(requisition_ids=[r.pk for r in batch], actor=world.rita)
    assert (outcome.done, outcome.refused) == ([r.number for r in batch], [])
    assert_same(single, batch)

    for name in deciders:
        approver = world.people[name]
        for req in single:
            decide(assignment_id=assignment(req, approver), actor=approver, decision="approve", comment="ok")
        result = decide_many(
            assignment_ids=[assignment(r, approver) for r in batch], actor=approver, comment="ok"
        )
        assert (result.decided, result.referred, result.refused) == ([r.number for r in batch], [], [])
        assert_same(single, batch)

    assert [Requisition.objects.get(pk=r.pk).status for r in single + batch] == ["ordered"] * 4
    assert PurchaseOrder.objects.filter(status="sent").count() == 4
    assert ApprovalDecision.objects.count() == 2 * 2 * len(deciders)
