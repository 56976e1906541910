"""``openprocure conformance buyer`` against the project's own buyer suite, both sites run as
processes (``openprocure demo``): two orders go through the loop (PunchOut, approval, the PO sent to
the storefront); the command, playing the storefront, confirms, ships and invoices the first, rejects
the second, and every check passes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from openprocure.simulate.loop import Plan, SimOrder, Simulator
from openprocure.simulate.web import wait_until

pytestmark = [pytest.mark.slow]

CODES = [
    "confirm.accept",
    "confirm.detail",
    "shipnotice",
    "invoice",
    "invoice.credit",
    "statusupdate",
    "secret.wrong",
    "payload.duplicate",
    "confirm.reject",
]


def test_the_buyer_suite_passes_every_buyer_check(demo: Any) -> None:
    simulator = Simulator(buyer_url=demo.buyer_url, supplier_url=demo.supplier_url, seed=3)
    simulator.sign_in()
    orders = [SimOrder(index, Plan()) for index in (1, 2)]
    for order in orders:
        simulator.shop(order)
    simulator.approve(orders)
    for order in orders:
        simulator.follow_po(order)
    assert simulator.buyer_api is not None
    po = simulator.buyer_api.get(f"purchase-orders/{orders[0].po}")
    sent = [
        d["payload_id"] for d in po["documents"] if d["kind"] == "OrderRequest" and d["direction"] == "out"
    ]
    assert sent, po["documents"]
    lines = ",".join(
        f"{line['line_number']}:{line['quantity']}:{line['unit_of_measure']}:{line['unit_price']} {po['currency']}"
        f":{line['supplier_part_id']}"
        for line in po["lines"]
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "openprocure.cli",
            "conformance",
            "buyer",
            f"{demo.buyer_url}/cxml/",
            "--from",
            "NetworkId:MARKETPLACE",
            "--to",
            "NetworkId:ACME",
            "--secret",
            "acme-demo-secret",
            "--order-id",
            orders[0].po,
            "--order-payload-id",
            sent[0],
            "--lines",
            lines,
            "--reject-order-id",
            orders[1].po,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stdout)
    outcomes = {check["code"]: (check["outcome"], check["message"]) for check in report["checks"]}
    assert list(outcomes) == CODES, done.stderr
    assert {code: outcome for code, (outcome, _message) in outcomes.items()} == dict.fromkeys(
        CODES, "pass"
    ), json.dumps(outcomes, indent=1)
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("PASSED: 9 checks, 0 failed.\n")
    assert outcomes["secret.wrong"][1].startswith("Refused with cXML 401 Unauthorized (The SharedSecret in ")
    assert outcomes["confirm.accept"][1].startswith(
        f"The confirmation of order {orders[0].po} was answered cXML 200 OK (Confirmation of {orders[0].po} "
        "recorded"
    )
    invoice = next(c for c in report["checks"] if c["code"] == "invoice")
    assert outcomes["payload.duplicate"][1].startswith(
        f"The invoice sent again with the same payloadID {invoice['params']['payload_id']} was answered cXML 200 OK"
    )
    # The reject check ran on the second order only: the buyer suite cancelled it, not the first.
    # The check may run before the buyer's worker has recorded the delivery of that order (still
    # "sent"): the reject is applied once it is.
    wait_until(
        lambda: simulator.po_status(orders[1]) != "sent",
        seconds=60,
        what=f"the delivery of {orders[1].po} to be recorded",
        pause=0.5,
    )
    assert simulator.po_status(orders[1]) == "cancelled"
    assert simulator.po_status(orders[0]) != "cancelled"
