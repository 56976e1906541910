"""``openprocure conformance supplier|buyer``: run a partner through a whole PunchOut exchange.

``supplier URL``: play a buyer's procurement system against a supplier's cXML endpoint (and its OCI
call-up); ``buyer URL``: play a supplier against a buyer's inbound cXML endpoint. A progress line per
check goes to standard error; the report goes to standard output (text, or JSON with ``--json``) and,
with ``--junit FILE``, to a JUnit XML file for the partner's CI. Exit code 0 only when every required
check passed, 1 when one did not, 2 for wrong arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from punchout.conformance import Check, Outcome, Report
from punchout.conformance.identity import Party
from punchout.conformance.runner import Progress
from punchout.conformance.supplier import Announce, SupplierTarget, run_supplier_checks

__all__ = ["main"]


def _party(text: str) -> Party:
    try:
        return Party.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="openprocure conformance", description=__doc__.split("\n\n")[0])
    roles = top.add_subparsers(dest="role", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--from", dest="from_party", type=_party, required=True, metavar="DOMAIN:ID")
        sub.add_argument("--to", dest="to_party", type=_party, required=True, metavar="DOMAIN:ID")
        sub.add_argument("--sender", type=_party, metavar="DOMAIN:ID", help="default: the --from identity")
        sub.add_argument("--secret", required=True, help="the shared secret")
        sub.add_argument(
            "--timeout", type=float, default=60.0, help="seconds each answer may take (default 60)"
        )
        sub.add_argument("--json", action="store_true", help="write the report as JSON")
        sub.add_argument("--junit", type=Path, metavar="FILE", help="also write a JUnit XML report to FILE")
        sub.add_argument("--verbose", action="store_true", help="show the exchanges of passing checks too")

    supplier = roles.add_parser("supplier", help="check a supplier's PunchOut endpoints (we play the buyer)")
    supplier.add_argument("url", help="the supplier's cXML endpoint (setup and profile requests)")
    common(supplier)
    supplier.add_argument("--oci", metavar="URL", help="the supplier's OCI call-up URL")
    supplier.add_argument("--oci-user", default="")
    supplier.add_argument("--oci-password", default="")
    supplier.add_argument(
        "--send-orders",
        action="store_true",
        help="also send test orders (deploymentMode=test): new, repeat, update, delete",
    )
    supplier.add_argument(
        "--user-email",
        default=SupplierTarget.__dataclass_fields__["user_email"].default,
        metavar="EMAIL",
        help="the shopper named in the setup requests and the OCI call-up",
    )
    supplier.add_argument(
        "--cart-wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="print a StartPage and wait this long for a person to return a cart (default: the run "
        "follows the catalog's own forms)",
    )
    supplier.add_argument(
        "--catcher-port",
        type=int,
        default=0,
        metavar="PORT",
        help="port of the loopback return address (BrowserFormPost, HOOK_URL); default: any free port",
    )

    buyer = roles.add_parser("buyer", help="check a buyer's inbound cXML endpoint (we play the supplier)")
    buyer.add_argument("url", help="the buyer's inbound cXML endpoint")
    common(buyer)
    buyer.add_argument(
        "--order-id", required=True, metavar="PO", help="a purchase order the buyer sent to you"
    )
    return top


def progress_line(err: TextIO) -> Progress:
    def show(check: Check, done: bool) -> None:
        if not done:
            err.write(f"… {check.code}: {check.title}\n")
        else:
            err.write(f"  {str(check.outcome).upper():7} {check.code} ({check.seconds:.2f} s)\n")
        err.flush()

    return show


def announcer(err: TextIO) -> Announce:
    """What a person must do during the run (open a StartPage and return a cart), on standard error."""

    def say(line: str) -> None:
        err.write(f"!! {line}\n")
        err.flush()

    return say


def write(report: Report, args: argparse.Namespace, out: TextIO) -> None:
    out.write(report.to_json() + "\n" if args.json else report.to_text(verbose=args.verbose))
    if args.junit:
        args.junit.write_text(report.to_junit(), encoding="utf-8")


def main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = parser().parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    report = run(args, progress_line(err), announce=announcer(err))
    write(report, args, out)
    failed = report.counts()[Outcome.FAIL]
    err.write(f"{'PASSED' if report.passed else 'FAILED'}: {len(report.checks)} checks, {failed} failed.\n")
    return report.exit_code


def run(args: argparse.Namespace, progress: Progress, announce: Announce | None = None) -> Report:
    """Run the role's checks (the role modules are the protocol core's; see punchout.conformance)."""
    if args.role == "supplier":
        target = SupplierTarget(
            url=args.url,
            from_party=args.from_party,
            to_party=args.to_party,
            secret=args.secret,
            sender=args.sender,
            oci_url=args.oci or "",
            oci_user=args.oci_user,
            oci_password=args.oci_password,
            send_orders=args.send_orders,
            user_email=args.user_email,
            cart_wait=args.cart_wait,
            catcher_port=args.catcher_port,
        )
        return run_supplier_checks(target, progress=progress, deadline=args.timeout, announce=announce)
    raise NotImplementedError("the buyer role's checks come with punchout.conformance.buyer")
