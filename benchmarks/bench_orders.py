"""OrderRequest intake benchmark: 10-line orders against the storefront served by gunicorn.

    .venv/bin/python benchmarks/bench_orders.py [--seconds 60] [--clients 8] [--workers 2] [--threads 4]
        [--worker-class gthread|sync]

What it does:
1. makes a temporary data folder, migrates the storefront's SQLite database and seeds one Active
   business (payment method, buyer endpoint), 200 products and enough punched-out carts of 10 lines
   (made with the same models the PunchOut flow writes) for every order the run can send;
2. builds every OrderRequest beforehand with ``punchout.cxml`` (a fresh payloadID and orderID each);
3. starts gunicorn on a free 127.0.0.1 port and posts orders from ``--clients`` threads for
   ``--seconds`` (a bounded loop: it stops at the deadline or when the prepared orders run out);
4. checks every answer (200 expected, anything else is an error), the latency percentiles, and that
   every accepted order is in the database exactly once with its 10 lines.

Results are printed as a Markdown table (``benchmarks/results/orders.md`` keeps the recorded run).
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--worker-class", default="gthread", choices=["gthread", "sync"], help="gunicorn worker class"
    )
    parser.add_argument("--max-rate", type=float, default=250.0, help="orders per second prepared for")
    args = parser.parse_args()

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
    try:
        wait_ready(port, server)
        results: list[tuple[str, int, float]] = []
        errors: list[str] = []
        lock = threading.Lock()
        cursor = iter(orders)
        deadline = time.monotonic() + args.seconds

        def client() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            from punchout import cxml

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
                    code = (
                        cxml.parse(content).document.status.code
                        if response.status == 200
                        else response.status
                    )
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

        run_started = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - run_started
    finally:
        server.terminate()
        server.wait(timeout=30)

    from openprocure.supplier.orders.models import Order, OrderLine

    accepted = [payload for payload, code, _elapsed in results if code == 200]
    stored = list(Order.objects.filter(payload_id__in=accepted).values_list("payload_id", flat=True))
    lines = OrderLine.objects.filter(order__payload_id__in=accepted).count()
    exactly_once = len(stored) == len(set(stored)) == len(accepted) and lines == 10 * len(accepted)
    latencies = sorted(elapsed * 1000 for _payload, _code, elapsed in results)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0.0

    rate = len(results) / wall if wall else 0.0
    print()
    print(
        "| orders sent | errors | wall (s) | orders/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | accepted stored once |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {len(results)} | {len(errors)} | {wall:.1f} | {rate:.1f} | {statistics.median(latencies) if latencies else 0:.1f} "
        f"| {pct(95):.1f} | {pct(99):.1f} | {latencies[-1] if latencies else 0:.1f} | {'yes' if exactly_once else 'NO'} ({len(stored)} orders, {lines} lines) |"
    )
    print(
        f"\nclients={args.clients} gunicorn {args.worker_class} workers={args.workers} threads={args.threads}; "
        f"data in {data}"
    )
    for error in errors[:5]:
        print("error:", error)
    goal = rate >= 100 and not errors and pct(99) <= 300 and exactly_once
    print(
        "goal (≥100 orders/s, zero errors, p99 ≤ 300 ms, each accepted order once):",
        "met" if goal else "NOT met",
    )


if __name__ == "__main__":
    main()
