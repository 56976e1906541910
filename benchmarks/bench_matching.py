"""Benchmark: 3-way matching of N invoices of 5 lines against their POs and receipts, data in SQLite.

Run: ``.venv/bin/python benchmarks/bench_matching.py 10000 100000``. Each size builds a fresh SQLite
file (orders, receipts, invoices), then times what a bulk run does: three SELECTs that load every
order line, receipt total and invoice line into the matcher's dataclasses, and one call of the pure
:func:`openprocure.buyer.invoicing.matching.match_invoice` per invoice (no per-row query).
One invoice in 10 has a quantity over what was received, one in 10 a price 5 % too high.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from openprocure.buyer.invoicing.matching import (
    Invoice,
    InvoiceLine,
    OrderLine,
    Tolerance,
    match_invoice,
)

LINES = 5


def build(path: str, n: int) -> None:
    db = sqlite3.connect(path)
    db.executescript(
        """
        PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
        CREATE TABLE po_line (po TEXT, line INTEGER, part TEXT, qty TEXT, price TEXT, unspsc TEXT);
        CREATE TABLE receipt_line (po TEXT, line INTEGER, qty TEXT);
        CREATE TABLE invoice (id INTEGER PRIMARY KEY, number TEXT, subtotal TEXT, tax TEXT, total TEXT);
        CREATE TABLE invoice_line (invoice INTEGER, line INTEGER, po TEXT, po_line INTEGER, part TEXT,
                                   qty TEXT, price TEXT, amount TEXT);
        """
    )
    po_rows, receipt_rows, invoice_rows, line_rows = [], [], [], []
    for i in range(n):
        po = f"PO-{i:07d}"
        subtotal = Decimal(0)
        for line in range(1, LINES + 1):
            qty = 10 + line
            price = Decimal(line * 3) + Decimal("0.25")
            po_rows.append((po, line, f"P{line}", str(qty), str(price), "44121600"))
            received = qty - 2 if (i % 10 == 3 and line == 2) else qty
            receipt_rows.append((po, line, str(received)))
            inv_price = price * Decimal("1.05") if (i % 10 == 7 and line == 4) else price
            amount = (inv_price * qty).quantize(Decimal("0.01"))
            subtotal += amount
            line_rows.append((i, line, po, line, f"P{line}", str(qty), str(inv_price), str(amount)))
        tax = (subtotal * Decimal("0.2")).quantize(Decimal("0.01"))
        invoice_rows.append((i, f"INV-{i}", str(subtotal), str(tax), str(subtotal + tax)))
    db.executemany("INSERT INTO po_line VALUES (?,?,?,?,?,?)", po_rows)
    db.executemany("INSERT INTO receipt_line VALUES (?,?,?)", receipt_rows)
    db.executemany("INSERT INTO invoice VALUES (?,?,?,?,?)", invoice_rows)
    db.executemany("INSERT INTO invoice_line VALUES (?,?,?,?,?,?,?,?)", line_rows)
    db.commit()
    db.close()


def run(path: str) -> tuple[int, int, float, float]:
    start = time.perf_counter()
    db = sqlite3.connect(path)
    received: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for po, line, qty in db.execute("SELECT po, line, qty FROM receipt_line"):
        received[(po, line)] += Decimal(qty)
    orders: dict[str, list[OrderLine]] = defaultdict(list)
    for po, line, part, qty, price, unspsc in db.execute("SELECT * FROM po_line"):
        orders[po].append(
            OrderLine(po, line, part, Decimal(price), Decimal(qty), received[(po, line)], "EUR", unspsc)
        )
    invoices: dict[int, Invoice] = {}
    for pk, number, subtotal, tax, total in db.execute("SELECT * FROM invoice"):
        invoices[pk] = Invoice(number, "EUR", [], Decimal(subtotal), Decimal(tax), total=Decimal(total))
    for pk, line, po, po_line, part, qty, price, amount in db.execute("SELECT * FROM invoice_line"):
        invoices[pk].lines.append(
            InvoiceLine(line, Decimal(qty), Decimal(price), Decimal(amount), po, po_line, part)
        )
    db.close()
    loaded = time.perf_counter()
    tolerance = Tolerance(price_pct=Decimal(2), price_abs=Decimal("0.50"))

    def tolerance_for(line: OrderLine | None) -> Tolerance:
        return tolerance

    matched = 0
    for invoice in invoices.values():
        po = invoice.lines[0].order
        result = match_invoice(invoice, {po: orders[po]}, tolerance_for=tolerance_for)
        matched += result.matched
    end = time.perf_counter()
    return len(invoices), matched, loaded - start, end - loaded


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [10_000, 100_000]
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bench.sqlite3")
            build(path, n)
            count, matched, load, match = run(path)
            print(
                f"{count:>7} invoices × {LINES} lines: load {load:6.2f} s, match {match:6.2f} s, "
                f"total {load + match:6.2f} s, {count / (load + match):8.0f} invoices/s, matched {matched}"
            )


if __name__ == "__main__":
    main()
