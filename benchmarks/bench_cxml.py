"""cXML parse-and-bind and build speed against plain ``lxml.etree.fromstring`` on the same bytes,
and against the code before carrying (what the core did not model was dropped then).

Run: ``.venv/bin/python benchmarks/bench_cxml.py [SCALE]`` -> prints and writes the top of
benchmarks/results/cxml.md (what follows the ``<!-- notes -->`` line there is kept). SCALE
multiplies the number of repetitions (default 1: 3,000 / 800 / 120 runs of each action at 10 / 100
/ 1,000 lines, and 8 rounds against the earlier code).
Goals: a 1,000-line OrderRequest parses and binds in < 50 ms; at 100 lines, parse-and-bind costs
at most 3x a bare ``lxml.etree.fromstring`` (an OrderRequest, and a PunchOutOrderMessage with the
same lines, measured the same way), and build takes at most 10 % more time than the
code of commit ``BASELINE`` (before issue #14: carrying what is not modelled must not undo the
speed).

The comparison with ``BASELINE`` runs each version in a process of its own (``git archive`` of
its ``src/punchout`` into a temporary folder), in alternating rounds so that load from other jobs
hits both alike; each process builds and parses the same 100-line document and reports the median
CPU time of each action; the result is the median of the per-round ratios.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from lxml import etree

from punchout.cxml import (
    CXML,
    Address,
    Classification,
    Credential,
    Description,
    Extrinsic,
    ItemDetail,
    ItemID,
    ItemIn,
    ItemOut,
    Money,
    OrderRequest,
    OrderRequestHeader,
    PostalAddress,
    PunchOutOrderMessage,
    PunchOutOrderMessageHeader,
    build,
    make_header,
    parse,
)

RESULTS = Path(__file__).parent / "results" / "cxml.md"
SIZES = (10, 100, 1000)
#: The code before issue #14 (main when parsing limits and carrying began).
BASELINE = "747fad9"
_NOTES = "<!-- notes -->"
#: One process of the comparison: argv = [src folder, lines, runs]; prints median CPU ms per action.
_RUNNER = """
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
from bench_cxml import order_request
from punchout.cxml import build, parse
document = order_request(int(sys.argv[3]))
data = build(document)
runs = int(sys.argv[4])
times = {"build": [], "parse": []}
for _ in range(5):
    build(document), parse(data)
for _ in range(runs):
    started = time.thread_time()
    build(document)
    middle = time.thread_time()
    parse(data)
    times["build"].append((middle - started) * 1000)
    times["parse"].append((time.thread_time() - middle) * 1000)
print(json.dumps({action: statistics.median(values) for action, values in times.items()}))
"""


def order_request(lines: int) -> CXML:
    address = Address(
        "Acme Receiving",
        "en",
        PostalAddress(["1 Dock Road"], "Sunnyvale", "United States", "US", state="CA", postal_code="94089"),
    )
    items = [
        ItemOut(
            Decimal(n % 7 + 1),
            ItemID(f"SKU-{n:06d}", f"cart-7f3a-{n}", f"BUY-{n}"),
            ItemDetail(
                Money(Decimal("12.3456"), "USD"),
                [Description(f"Item {n}: A4 copier paper, 80 gsm, 500 sheets", "en")],
                "EA",
                classifications=[Classification("UNSPSC", "14111507")],
                manufacturer_part_id=f"MPN-{n}",
                manufacturer_name="Kestrel",
                extrinsics=[Extrinsic("soldBy", "Acme")],
            ),
            line_number=n,
            requested_delivery_date=datetime(2026, 3, 20, tzinfo=UTC),
        )
        for n in range(1, lines + 1)
    ]
    return CXML(
        message=OrderRequest(
            OrderRequestHeader(
                "PO-1",
                datetime(2026, 3, 14, tzinfo=UTC),
                Money(Decimal("1000.00"), "USD"),
                ship_to=address,
                bill_to=address,
            ),
            items,
        ),
        payload_id="20260314T000000000000.1.000000000001@buyer.example.com",
        timestamp=datetime(2026, 3, 14, tzinfo=UTC),
        header=make_header(
            from_=[Credential("NetworkID", "AN01")],
            to=[Credential("DUNS", "123")],
            sender=[Credential("NetworkID", "AN01", "secret")],
            user_agent="bench",
        ),
    )


def order_message(lines: int) -> CXML:
    """A PunchOutOrderMessage (the cart a supplier returns) with the lines of :func:`order_request`."""
    order = order_request(lines)
    assert isinstance(order.message, OrderRequest)
    items = [
        ItemIn(line.quantity, line.item_id, line.item_detail, line_number=line.line_number)
        for line in order.message.items
    ]
    return CXML(
        message=PunchOutOrderMessage(
            "buyer-cookie-7f3a", PunchOutOrderMessageHeader(Money(Decimal("1000.00"), "USD")), items
        ),
        payload_id="20260314T000000000000.2.000000000001@supplier.example.com",
        timestamp=datetime(2026, 3, 14, tzinfo=UTC),
        header=make_header(
            from_=[Credential("DUNS", "123")],
            to=[Credential("NetworkID", "AN01")],
            sender=[Credential("DUNS", "123")],
            user_agent="bench",
        ),
    )


@dataclass(frozen=True)
class Timing:
    """Milliseconds of one action over many interleaved repetitions: CPU time of this thread
    (``time.thread_time``: time spent waiting for a CPU taken by other jobs does not count) and
    wall-clock time (``time.perf_counter``)."""

    samples: list[float]
    walls: list[float]

    @property
    def wall_median(self) -> float:
        return statistics.median(self.walls)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.samples, n=10)[-1]


def interleaved(actions: list[Callable[[], object]], repeat: int) -> tuple[list[Timing], list[float]]:
    """Time each action ``repeat`` times, round-robin (A B C A B C…, the order rotated every round)
    so that load from other jobs on a shared machine hits all of them alike.

    Returns the timings and, per later action, the median of its per-round ratio to action 0.
    """
    for action in actions:
        for _ in range(3):
            action()  # warm up: caches, lazily built parsers
    samples: list[list[float]] = [[] for _ in actions]
    walls: list[list[float]] = [[] for _ in actions]
    order = list(range(len(actions)))
    cpu, wall = time.thread_time, time.perf_counter
    for round_ in range(repeat):
        shift = round_ % len(order)
        for index in order[shift:] + order[:shift]:
            started_wall, started = wall(), cpu()
            actions[index]()
            samples[index].append((cpu() - started) * 1000)
            walls[index].append((wall() - started_wall) * 1000)
    paired = [
        statistics.median(b / a for a, b in zip(samples[0], other, strict=True)) for other in samples[1:]
    ]
    return [Timing(s, w) for s, w in zip(samples, walls, strict=True)], paired


def main() -> int:
    args = sys.argv[1:]
    if args in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    try:
        (scale,) = [float(a) for a in args] or [1.0]
    except ValueError:
        print(
            f"usage: bench_cxml.py [SCALE] (a number), not {' '.join(args)!r}\n\n{__doc__}", file=sys.stderr
        )
        return 2
    load_before = _load()
    started = time.monotonic()
    rows = []
    for lines in SIZES:
        document = order_request(lines)
        data = build(document)
        repeat = max(20, int(scale * {10: 3000, 100: 800, 1000: 120}[lines]))
        (plain, bound, built), (bound_paired, built_paired) = interleaved(
            [
                lambda data=data: etree.fromstring(data),
                lambda data=data: parse(data),
                lambda d=document: build(d),
            ],
            repeat,
        )
        rows.append((lines, len(data), repeat, plain, bound, built, bound_paired, built_paired))
    cart = order_message(100)
    cart_data = build(cart)
    cart_repeat = max(20, int(scale * 800))
    (cart_plain, cart_bound, cart_built), (cart_paired, _) = interleaved(
        [lambda: etree.fromstring(cart_data), lambda: parse(cart_data), lambda: build(cart)], cart_repeat
    )
    rounds = max(3, int(scale * 8))
    against = _against_baseline(rounds)
    elapsed = time.monotonic() - started
    load_after = _load()

    header = (
        "| lines | bytes | runs | lxml.fromstring ms (median / p90) | parse+bind ms (median / p90) "
        "| ratio of medians (paired) | build ms (median / p90) | build ratio of medians (paired) "
        "| wall-clock medians ms: lxml / parse / build |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    table = header + "".join(
        f"| {n} | {size:,} | {runs} | {p.median:.3f} / {p.p90:.3f} | {b.median:.3f} / {b.p90:.3f} "
        f"| {b.median / p.median:.2f}x ({bp:.2f}x) | {w.median:.3f} / {w.p90:.3f} "
        f"| {w.median / p.median:.2f}x ({wp:.2f}x) "
        f"| {p.wall_median:.3f} / {b.wall_median:.3f} / {w.wall_median:.3f} |\n"
        for n, size, runs, p, b, w, bp, wp in rows
    )
    row_1000 = next(r for r in rows if r[0] == 1000)
    row_100 = next(r for r in rows if r[0] == 100)
    goal_1000 = row_1000[4].median < 50
    goal_ratio = row_100[4].median / row_100[3].median <= 3
    cart_ratio = cart_bound.median / cart_plain.median
    goal_cart = cart_ratio <= 3
    build_ratio = statistics.median(a["build"] / b["build"] for a, b in against)
    parse_ratio = statistics.median(a["parse"] / b["parse"] for a, b in against)
    goal_build = build_ratio <= 1.10
    baseline_table = (
        "| round | build ms now / before | parse+bind ms now / before |\n|---:|---:|---:|\n"
        + "".join(
            f"| {i} | {a['build']:.3f} / {b['build']:.3f} | {a['parse']:.3f} / {b['parse']:.3f} |\n"
            for i, (a, b) in enumerate(against, 1)
        )
    )
    report = (
        "# cXML parse-and-bind and build benchmark\n\n"
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"lxml {etree.__version__}, {datetime.now(UTC):%Y-%m-%d}. Load average (1/5/15 min) "
        f"{load_before} before, {load_after} after; the run took {elapsed:.0f} s.\n\n"
        "Each action runs round-robin with the others (lxml, parse, build; the order rotated every "
        "round), so load from other jobs hits all three alike. Times are CPU time of the thread "
        "(`time.thread_time`), which does not count time spent waiting for a CPU held by other "
        "jobs; wall-clock medians are in the last column. *ratio of medians* = median parse+bind "
        "/ median `lxml.etree.fromstring` on the same bytes; *(paired)* = median of the per-round "
        "ratios. Garbage collection stays enabled, as in production.\n\n"
        f"{table}\n"
        f"A PunchOutOrderMessage with the same 100 lines ({len(cart_data):,} bytes, {cart_repeat} runs, measured "
        f"the same way): lxml.fromstring {cart_plain.median:.3f} / {cart_plain.p90:.3f} ms, parse+bind "
        f"{cart_bound.median:.3f} / {cart_bound.p90:.3f} ms (median / p90): {cart_ratio:.2f}x "
        f"({cart_paired:.2f}x paired); build {cart_built.median:.3f} ms.\n\n"
        f"Against the code before issue #14 (commit {BASELINE}), 100 lines, {rounds} alternating rounds "
        "of one process per version (median CPU ms of each action in each process):\n\n"
        f"{baseline_table}\n"
        f"- 1,000-line OrderRequest parse+bind < 50 ms (median): {'met' if goal_1000 else 'NOT met'}\n"
        f"- 100 lines parse+bind <= 3x lxml.fromstring (ratio of medians): "
        f"{'met' if goal_ratio else 'NOT met'} for the OrderRequest, "
        f"{'met' if goal_cart else 'NOT met'} for the PunchOutOrderMessage\n"
        f"- 100 lines build within 10 % of {BASELINE} (median of per-round ratios {build_ratio:.3f}): "
        f"{'met' if goal_build else 'NOT met'}; parse+bind {parse_ratio:.3f} of {BASELINE}\n"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    notes = previous[previous.index(_NOTES) :] if _NOTES in previous else _NOTES + "\n"
    RESULTS.write_text(report + "\n" + notes, encoding="utf-8")
    print(report)
    return 0 if goal_1000 and goal_ratio and goal_cart and goal_build else 1


def _against_baseline(rounds: int) -> list[tuple[dict[str, float], dict[str, float]]]:
    """(now, before) median CPU ms of build and parse+bind at 100 lines, per alternating round."""
    here = Path(__file__).resolve().parent
    source = here.parent / "src"
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(here.parent), "archive", BASELINE, "src/punchout"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        before_source = Path(folder) / "src"

        def measure(src: Path) -> dict[str, float]:
            done = subprocess.run(
                [sys.executable, "-c", _RUNNER, str(src), str(here), "100", "150"],
                check=True,
                capture_output=True,
                text=True,
            )
            result: dict[str, float] = json.loads(done.stdout)
            return result

        pairs = []
        for round_ in range(rounds):
            if round_ % 2:
                before, now = measure(before_source), measure(source)
            else:
                now, before = measure(source), measure(before_source)
            pairs.append((now, before))
        return pairs


def _load() -> str:
    try:
        return "/".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
