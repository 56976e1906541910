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
from urllib.parse import urlsplit

from punchout import netguard
from punchout.conformance import Check, Outcome, Report
from punchout.conformance.buyer import BuyerTarget, OrderLine, parse_lines, run_buyer_checks
from punchout.conformance.identity import Party
from punchout.conformance.runner import Progress
from punchout.conformance.supplier import Announce, SupplierTarget, run_supplier_checks
from punchout.netguard import NetworkPolicy

__all__ = ["main"]


def _party(text: str) -> Party:
    try:
        return Party.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _lines(text: str) -> tuple[OrderLine, ...]:
    try:
        lines = parse_lines(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not lines:
        raise argparse.ArgumentTypeError("give at least one line: NUMBER:QUANTITY:UNIT:PRICE CURRENCY")
    return lines


BUYER_DESCRIPTION = """\
Play a supplier against a buyer's inbound cXML endpoint, about one test purchase order the buyer
sent (--order-id). --from (and --sender) is the supplier's identity, --to the buyer's, --secret the
secret the buyer agreed with the supplier. The documents go in the order a real buyer accepts them:

  confirm.accept     ConfirmationRequest type accept (every line as ordered)
  confirm.detail     ConfirmationRequest type detail: the first line's last unit backordered three
                     weeks later (a line of one unit is backordered whole), the others accepted
  shipnotice         ShipNoticeRequest: every line, its whole quantity
  invoice            InvoiceDetailRequest, purpose standard: every line, no tax
  invoice.credit     a lineLevelCreditMemo crediting one unit of the first line, naming the invoice
  statusupdate       StatusUpdateRequest about the order
  secret.wrong       the status update with a wrong SharedSecret: must be refused with a cXML 4xx
  payload.duplicate  the invoice sent again with the same payloadID: must get the same answer
  confirm.reject     (advice) ConfirmationRequest type reject, only for --reject-order-id: rejecting
                     the checked order would cancel it before its ship notice and invoice

The order's lines (--lines) are given as the buyer sent them: line number, quantity, unit and unit
price with its currency (and the supplier part ID), so the confirmations, ship notice and invoices
name lines the buyer matches against its purchase order. The order is confirmed, shipped and
invoiced for real: use a test order.
"""


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
        sub.add_argument(
            "--allow-network",
            action="append",
            default=[],
            metavar="CIDR|HOST",
            help="a non-public network, address or host name the run may reach besides the URLs given "
            "(which are always allowed); repeatable",
        )

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

    buyer = roles.add_parser(
        "buyer",
        help="check a buyer's inbound cXML endpoint (we play the supplier)",
        description=BUYER_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    buyer.add_argument("url", help="the buyer's inbound cXML endpoint")
    common(buyer)
    buyer.add_argument(
        "--order-id", required=True, metavar="PO", help="a test purchase order the buyer sent to you"
    )
    buyer.add_argument(
        "--order-payload-id",
        default="",
        metavar="PAYLOADID",
        help="the payloadID of the OrderRequest that carried it (OrderReference names it; default: the order ID)",
    )
    buyer.add_argument(
        "--lines",
        type=_lines,
        required=True,
        metavar="N:QTY:UNIT:PRICE CUR[:PART],…",
        help='the order\'s lines as the buyer sent them, e.g. "1:2:EA:10.00 EUR,2:1:BX:4.50 EUR"',
    )
    buyer.add_argument(
        "--reject-order-id",
        default="",
        metavar="PO",
        help="a second test order the buyer may see rejected (the reject check is skipped without it)",
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
    # The URLs named here are the operator's to test, wherever they are; any other address the run
    # is sent to (a start page, a URL the partner names) must be public or allowed with --allow-network.
    named = [urlsplit(url).hostname or "" for url in (args.url, getattr(args, "oci", None) or "")]
    try:
        policy = NetworkPolicy.from_entries(
            [*filter(None, named), *args.allow_network], hint="allow it with --allow-network if it is yours"
        )
    except ValueError as exc:
        err.write(f"openprocure conformance: --allow-network: {exc}\n")
        return 2
    previous = netguard.configure(policy)
    try:
        report = run(args, progress_line(err), announce=announcer(err))
    finally:
        netguard.configure(previous)
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
    buyer = BuyerTarget(
        url=args.url,
        from_party=args.from_party,
        to_party=args.to_party,
        secret=args.secret,
        sender=args.sender,
        order_id=args.order_id,
        order_payload_id=args.order_payload_id,
        lines=args.lines,
        reject_order_id=args.reject_order_id,
    )
    return run_buyer_checks(buyer, progress=progress, deadline=args.timeout)
