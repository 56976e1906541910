"""Parse-and-bind CPU time of two versions of ``punchout``, side by side, on the same bytes.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_cxml_versions.py OLD NEW [ROUNDS] [RUNS]``,
where OLD and NEW are folders holding ``punchout`` (``/work/main/src``, a worktree's ``src``, or a
``git archive`` of one). Prints a line per round and a Markdown table; writes nothing.

Each round runs one process per version, in alternating order, so that load from other jobs hits
both alike; each process parses every document RUNS times (CPU time of the thread) and reports the
median per document; the table gives the median over rounds and the median of the per-round
ratios. Documents: the 100-line OrderRequest and PunchOutOrderMessage of ``bench_cxml``; a
ConfirmationRequest, InvoiceDetailRequest and ShipNoticeRequest of 100 lines each, grown from the
interop corpus by repeating one line; and every document of the corpus of the supported kinds,
parsed once each (``OPENPROCURE_INTEROP``, default ``../shared/interop``). The documents are made
once, by this checkout, into a temporary folder both versions read (removed at the end).
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from bench_cxml import order_message, order_request
from punchout.cxml import build

INTEROP = Path(os.environ.get("OPENPROCURE_INTEROP", Path(__file__).parents[2] / "shared" / "interop"))
KINDS = (
    "ConfirmationRequest",
    "InvoiceDetailRequest",
    "OrderRequest",
    "ProfileResponse",
    "PunchOutOrderMessage",
    "PunchOutSetupRequest",
    "PunchOutSetupResponse",
    "ShipNoticeRequest",
    "StatusUpdateRequest",
)
_SHIP_NOTICE_ITEM = (
    b'<ShipNoticeItem lineNumber="1" quantity="5"><ItemID><SupplierPartID>SKU-1</SupplierPartID></ItemID>'
    b'<ShipNoticeItemDetail><UnitPrice><Money currency="USD">1.25</Money></UnitPrice>'
    b'<Description xml:lang="en">Paper</Description><UnitOfMeasure>EA</UnitOfMeasure></ShipNoticeItemDetail>'
    b"<UnitOfMeasure>EA</UnitOfMeasure></ShipNoticeItem>"
)
#: One process: argv = [src folder, documents folder, runs, corpus files...]; prints median ms each.
_RUNNER = """
import json, statistics, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from punchout.cxml import parse
from punchout.cxml.errors import CXMLError
documents = {p.stem.replace("_", " "): p.read_bytes() for p in sorted(Path(sys.argv[2]).glob("*.xml"))}
corpus = [Path(p).read_bytes() for p in sys.argv[4:]]
CORPUS = f"corpus ({len(corpus)} files, once each)"
def parse_corpus():
    for data in corpus:
        try:
            parse(data)
        except CXMLError:  # a refused document is timed too, in both versions; a crash is not
            continue
times = {name: [] for name in [*documents, CORPUS]}
for data in documents.values():
    for _ in range(5):
        parse(data)
for _ in range(int(sys.argv[3])):
    for name, data in documents.items():
        started = time.thread_time()
        parse(data)
        times[name].append((time.thread_time() - started) * 1000)
    started = time.thread_time()
    parse_corpus()
    times[CORPUS].append((time.thread_time() - started) * 1000)
print(json.dumps({name: statistics.median(values) for name, values in times.items()}))
"""


def _grown(path: Path, line: str, lines: int, number: Callable[[etree._Element, int], None]) -> bytes:
    """The document at ``path`` with its first ``line`` element repeated ``lines`` times in its place."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    first = tree.xpath(f"//{line}")[0]
    parent = first.getparent()
    for old in tree.xpath(f"//{line}"):
        old.getparent().remove(old)
    for n in range(1, lines + 1):
        item = copy.deepcopy(first)
        number(item, n)
        parent.append(item)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", doctype=tree.docinfo.doctype)


def _numbered(attribute: str) -> Callable[[etree._Element, int], None]:
    return lambda element, n: element.set(attribute, str(n))


def documents() -> dict[str, bytes]:
    cxml = INTEROP / "cxml"
    ship_notice = etree.parse(str(cxml / "ShipNoticeRequest" / "friendsofcxml-shipnoticerequest.xml"))
    portion = ship_notice.xpath("//ShipNoticePortion")[0]
    for n in range(1, 101):
        item = etree.fromstring(_SHIP_NOTICE_ITEM)
        item.set("lineNumber", str(n))
        portion.append(item)
    return {
        "OrderRequest 100": build(order_request(100)),
        "PunchOutOrderMessage 100": build(order_message(100)),
        "ConfirmationRequest 100": _grown(
            cxml / "ConfirmationRequest" / "officeluv-request_doc.xml",
            "ConfirmationItem",
            100,
            _numbered("lineNumber"),
        ),
        "InvoiceDetailRequest 100": _grown(
            cxml / "InvoiceDetailRequest" / "officeluv-invoice_taxes_at_line.xml",
            "InvoiceDetailItem",
            100,
            _numbered("invoiceLineNumber"),
        ),
        "ShipNoticeRequest 100": etree.tostring(
            ship_notice, xml_declaration=True, encoding="UTF-8", doctype=ship_notice.docinfo.doctype
        ),
    }


def main(old: str, new: str, rounds: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-cxml-versions-") as folder:
        for name, data in documents().items():
            (Path(folder) / f"{name.replace(' ', '_')}.xml").write_bytes(data)
        results = _measure(old, new, folder, rounds, runs)
    print(f"load average (1/5/15 min) after: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("\n| document | old ms | new ms | new / old (paired) |\n|---|---:|---:|---:|")
    for name in results["old"][0]:
        before_ms = [r[name] for r in results["old"]]
        after_ms = [r[name] for r in results["new"]]
        paired = statistics.median(b / a for a, b in zip(before_ms, after_ms, strict=True))
        print(
            f"| {name} | {statistics.median(before_ms):.3f} | {statistics.median(after_ms):.3f} | {paired:.3f} |"
        )


def _measure(old: str, new: str, folder: str, rounds: int, runs: int) -> dict[str, list[dict[str, float]]]:
    """Median ms of each document in each process, by version (``old``, ``new``), in round order."""
    corpus = [str(p) for kind in KINDS for p in sorted((INTEROP / "cxml" / kind).glob("*.xml"))]
    results: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for round_ in range(rounds):
        for which in ("old", "new") if round_ % 2 == 0 else ("new", "old"):
            src = old if which == "old" else new
            out = subprocess.run(
                [sys.executable, "-c", _RUNNER, src, folder, str(runs), *corpus],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results[which].append(json.loads(out))
        before, after = results["old"][-1], results["new"][-1]
        print(
            f"round {round_ + 1}: " + "; ".join(f"{k} {before[k]:.3f} / {after[k]:.3f}" for k in before),
            flush=True,
        )
    return results


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if len(arguments) < 2:
        sys.exit(__doc__)
    main(
        arguments[0],
        arguments[1],
        int(arguments[2]) if len(arguments) > 2 else 6,
        int(arguments[3]) if len(arguments) > 3 else 150,
    )
