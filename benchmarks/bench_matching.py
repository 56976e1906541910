"""Benchmark: 3-way matching of N invoices of 5 lines against their POs and receipts, data in SQLite.

Run: ``.venv/bin/python benchmarks/bench_matching.py 10000 100000``. Each size builds a fresh SQLite
file (orders, receipts, invoices), then times what a bulk run does: three SELECTs that load every
order line, receipt total and invoice line into the matcher's dataclasses, and one call of the pure
:func:`openprocure.buyer.invoicing.matching.match_invoice` per invoice (no per-row query).
One invoice in 10 has a quantity over what was received, one in 10 a price 5 % too high.

Besides load and match it times formatting every check's figures into the JSON services store
(``MatchResult.findings_json()``), which the matcher itself defers, and prints the process's CPU time
per phase and the load average, since the machine it runs on is shared.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
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


class _Decimals(dict[str, Decimal]):
    """TEXT → Decimal, each distinct text parsed once (quantities and unit prices repeat a lot)."""

    def __missing__(self, text: str) -> Decimal:
        value = self[text] = Decimal(text)
        return value


@dataclass
class Timings:
    count: int = 0
    matched: int = 0
    load: float = 0.0  # wall-clock seconds
    match: float = 0.0
    explain: float = 0.0
    load_cpu: float = 0.0  # CPU seconds of this process (the machine is shared)
    match_cpu: float = 0.0
    explain_cpu: float = 0.0


def load(db: sqlite3.Connection) -> tuple[dict[int, Invoice], dict[str, list[OrderLine]]]:
    """Every order line (with what was received) and every invoice with its lines, in three SELECTs."""
    dec = _Decimals()  # quantities and unit prices; amounts are parsed one by one
    received: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for po, line, qty in db.execute("SELECT po, line, qty FROM receipt_line"):
        received[(po, line)] += dec[qty]
    orders: dict[str, list[OrderLine]] = defaultdict(list)
    for po, line, part, qty, price, unspsc in db.execute("SELECT * FROM po_line"):
        orders[po].append(
            OrderLine(po, line, part, dec[price], dec[qty], received[(po, line)], "EUR", unspsc)
        )
    invoices: dict[int, Invoice] = {}
    for pk, number, subtotal, tax, total in db.execute("SELECT * FROM invoice"):
        invoices[pk] = Invoice(number, "EUR", [], Decimal(subtotal), Decimal(tax), total=Decimal(total))
    for pk, line, po, po_line, part, qty, price, amount in db.execute("SELECT * FROM invoice_line"):
        invoices[pk].lines.append(InvoiceLine(line, dec[qty], dec[price], Decimal(amount), po, po_line, part))
    return invoices, orders


def run(path: str, *, explain: bool = True) -> Timings:
    timings = Timings()
    wall, cpu = time.perf_counter(), time.process_time()
    # A bulk load allocates millions of long-lived objects: with the cyclic GC on, every full
    # collection walks all of them again (what made the load super-linear). Load with the GC paused,
    # then freeze the loaded objects so that collections during matching skip them.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        db = sqlite3.connect(path)
        invoices, orders = load(db)
        db.close()
    finally:
        gc.freeze()
        if gc_was_enabled:
            gc.enable()
    timings.load, timings.load_cpu = time.perf_counter() - wall, time.process_time() - cpu
    tolerance = Tolerance(price_pct=Decimal(2), price_abs=Decimal("0.50"))

    def tolerance_for(line: OrderLine | None) -> Tolerance:
        return tolerance

    clock, cpu_clock = time.perf_counter, time.process_time
    for invoice in invoices.values():
        wall, cpu = clock(), cpu_clock()
        po = invoice.lines[0].order
        result = match_invoice(invoice, {po: orders[po]}, tolerance_for=tolerance_for)
        timings.matched += result.matched
        timings.count += 1
        middle, middle_cpu = clock(), cpu_clock()
        timings.match += middle - wall
        timings.match_cpu += middle_cpu - cpu
        if explain:
            # what storing the explanation costs: every check's figures formatted, as services store them
            result.findings_json()
            timings.explain += clock() - middle
            timings.explain_cpu += cpu_clock() - middle_cpu
    del invoices, orders
    gc.unfreeze()
    return timings


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ")[0]
    except OSError:
        return "?"


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [10_000, 100_000]
    print(f"{os.cpu_count()} CPUs, load average {loadavg()} at start")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bench.sqlite3")
            build(path, n)
            before = loadavg()
            t = run(path)
            total = t.load + t.match
            print(
                f"{t.count:>7} invoices × {LINES} lines: load {t.load:6.2f} s, match {t.match:6.2f} s, "
                f"total {total:6.2f} s, {t.count / total:8.0f} invoices/s, matched {t.matched}; "
                f"format every explanation {t.explain:6.2f} s; "
                f"CPU load {t.load_cpu:.2f} s, match {t.match_cpu:.2f} s, explain {t.explain_cpu:.2f} s; "
                f"load average {before} → {loadavg()}"
            )


if __name__ == "__main__":
    main()
