"""Benchmark of the approval workflow and purchase-order creation (results in results/approvals.md).

1. Resolving the chain of one requisition against 1,000 rules with the pure engine (goal ≤ 5 ms).
2. 10,000 requisitions submitted, approved and turned into POs with their outbox rows, on SQLite
   (goal ≤ 60 s). Runs in a fresh data folder; e-mail goes to memory. By default through the batch
   path people use ("Submit selected", then "Approve selected": ``requisitions.services.submit_many``
   and ``approvals.services.decide_many``); ``--one-by-one`` uses ``submit_requisition`` and ``decide``
   per requisition instead.

    .venv/bin/python benchmarks/bench_approvals.py [--requisitions 10000] [--rules 1000] [--one-by-one]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def engine_benchmark(rule_count: int, runs: int = 500) -> dict[str, float]:
    from openprocure.buyer.approvals.engine import (
        ApproverKind,
        ApproverSpec,
        Directory,
        Facts,
        Mode,
        Quorum,
        Rule,
        StepSpec,
        resolve,
    )

    rng = random.Random(42)
    kinds = [ApproverKind.MANAGER, ApproverKind.COST_CENTER_OWNER, ApproverKind.ROLE, ApproverKind.USER]
    rules = []
    for rule_id in range(1, rule_count + 1):
        kind = rng.choice(kinds)
        spec = ApproverSpec(kind, levels=rng.randint(1, 3), role="approver", user_id=rng.randint(2, 500))
        # Like real policies: one selective condition (category, cost center, department, supplier
        # or catalog/free text), often combined with an amount tier.
        condition = 4 if rng.random() < 0.02 else rng.randrange(4)
        rules.append(
            Rule(
                id=rule_id,
                priority=rng.randint(1, 100),
                steps=(
                    StepSpec(f"step {rule_id}", (spec,), rng.choice(list(Mode)), rng.choice(list(Quorum)), 2),
                ),
                min_amount=Decimal(rng.choice([0, 500, 1000, 5000, 10_000, 50_000]))
                if rng.random() < 0.7
                else None,
                currency="EUR",
                category_prefixes=frozenset({str(rng.randint(10, 99))}) if condition == 0 else frozenset(),
                cost_center_ids=frozenset({rng.randint(1, 200)}) if condition == 1 else frozenset(),
                department_ids=frozenset({rng.randint(1, 50)}) if condition == 2 else frozenset(),
                supplier_ids=frozenset({rng.randint(1, 300)}) if condition == 3 else frozenset(),
                free_text=True if condition == 4 else None,
            )
        )
    directory = Directory(
        managers={u: u + 1 for u in range(1, 600)},
        cost_center_owners={cc: 1000 + cc for cc in range(1, 201)},
        role_members={"approver": list(range(700, 720))},
    )
    samples: list[float] = []
    cpu: list[float] = []
    steps = 0
    for _ in range(runs):
        facts = Facts(
            amount=Decimal(rng.randint(10, 30_000)),
            currency="EUR",
            requester_id=1,
            categories=frozenset({f"{rng.randint(10, 99)}121615", f"{rng.randint(10, 99)}101500"}),
            cost_center_ids=frozenset({rng.randint(1, 200), rng.randint(1, 200)}),
            department_id=rng.randint(1, 50),
            supplier_ids=frozenset({rng.randint(1, 300)}),
            has_free_text=rng.choice([True, False]),
        )
        started, cpu_started = time.perf_counter(), time.thread_time()
        steps += len(resolve(rules, facts, directory))
        cpu.append((time.thread_time() - cpu_started) * 1000)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    cpu.sort()
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": samples[int(len(samples) * 0.95)],
        "max_ms": samples[-1],
        # CPU time of this thread: what the engine costs, without the waits of a shared, loaded machine.
        "cpu_median_ms": statistics.median(cpu),
        "cpu_p95_ms": cpu[int(len(cpu) * 0.95)],
        "mean_steps": steps / runs,
    }


def flow_benchmark(count: int, *, one_by_one: bool = False) -> dict[str, float]:
    os.environ.setdefault("OPENPROCURE_DATA_DIR", tempfile.mkdtemp(prefix="bench-approvals-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "openprocure.buyer.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)

    from django.db import connection as db

    from openprocure.buyer.approvals import services as approvals
    from openprocure.buyer.approvals.models import (
        ApprovalAssignment,
        ApprovalRule,
        ApprovalRuleApprover,
        ApprovalRuleStep,
    )
    from openprocure.buyer.organization.models import Address, Company, CostCenter
    from openprocure.buyer.organization.services import set_profile
    from openprocure.buyer.purchasing.models import PurchaseOrder
    from openprocure.buyer.requisitions.services import (
        CartLine,
        create_requisition_from_cart,
        submit_many,
        submit_requisition,
    )
    from openprocure.buyer.suppliers.crypto import encrypt_secret
    from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
    from openprocure.core.models import OutboxMessage, User

    company = Company.objects.create(name="Bench Co")
    ship_to = Address.objects.create(
        company=company, kind="ship_to", code="HQ", name="HQ", street="1 Main St", city="Paris", country="FR"
    )
    Address.objects.create(
        company=company, kind="bill_to", code="AP", name="AP", street="2 Main St", city="Paris", country="FR"
    )
    requester = User.objects.create(email="requester@bench.test")
    approver = User.objects.create(email="approver@bench.test")
    cc = CostCenter.objects.create(company=company, code="CC1", name="Ops")
    set_profile(
        user=requester, company=company, roles=["requester"], default_cost_center=cc, default_ship_to=ship_to
    )
    set_profile(user=approver, company=company, roles=["approver"])
    rule = ApprovalRule.objects.create(name="above 500", min_amount=Decimal("500"), currency="EUR")
    step = ApprovalRuleStep.objects.create(rule=rule, order=1, name="Approver")
    ApprovalRuleApprover.objects.create(step=step, kind="user", user=approver)
    supplier = Supplier.objects.create(name="Bench Supplier")
    connection = PunchOutConnection.objects.create(
        supplier=supplier,
        setup_url="http://127.0.0.1:9/setup",
        order_url="http://127.0.0.1:9/order",
        from_identity="BUYER",
        to_identity="SUPPLIER",
        sender_identity="BUYER",
        shared_secret_encrypted=encrypt_secret("secret"),
    )
    started = time.perf_counter()
    requisitions = [
        create_requisition_from_cart(
            requester=requester,
            supplier=supplier,
            connection=connection,
            lines=[
                CartLine(
                    supplier_part_id=f"SKU-{n}",
                    supplier_part_auxiliary_id=f"aux {n}",
                    quantity=Decimal(1),
                    unit_price=Decimal("600.00"),
                    currency="EUR",
                    description="Chair",
                    unspsc="56101504",
                )
            ],
        )
        for n in range(count)
    ]
    setup_seconds = time.perf_counter() - started
    executed = [0]
    load_before = os.getloadavg()[0]

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed[0] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with db.execute_wrapper(counting):
        if one_by_one:
            for requisition in requisitions:
                submit_requisition(requisition, requester)
        else:
            submitted = submit_many(requisition_ids=[r.pk for r in requisitions], actor=requester)
            assert not submitted.refused, submitted.refused[:3]
    submit_seconds = time.perf_counter() - started
    submit_queries, executed[0] = executed[0], 0
    pending = list(ApprovalAssignment.objects.filter(status="pending").values_list("pk", flat=True))
    started = time.perf_counter()
    with db.execute_wrapper(counting):
        if one_by_one:
            for assignment_id in pending:
                approvals.decide(assignment_id=assignment_id, actor=approver, decision="approve")
        else:
            decided = approvals.decide_many(assignment_ids=pending, actor=approver, decision="approve")
            assert not decided.refused, decided.refused[:3]
    approve_seconds = time.perf_counter() - started
    approve_queries = executed[0]
    load_after = os.getloadavg()[0]
    assert PurchaseOrder.objects.count() == count, PurchaseOrder.objects.count()
    assert OutboxMessage.objects.filter(kind="OrderRequest").count() == count
    return {
        "requisitions": count,
        "setup_s": setup_seconds,
        "submit_s": submit_seconds,
        "approve_and_po_s": approve_seconds,
        "total_s": submit_seconds + approve_seconds,
        "per_requisition_ms": (submit_seconds + approve_seconds) * 1000 / count,
        "submit_queries": submit_queries,
        "approve_queries": approve_queries,
        # The machine's 1-minute load average when the timed part started and ended.
        "load_before": load_before,
        "load_after": load_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--requisitions", type=int, default=10_000)
    parser.add_argument("--engine-only", action="store_true", help="Skip the 10,000-requisition flow.")
    parser.add_argument(
        "--one-by-one",
        action="store_true",
        help="Submit and approve each requisition with its own service call (the path before the batch one).",
    )
    args = parser.parse_args()
    engine = engine_benchmark(args.rules)
    print(
        f"engine, {args.rules} rules: median {engine['median_ms']:.3f} ms, p95 {engine['p95_ms']:.3f} ms, "
        f"max {engine['max_ms']:.3f} ms (CPU time of the thread: median {engine['cpu_median_ms']:.3f} ms, "
        f"p95 {engine['cpu_p95_ms']:.3f} ms), {engine['mean_steps']:.1f} steps on average"
    )
    if args.engine_only:
        return
    flow = flow_benchmark(args.requisitions, one_by_one=args.one_by_one)
    print(
        f"flow ({'one by one' if args.one_by_one else 'batch'}), {flow['requisitions']} requisitions: submit {flow['submit_s']:.1f} s, approve + PO + outbox "
        f"{flow['approve_and_po_s']:.1f} s, total {flow['total_s']:.1f} s ({flow['per_requisition_ms']:.2f} ms each); "
        f"creating the drafts took {flow['setup_s']:.1f} s (not counted); "
        f"{flow['submit_queries']} + {flow['approve_queries']} SQL statements (after-commit work included); "
        f"load average {flow['load_before']:.2f} → {flow['load_after']:.2f}"
    )


if __name__ == "__main__":
    main()
