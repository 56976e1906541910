"""cXML parse-and-bind and build speed against plain ``lxml.etree.fromstring`` on the same bytes.

Run: ``.venv/bin/python benchmarks/bench_cxml.py`` -> prints and writes benchmarks/results/cxml.md.
Goals: a 1,000-line OrderRequest parses and binds in < 50 ms; at 100 lines, parse-and-bind costs
at most 3x a bare ``lxml.etree.fromstring``.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from collections.abc import Callable
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
    ItemOut,
    Money,
    OrderRequest,
    OrderRequestHeader,
    PostalAddress,
    build,
    make_header,
    parse,
)

RESULTS = Path(__file__).parent / "results" / "cxml.md"
SIZES = (10, 100, 1000)


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


def medians_ms(actions: list[Callable[[], object]], repeat: int) -> list[float]:
    """Median time of each action; runs are interleaved so machine noise hits all of them alike."""
    for action in actions:
        action()  # warm up
    samples: list[list[float]] = [[] for _ in actions]
    for _ in range(repeat):
        for index, action in enumerate(actions):
            started = time.perf_counter()
            action()
            samples[index].append((time.perf_counter() - started) * 1000)
    return [statistics.median(s) for s in samples]


def main() -> int:
    rows = []
    for lines in SIZES:
        document = order_request(lines)
        data = build(document)
        repeat = 200 if lines < 1000 else 40
        plain, bound, built = medians_ms(
            [
                lambda data=data: etree.fromstring(data),
                lambda data=data: parse(data),
                lambda d=document: build(d),
            ],
            repeat,
        )
        rows.append((lines, len(data), plain, bound, bound / plain, built, built / plain))

    header = (
        "| lines | bytes | lxml.fromstring (ms) | parse+bind (ms) | ratio | build (ms) | build ratio |\n"
        "|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    table = header + "".join(
        f"| {n} | {size:,} | {plain:.3f} | {bound:.3f} | {ratio:.2f}x | {built:.3f} | {bratio:.2f}x |\n"
        for n, size, plain, bound, ratio, built, bratio in rows
    )
    goal_1000 = next(r for r in rows if r[0] == 1000)[3] < 50
    goal_ratio = next(r for r in rows if r[0] == 100)[4] <= 3
    report = (
        "# cXML parse-and-bind and build benchmark\n\n"
        f"Machine: {platform.machine()}, Python {platform.python_version()}, lxml {etree.__version__}, "
        f"{datetime.now(UTC):%Y-%m-%d}. Median of repeated runs on the same bytes in the same process "
        "(`benchmarks/bench_cxml.py`).\n\n"
        f"{table}\n"
        f"- 1,000-line OrderRequest parse+bind < 50 ms: {'met' if goal_1000 else 'NOT met'}\n"
        f"- 100 lines parse+bind <= 3x lxml.fromstring: {'met' if goal_ratio else 'NOT met'}\n"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print(report)
    return 0 if goal_1000 and goal_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
