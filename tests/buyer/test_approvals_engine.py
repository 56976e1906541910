"""The pure resolution engine: every condition, quorum sizes, manager levels, self-exclusion."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openprocure.buyer.approvals.engine import (
    ApproverKind,
    ApproverSpec,
    Directory,
    Facts,
    Mode,
    Quorum,
    Rule,
    StepSpec,
    required_approvals,
    resolve,
)

REQUESTER, MANAGER, DIRECTOR, CEO, OWNER, BUYER1, BUYER2, NAMED = 1, 2, 3, 4, 5, 6, 7, 8
DIRECTORY = Directory(
    managers={REQUESTER: MANAGER, MANAGER: DIRECTOR, DIRECTOR: CEO, CEO: None},
    cost_center_owners={10: OWNER, 11: REQUESTER},
    role_members={"procurement_admin": [BUYER1, BUYER2]},
)


def named(user_id: int = NAMED) -> tuple[StepSpec, ...]:
    return (StepSpec(name="named", approvers=(ApproverSpec(ApproverKind.USER, user_id=user_id),)),)


def facts(**changes: object) -> Facts:
    base: dict[str, object] = {
        "amount": Decimal("600.00"),
        "currency": "EUR",
        "requester_id": REQUESTER,
        "categories": frozenset({"44121615"}),
        "cost_center_ids": frozenset({10}),
        "department_id": 20,
        "supplier_ids": frozenset({30}),
        "has_free_text": False,
    }
    base.update(changes)
    return Facts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "rule", "matching", "not_matching"),
    [
        (
            "amount above",
            Rule(1, named(), min_amount=Decimal("500"), currency="EUR"),
            facts(),
            facts(amount=Decimal("500.00")),
        ),
        (
            "amount up to",
            Rule(1, named(), max_amount=Decimal("600"), currency="EUR"),
            facts(),
            facts(amount=Decimal("600.01")),
        ),
        (
            "category prefix",
            Rule(1, named(), category_prefixes=frozenset({"4412"})),
            facts(),
            facts(categories=frozenset({"43211503"})),
        ),
        (
            "cost center",
            Rule(1, named(), cost_center_ids=frozenset({10})),
            facts(),
            facts(cost_center_ids=frozenset({12})),
        ),
        ("department", Rule(1, named(), department_ids=frozenset({20})), facts(), facts(department_id=21)),
        (
            "supplier",
            Rule(1, named(), supplier_ids=frozenset({30})),
            facts(),
            facts(supplier_ids=frozenset({31})),
        ),
        ("free text", Rule(1, named(), free_text=True), facts(has_free_text=True), facts()),
        ("catalog only", Rule(1, named(), free_text=False), facts(), facts(has_free_text=True)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_each_condition(label: str, rule: Rule, matching: Facts, not_matching: Facts) -> None:
    assert [s.approver_ids for s in resolve([rule], matching, DIRECTORY)] == [[NAMED]]
    assert resolve([rule], not_matching, DIRECTORY) == []


def test_amount_in_another_currency_uses_the_rate_or_matches_when_unknown() -> None:
    rule = Rule(1, named(), min_amount=Decimal("500"), currency="EUR")
    usd = facts(amount=Decimal("540.00"), currency="USD")
    assert resolve([rule], usd, DIRECTORY, rates={("USD", "EUR"): Decimal("0.9")}) == []
    assert [s.approver_ids for s in resolve([rule], usd, DIRECTORY)] == [[NAMED]]


def test_manager_levels_cost_center_owner_role_and_order() -> None:
    rules = [
        Rule(
            2,
            (
                StepSpec(
                    "buyers",
                    (ApproverSpec(ApproverKind.ROLE, role="procurement_admin"),),
                    Mode.PARALLEL,
                    Quorum.COUNT,
                    2,
                ),
            ),
            priority=20,
        ),
        Rule(
            1,
            (
                StepSpec("managers", (ApproverSpec(ApproverKind.MANAGER, levels=2),), Mode.SERIAL),
                StepSpec("owner", (ApproverSpec(ApproverKind.COST_CENTER_OWNER),), order=2),
            ),
            priority=10,
        ),
    ]
    steps = resolve(rules, facts(cost_center_ids=frozenset({10, 11})), DIRECTORY)
    assert [(s.position, s.name, s.approver_ids, s.mode, required_approvals(s)) for s in steps] == [
        (1, "managers", [MANAGER, DIRECTOR], Mode.SERIAL, 2),
        (2, "owner", [OWNER], Mode.PARALLEL, 1),  # the requester owns cost center 11: left out
        (3, "buyers", [BUYER1, BUYER2], Mode.PARALLEL, 2),
    ]
    assert [a.source for a in steps[0].approvers] == ["manager:1", "manager:2"]


def test_requester_is_never_an_approver_and_an_empty_step_is_flagged() -> None:
    steps = resolve([Rule(1, named(REQUESTER))], facts(), DIRECTORY)
    assert [(s.approver_ids, s.unresolved) for s in steps] == [([], True)]


def test_identical_steps_from_two_rules_are_asked_once() -> None:
    steps = resolve([Rule(1, named()), Rule(2, named())], facts(), DIRECTORY)
    assert [(s.rule_id, s.approver_ids) for s in steps] == [(1, [NAMED])]


def test_quorum_sizes() -> None:
    spec = (
        ApproverSpec(ApproverKind.ROLE, role="procurement_admin"),
        ApproverSpec(ApproverKind.USER, user_id=NAMED),
    )
    sizes = [
        required_approvals(
            resolve([Rule(1, (StepSpec("s", spec, Mode.PARALLEL, quorum, count),))], facts(), DIRECTORY)[0]
        )
        for quorum, count in [(Quorum.ANY, 1), (Quorum.ALL, 1), (Quorum.COUNT, 2), (Quorum.COUNT, 9)]
    ]
    assert sizes == [1, 3, 2, 3]


def test_manager_chain_stops_at_a_loop() -> None:
    looping = Directory(managers={1: 2, 2: 1})
    assert looping.manager_chain(1, 5) == [2]
