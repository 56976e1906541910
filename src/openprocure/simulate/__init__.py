"""``openprocure simulate``: drive orders through both running sites over HTTP and report whether they agree.

This package talks to the buyer suite and the storefront only over HTTP, as their people and systems
do; it imports neither site's Django code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from openprocure.simulate.loop import Progress, Report, Simulator
from openprocure.simulate.web import SimulationError

__all__ = ["Report", "Simulator", "main", "run"]


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openprocure simulate",
        description=(
            "Drive N orders through the running buyer suite and storefront over HTTP (PunchOut, carts "
            "from the real catalog, approval, confirmation, cancellations, shipments in parts, "
            "returns, invoices, matching) and report whether both sites agree. Exits 1 on any "
            "disagreement, undelivered message or stuck order."
        ),
    )
    parser.add_argument("--orders", type=int, required=True, metavar="N", help="how many orders")
    parser.add_argument("--buyer-url", default="http://127.0.0.1:8000", help="the buyer suite")
    parser.add_argument("--supplier-url", default="http://127.0.0.1:8100", help="the storefront")
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same orders")
    parser.add_argument(
        "--cancel-share",
        type=float,
        default=0.1,
        metavar="SHARE",
        help="share of orders cancelled, half by the buyer, half by the supplier (default 0.1)",
    )
    parser.add_argument(
        "--dishonest",
        type=int,
        default=0,
        metavar="K",
        help="send K invoices with an amount raised by 1.00: they must be caught (and the run fails)",
    )
    parser.add_argument(
        "--supplier-secret",
        default="acme-demo-secret",
        help="the storefront's shared secret with the buyer, to send the dishonest invoices (demo's default)",
    )
    parser.add_argument("--batch", type=int, default=10, help="orders handled together per wave")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run(argv: Sequence[str]) -> tuple[int, Report | None]:
    args = parser().parse_args(list(argv))
    if args.orders < 1:
        print("openprocure simulate: --orders must be at least 1", file=sys.stderr)
        return 2, None
    try:
        simulator = Simulator(
            buyer_url=args.buyer_url,
            supplier_url=args.supplier_url,
            seed=args.seed,
            cancel_share=args.cancel_share,
            dishonest=args.dishonest,
            supplier_secret=args.supplier_secret,
            batch=args.batch,
            progress=None if args.quiet else Progress(args.orders, sys.stderr),
        )
        report = simulator.run(args.orders)
    except SimulationError as error:
        print(f"\nopenprocure simulate: {error}", file=sys.stderr)
        return 2, None
    print(report.text(), flush=True)
    return (0 if report.ok else 1), report


def main(argv: Sequence[str]) -> int:
    return run(argv)[0]
