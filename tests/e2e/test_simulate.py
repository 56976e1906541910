"""``openprocure simulate`` against both sites running as processes (``openprocure demo``).

The simulator drives orders through the two sites over HTTP only, as their people and systems would,
and its report must show them agreeing: every honest invoice matched at the first attempt, every
total equal to the cent, nothing undelivered, no order stuck. A deliberately dishonest invoice is
caught by the buyer and fails the run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

pytestmark = [pytest.mark.slow]


def simulate(demo: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "openprocure.cli",
            "simulate",
            "--buyer-url",
            demo.buyer_url,
            "--supplier-url",
            demo.supplier_url,
            "--quiet",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


def section(report: str, title: str) -> list[str]:
    """The detail lines ("  - …") under the report line starting with ``title``."""
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    found = []
    for line in lines[start + 1 :]:
        if not line.startswith("  - "):
            break
        found.append(line)
    return found


def test_four_orders_agree_across_cart_order_confirmation_and_invoice(demo: Any) -> None:
    # Seed 9: the first order shipped in two parts with a return, the second cancelled by the
    # storefront, the third and fourth shipped whole, each with a return.
    done = simulate(demo, "--orders", "4", "--seed", "9", "--cancel-share", "0.5")
    report = done.stdout
    lines = report.splitlines()
    assert lines[:7] == [
        "Orders: 4 (3 delivered and invoiced, 1 cancelled: 0 by the buyer, 1 by the supplier)",
        "Buyer cancellations too late (shipped already, or refused by the supplier): 0",
        "Shipments: 4 · returns: 3 · invoices: 4 · credit memos: 3",
        "First-time match of honest invoices: 7/7 (100.0 %)",
        "Dishonest invoices caught: 0/0",
        "Totals disagreeing (cart, order, confirmation, invoice): 0",
        lines[6],
    ], report + done.stderr
    assert re.fullmatch(r"Outbox messages not delivered: \d+", lines[6])
    assert re.fullmatch(r"Wall time: [\d.]+ s", lines[-1])
    assert lines[6] == "Outbox messages not delivered: 0", report
    assert "Orders stuck: 0" in lines, report
    assert done.returncode == 0, report


def test_a_dishonest_invoice_is_caught_and_fails_the_run(demo: Any) -> None:
    done = simulate(demo, "--orders", "1", "--seed", "1", "--cancel-share", "0", "--dishonest", "1")
    report = done.stdout
    assert done.returncode == 1, report + done.stderr
    lines = report.splitlines()
    assert lines[2:5] == [
        "Shipments: 2 · returns: 1 · invoices: 2 · credit memos: 1",
        "First-time match of honest invoices: 3/3 (100.0 %)",
        "Dishonest invoices caught: 1/1",
    ], report
    caught = section(report, "Dishonest invoices caught")
    assert len(caught) == 1 and re.fullmatch(
        r"  - INV-\d{8}-[0-9A-F]{8}-X on PO-\d{4}-\d{6}: exception", caught[0]
    )
    number, po = caught[0].split()[1], caught[0].split()[3].rstrip(":")
    assert "Totals disagreeing (cart, order, confirmation, invoice): 1" in lines
    assert section(report, "Totals disagreeing") == [
        f"  - {po}: invoice {number} charges 1.00 more than the order (sent on purpose); the buyer says exception"
    ]
