"""The whole loop on a freshly started demo: ``openprocure simulate --orders N``.

    .venv/bin/python benchmarks/bench_simulate.py [--orders 200] [--products 2000] [--seed 1]
        [--cancel-share 0.1] [--write]

What it does:
1. starts ``openprocure demo --products P`` in a temporary data folder on two free ports (migrate,
   seed, gunicorn and a task worker per site), as a person starts it, and waits for both sites;
2. runs ``openprocure simulate --orders N`` against it (over HTTP only: PunchOut carts from the real
   catalog with several sellers and tier quantities, approvals, confirmations, cancellations by either
   side, shipments in parts, receipts, returns, invoices and credit memos, matching);
3. prints the simulator's report, its exit code and the wall time as Markdown; with ``--write`` also
   appends them to ``benchmarks/results/simulate.md``.

Goal (issue #13): 100 % first-time match of honest invoices, totals equal to the cent, zero
undelivered messages, zero stuck orders — and the time it took.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "simulate.md"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer in {seconds:.0f} s") from None
            time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cancel-share", default="0.1")
    parser.add_argument("--write", action="store_true", help="append the run to " + str(RESULTS))
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="bench-simulate-"))
    buyer_port, supplier_port = free_port(), free_port()
    env = dict(
        os.environ,
        OPENPROCURE_DATA_DIR=str(data_dir),
        OPENPROCURE_BUYER_PORT=str(buyer_port),
        OPENPROCURE_SUPPLIER_PORT=str(supplier_port),
    )
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL"):
        env.pop(name, None)
    buyer, supplier = f"http://127.0.0.1:{buyer_port}", f"http://127.0.0.1:{supplier_port}"
    log = (data_dir / "demo.log").open("wb")
    started = time.monotonic()
    demo = subprocess.Popen(
        [sys.executable, "-m", "openprocure.cli", "demo", "--products", str(args.products)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(f"{buyer}/healthz", 600)
        wait_for(f"{supplier}/healthz", 600)
        ready = time.monotonic() - started
        print(f"demo ready in {ready:.0f} s ({data_dir})", file=sys.stderr, flush=True)
        began = time.monotonic()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "openprocure.cli",
                "simulate",
                "--orders",
                str(args.orders),
                "--seed",
                str(args.seed),
                "--cancel-share",
                str(args.cancel_share),
                "--buyer-url",
                buyer,
                "--supplier-url",
                supplier,
            ],
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        wall = time.monotonic() - began
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    load = os.getloadavg()
    text = (
        f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — `simulate --orders {args.orders} --seed {args.seed} "
        f"--cancel-share {args.cancel_share}` (demo `--products {args.products}`)\n\n"
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}. "
        f"Demo started in {ready:.0f} s; the simulation took **{wall:.0f} s** "
        f"({wall / args.orders:.2f} s per order); exit code **{done.returncode}**.\n\n"
        f"```\n{done.stdout.strip()}\n```\n"
    )
    print(text)
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(text)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
