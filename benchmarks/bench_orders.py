"""OrderRequest intake benchmark: 10-line orders against the storefront served by gunicorn.

    .venv/bin/python benchmarks/bench_orders.py [--seconds 60] [--clients 8] [--workers 2] [--threads 4]
        [--worker-class gthread|sync]

What it does:
1. makes a temporary data folder, migrates the storefront's SQLite database and seeds one Active
   business (payment method, buyer endpoint), 200 products and enough punched-out carts of 10 lines
   (made with the same models the PunchOut flow writes) for every order the run can send;
2. builds every OrderRequest beforehand with ``punchout.cxml`` (a fresh payloadID and orderID each);
3. starts gunicorn on a free 127.0.0.1 port and posts orders over ``--clients`` connections for
   ``--seconds``: with ``wrk`` (``apt-get install wrk``; a Lua script gives each of its threads its
   own share of the prepared orders, each sent once) when it is installed, else from Python
   threads (a bounded loop: it stops at the deadline or when the prepared orders run out);
4. checks every answer (HTTP 200 with a cXML Status 200 expected, anything else is an error), the
   latency percentiles, and that every accepted order is in the database exactly once with its 10
   lines.

Results are printed as a Markdown table (``benchmarks/results/orders.md`` keeps the recorded run).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"  # noqa: S105 - a benchmark-only secret in a temporary database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(carts: int) -> list[list[tuple[str, str, Decimal, str]]]:
    """Seed the database; the carts as lists of (asin, auxiliary id, unit price, title)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from openprocure.core.models import User
    from openprocure.supplier.business.choices import IntegrationStatus, PaymentKind, VerificationStatus
    from openprocure.supplier.business.credentials import hash_secret
    from openprocure.supplier.business.models import Business, Integration, Membership, PaymentMethod
    from openprocure.supplier.catalog.models import Product, Seller
    from openprocure.supplier.orders.models import OrderSettings
    from openprocure.supplier.punchout.models import CartLine, PunchOutSession
    from openprocure.supplier.punchout.services import new_auxiliary_id

    business = Business.objects.create(
        name="Bench Industries",
        street="1 rue du Banc",
        postal_code="75001",
        city="Paris",
        country="FR",
        tax_number="732829320",
        email="admin@bench.test",
        status=VerificationStatus.VERIFIED,
    )
    user = User.objects.create_user("buyer@bench.test")
    Membership.objects.create(user=user, business=business, is_punchout_user=True)
    integration = Integration.objects.create(
        business=business,
        status=IntegrationStatus.ACTIVE,
        buyer_identity="BENCH",
        buyer_domain="NetworkId",
        buyer_domain_key="networkid",
        supplier_identity="MARKETPLACE",
        shared_secret_hash=hash_secret(SECRET),
        oci_username="bench",
        oci_password_hash=hash_secret("x"),
        allowed_return_urls=["https://bench.example/"],
    )
    PaymentMethod.objects.create(
        business=business, kind=PaymentKind.INVOICE, invoice_terms="30 days", is_default=True
    )
    # Documents go to a port where nothing listens: intake stores them in the outbox, no worker runs.
    OrderSettings.objects.create(integration=integration, buyer_cxml_url="http://127.0.0.1:9/cxml/")
    market = Seller.objects.create(name="Marketplace", is_marketplace=True)
    other = Seller.objects.create(name="Bench Paper Co")
    products = Product.objects.bulk_create(
        [
            Product(
                asin=f"B{n:09d}",
                title=f"Bench product {n}",
                unspsc="44121704",
                list_price=Decimal("12.00"),
                business_price=Decimal("10.00") + n % 7,
                currency="EUR",
                seller=market if n % 5 else other,
                fulfilled_by_us=bool(n % 5),
                stock=10_000_000,
                delivery_days=2,
                sales_rank=n + 1,
            )
            for n in range(200)
        ]
    )
    sessions = PunchOutSession.objects.bulk_create(
        [
            PunchOutSession(
                business=business,
                integration=integration,
                user=user,
                email=user.email,
                protocol="cxml",
                status="returned",
                return_url="https://bench.example/return",
            )
            for _ in range(carts)
        ]
    )
    result = []
    lines = []
    for index, session in enumerate(sessions):
        cart = []
        for position in range(10):
            product = products[(index * 10 + position) % len(products)]
            aux = new_auxiliary_id()
            lines.append(
                CartLine(
                    business=business,
                    session=session,
                    product=product,
                    quantity=1 + position % 3,
                    unit_price=product.business_price,
                    currency="EUR",
                    auxiliary_id=aux,
                )
            )
            cart.append((product.asin, aux, Decimal(product.business_price), product.title))
        result.append(cart)
    CartLine.objects.bulk_create(lines, batch_size=2000)
    return result


def build_orders(carts: list[list[tuple[str, str, Decimal, str]]]) -> list[tuple[str, bytes]]:
    from punchout import cxml
    from punchout.money import Money

    address = cxml.Address(
        name="Bench dock",
        postal_address=cxml.PostalAddress(
            street=["1 rue du Banc"],
            city="Paris",
            postal_code="75001",
            iso_country_code="FR",
            country="France",
        ),
    )
    orders = []
    for number, cart in enumerate(carts, start=1):
        items = [
            cxml.ItemOut(
                quantity=Decimal(1 + position % 3),
                item_id=cxml.ItemID(asin, aux),
                item_detail=cxml.ItemDetail(
                    unit_price=Money(price, "EUR"),
                    descriptions=[cxml.Description(title, lang="en")],
                    unit_of_measure="EA",
                    classifications=[cxml.Classification("UNSPSC", "44121704")],
                ),
                line_number=position + 1,
            )
            for position, (asin, aux, price, title) in enumerate(cart)
        ]
        total = sum((i.quantity * i.item_detail.unit_price.amount for i in items), Decimal("0"))
        payload_id = cxml.new_payload_id("bench.buyer.example")
        document = cxml.CXML(
            message=cxml.OrderRequest(
                header=cxml.OrderRequestHeader(
                    order_id=f"PO-BENCH-{number:06d}",
                    order_date=datetime.now(UTC).replace(microsecond=0),
                    total=Money(total, "EUR"),
                    order_version=1,
                    ship_to=address,
                    bill_to=address,
                    extrinsics=[cxml.Extrinsic("UserEmail", "buyer@bench.test")],
                ),
                items=items,
            ),
            payload_id=payload_id,
            timestamp=datetime.now(UTC).replace(microsecond=0),
            header=cxml.make_header(
                from_=[cxml.Credential("NetworkId", "BENCH")],
                to=[cxml.Credential("NetworkId", "MARKETPLACE")],
                sender=[cxml.Credential("NetworkId", "BENCH", SECRET)],
                user_agent="bench",
            ),
        )
        orders.append((payload_id, cxml.build(document)))
    return orders


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited before it was ready")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


WRK_SCRIPT = r"""
local threads = {}
local count = 0
function setup(thread)
  thread:set("index", count)
  count = count + 1
  table.insert(threads, thread)
end
function init(args)
  local file = io.open(os.getenv("BENCH_ORDERS") .. "." .. index, "rb")
  local data = file:read("*a")
  file:close()
  bodies = {}
  for body in string.gmatch(data, "[^\30]+") do table.insert(bodies, body) end
  position, sent, ok, bad, ran_out = 0, 0, 0, 0, 0
  headers = {["Content-Type"] = "text/xml; charset=utf-8"}
end
function request()
  position = position + 1
  local body = bodies[position]
  if body == nil then
    ran_out = 1
    return wrk.format("GET", "/healthz")
  end
  sent = sent + 1
  return wrk.format("POST", "/cxml/", headers, body)
end
function response(status, headers, body)
  if status == 200 and string.find(body, '<Status code="200"', 1, true) then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local totals = {sent = 0, ok = 0, bad = 0, ran_out = 0}
  for _, t in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + t:get(name) end
  end
  for name, value in pairs(totals) do io.write(string.format("TOTAL %s %d\n", name, value)) end
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("PCT %g %.3f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("MAX %.3f\nSECONDS %.3f\nSOCKET_ERRORS %d\n", latency.max / 1000,
    summary.duration / 1e6, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""

# Separates the prepared OrderRequests in the files the wrk script reads (never valid in XML).
RECORD_SEPARATOR = b"\x1e"
WRK_THREADS = 2


@dataclass
class Run:
    """What a load tool measured."""

    sent: int  # orders posted
    answered: int  # orders answered (accepted or not)
    accepted: int  # answered with HTTP 200 and cXML Status 200
    errors: list[str]
    seconds: float
    p50: float
    p95: float
    p99: float
    max: float
    accepted_payloads: list[str] | None = None  # known by the Python tool only


def run_wrk(port: int, orders: list[tuple[str, bytes]], seconds: float, clients: int, workdir: Path) -> Run:
    """Post the orders with wrk: each of its threads sends its own share, each order once."""
    script = workdir / "orders.lua"
    script.write_text(WRK_SCRIPT)
    base = workdir / "orders"
    for index in range(WRK_THREADS):
        share = orders[index::WRK_THREADS]
        Path(f"{base}.{index}").write_bytes(RECORD_SEPARATOR.join(body for _payload, body in share))
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "10s"]
    output = subprocess.run(
        [*command, "-s", str(script), f"http://127.0.0.1:{port}/"],
        env={**os.environ, "BENCH_ORDERS": str(base)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    totals = {name: int(value) for name, value in re.findall(r"^TOTAL (\w+) (\d+)$", output, re.M)}
    pct = {float(p): float(v) for p, v in re.findall(r"^PCT ([\d.]+) ([\d.]+)$", output, re.M)}
    socket_errors = int(re.search(r"^SOCKET_ERRORS (\d+)$", output, re.M)[1])  # type: ignore[index]
    errors = [f"{totals['bad']} answers were not a cXML Status 200"] if totals["bad"] else []
    if socket_errors:
        errors.append(f"{socket_errors} connection errors or time-outs")
    if totals["ran_out"]:
        errors.append("the prepared orders ran out before the deadline: raise --max-rate")
    return Run(
        sent=totals["sent"],
        answered=totals["ok"] + totals["bad"],
        accepted=totals["ok"],
        errors=errors,
        seconds=float(re.search(r"^SECONDS ([\d.]+)$", output, re.M)[1]),  # type: ignore[index]
        p50=pct[50.0],
        p95=pct[95.0],
        p99=pct[99.0],
        max=float(re.search(r"^MAX ([\d.]+)$", output, re.M)[1]),  # type: ignore[index]
    )


def run_python(port: int, orders: list[tuple[str, bytes]], seconds: float, clients: int) -> Run:
    """Post the orders from Python threads, one connection each (a bounded loop)."""
    from punchout import cxml

    results: list[tuple[str, int, float]] = []
    errors: list[str] = []
    lock = threading.Lock()
    cursor = iter(orders)
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                item = next(cursor, None)
            if item is None:
                return
            payload_id, body = item
            began = time.perf_counter()
            try:
                connection.request("POST", "/cxml/", body=body, headers={"Content-Type": "text/xml"})
                response = connection.getresponse()
                content = response.read()
                status = cxml.parse(content).document.status if response.status == 200 else None
                code = status.code if status is not None else response.status
            except Exception as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    errors.append(f"{payload_id}: {error}")
                continue
            elapsed = time.perf_counter() - began
            with lock:
                results.append((payload_id, code, elapsed))
                if code != 200:
                    errors.append(f"{payload_id}: status {code}: {content[:300]!r}")

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies = sorted(elapsed * 1000 for _payload, _code, elapsed in results)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0.0

    accepted = [payload for payload, code, _elapsed in results if code == 200]
    return Run(
        sent=len(results) + len([e for e in errors if ": status" not in e]),
        answered=len(results),
        accepted=len(accepted),
        errors=errors,
        seconds=wall,
        p50=statistics.median(latencies) if latencies else 0.0,
        p95=pct(95),
        p99=pct(99),
        max=latencies[-1] if latencies else 0.0,
        accepted_payloads=accepted,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--worker-class", default="sync", choices=["gthread", "sync"], help="gunicorn worker class"
    )
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--max-rate", type=float, default=250.0, help="orders per second prepared for")
    args = parser.parse_args()
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")

    data = tempfile.mkdtemp(prefix="op-bench-orders-")
    env = dict(
        os.environ,
        OPENPROCURE_DATA_DIR=data,
        DJANGO_SETTINGS_MODULE="openprocure.supplier.settings",
        OPENPROCURE_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT / "src"),
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    count = int(args.seconds * args.max_rate)
    started = time.monotonic()
    carts = seed(count)
    orders = build_orders(carts)
    print(
        f"seeded {count} carts and built {len(orders)} OrderRequests in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    from django.db import connections

    connections.close_all()

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "openprocure.supplier.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            args.worker_class,
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=data,
    )
    load_before = os.getloadavg()[0]
    try:
        wait_ready(port, server)
        if tool == "wrk":
            run = run_wrk(port, orders, args.seconds, args.clients, Path(data))
        else:
            run = run_python(port, orders, args.seconds, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = os.getloadavg()[0]

    from openprocure.supplier.orders.models import Order, OrderLine

    stored_orders = Order.objects.all()
    if run.accepted_payloads is not None:
        stored_orders = stored_orders.filter(payload_id__in=run.accepted_payloads)
    stored = list(stored_orders.values_list("payload_id", flat=True))
    lines = OrderLine.objects.filter(order__in=stored_orders).count()
    unanswered = run.sent - run.answered  # in flight at the deadline: the server may have stored them
    exactly_once = (
        len(stored) == len(set(stored))
        and run.accepted <= len(stored) <= run.accepted + unanswered
        and lines == 10 * len(stored)
    )
    rate = run.answered / run.seconds if run.seconds else 0.0
    print()
    print(
        "| tool | orders sent | errors | wall (s) | orders/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | accepted stored once |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {tool} | {run.sent} | {len(run.errors)} | {run.seconds:.1f} | {rate:.1f} | {run.p50:.1f} "
        f"| {run.p95:.1f} | {run.p99:.1f} | {run.max:.1f} | {'yes' if exactly_once else 'NO'} "
        f"({len(stored)} orders, {lines} lines; {run.accepted} accepted answers, {unanswered} unanswered) |"
    )
    print(
        f"\nclients={args.clients} gunicorn {args.worker_class} workers={args.workers} threads={args.threads}; "
        f"load average {load_before:.2f} before, {load_after:.2f} after; data in {data}"
    )
    for error in run.errors[:5]:
        print("error:", error)
    goal = rate >= 100 and not run.errors and run.p99 <= 300 and exactly_once
    print(
        "goal (≥100 orders/s, zero errors, p99 ≤ 300 ms, each accepted order once):",
        "met" if goal else "NOT met",
    )


if __name__ == "__main__":
    main()
