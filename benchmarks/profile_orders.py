"""Cost of one OrderRequest intake in-process: CPU time and SQL statements per 10-line order.

    .venv/bin/python benchmarks/profile_orders.py [--orders 200] [--profile]

Seeds a temporary storefront database exactly as ``bench_orders.py`` does, then posts the orders
with the Django test client (no HTTP server, no concurrency) and prints the process time and the
number of SQL statements per order, split into write statements and reads. ``--profile`` adds the
cProfile functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--show-sql", action="store_true", help="print the statements of one order")
    args = parser.parse_args()

    os.environ.update(
        OPENPROCURE_DATA_DIR=tempfile.mkdtemp(prefix="op-profile-orders-"),
        DJANGO_SETTINGS_MODULE="openprocure.supplier.settings",
        OPENPROCURE_LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench_orders import build_orders, seed
    from punchout import cxml

    orders = build_orders(seed(args.orders + 5))
    client = Client(HTTP_HOST="127.0.0.1")

    def post(body: bytes) -> None:
        response = client.post("/cxml/", data=body, content_type="text/xml")
        status = cxml.parse(response.content).document.status
        if response.status_code != 200 or status is None or status.code != 200:
            raise SystemExit(f"order refused: {response.content[:400]!r}")

    for _payload, body in orders[:5]:  # warm up: imports, caches, first connection
        post(body)
    measured = orders[5 : 5 + args.orders]
    with CaptureQueriesContext(connection) as captured:
        post(measured[0][1])
    statements = len(captured.captured_queries)
    kinds = Counter(q["sql"].split(None, 1)[0].upper() for q in captured.captured_queries)
    if args.show_sql:
        for query in captured.captured_queries:
            print(query["sql"][:200])
    profiler = cProfile.Profile() if args.profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for _payload, body in measured[1:]:
        post(body)
    if profiler:
        profiler.disable()
    count = len(measured) - 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{count} orders: {1000 * cpu / count:.2f} ms CPU and {1000 * wall / count:.2f} ms wall per order")
    print(
        f"{statements} SQL statements per order: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
    )
    if profiler:
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
            int(os.environ.get("PROFILE_LINES", "40"))
        )


if __name__ == "__main__":
    main()
