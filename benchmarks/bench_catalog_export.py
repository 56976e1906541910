"""Catalog export benchmark: a business's whole catalog as BMEcat 2005 and CIF 3.0, time and memory.

    .venv/bin/python benchmarks/bench_catalog_export.py --sizes 100000,1000000 [--data-dir DIR] [--write]

Uses the supplier site's settings with its own data folder (the embedded SQLite database). For each
size, smallest first, the catalog is grown to that many products with the catalog generator
(``generate-catalog``: the same seed keeps the first products as they were), then each format is
exported by a child process of this script (``export.write``, as the command and the task do) into
a file of the data folder. Each child reports its time, the file's size, its peak RSS and its RSS
before the export (Django loaded, the database opened), and the peak of Python allocations during
the export with ``--traced-too`` (tracemalloc, in a second run of the child, because tracing slows
the export).

Memory constant in the catalog's size is the goal: the growth of the peak over the baseline should
be the same for 100,000 and 1,000,000 products.

Prints a Markdown report; ``--write`` also stores it in benchmarks/results/catalog_export.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def setup(data_dir: Path) -> None:
    os.environ["OPENPROCURE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprocure.supplier.settings")
    import django

    django.setup()


def rss_peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(data_dir: Path, format: str, traced: bool) -> dict[str, float]:
    """One export in this process: what the parent records."""
    setup(data_dir)
    import tracemalloc

    from openprocure.supplier.business.models import Business
    from openprocure.supplier.catalog import export
    from openprocure.supplier.catalog.models import Product

    business = Business.objects.get(name="Benchmark Buyer GmbH")
    products = Product.objects.count()
    baseline = current_rss_mib()
    extension = "xml" if format == "bmecat" else "cif"
    path = data_dir / f"export-{products}.{extension}"
    if traced:
        tracemalloc.start()
    started = time.monotonic()
    with open(path, "wb") as out:
        written = export.write(business, out, format=format)
    seconds = time.monotonic() - started
    result = {
        "products": products,
        "written": written,
        "seconds": seconds,
        "bytes": path.stat().st_size,
        "baseline_mib": baseline,
        "peak_mib": rss_peak_mib(),
    }
    if traced:
        result["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    path.unlink()
    return result


def run_child(data_dir: Path, format: str, traced: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", format, "--data-dir", str(data_dir)]
    if traced:
        command.append("--traced")
    answer = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])


def grow(data_dir: Path, products: int) -> float:
    setup(data_dir)
    from django.core.management import call_command

    from openprocure.supplier.business.models import Business
    from openprocure.supplier.catalog.generator import generate_catalog

    call_command("migrate", verbosity=0)
    if not Business.objects.filter(name="Benchmark Buyer GmbH").exists():
        Business.objects.create(
            name="Benchmark Buyer GmbH",
            street="Hauptstraße 1",
            postal_code="10115",
            city="Berlin",
            country="DE",
            tax_number="DE123456789",
            email="admin@bench.test",
        )
    started = time.monotonic()
    generate_catalog(products=products)
    return time.monotonic() - started


def report(rows: list[dict[str, float | str]], generation: dict[int, float]) -> str:
    lines = [
        "# Catalog export benchmark (`benchmarks/bench_catalog_export.py`)",
        "",
        "Goal (issue #19): export 1,000,000 products as BMEcat and as CIF; time and peak memory, the",
        "memory constant in the catalog's size. Embedded SQLite, one business, every product in its",
        "catalog, each export in a fresh child process writing a file in the data folder.",
        "",
        "| products | format | time (s) | products/s | file (MiB) | RSS before (MiB) | RSS peak (MiB) | peak − before (MiB) | Python allocations peak (MiB, tracemalloc) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {int(row['products']):,} | {row['format']} | {float(row['seconds']):.1f} | "
            f"{float(row['written']) / float(row['seconds']):,.0f} | {float(row['bytes']) / 2**20:,.1f} | "
            f"{float(row['baseline_mib']):.1f} | {float(row['peak_mib']):.1f} | "
            f"{float(row['peak_mib']) - float(row['baseline_mib']):.1f} | "
            + (f"{float(row['traced_peak_mib']):.1f} |" if "traced_peak_mib" in row else "not measured |")
        )
    lines += [
        "",
        "Generation of the catalog (the generator, timed to reach each size from the previous one):",
        "",
    ]
    lines += [f"- {size:,} products: {seconds:.0f} s" for size, seconds in sorted(generation.items())]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench-catalog-export")
    parser.add_argument("--write", action="store_true")
    parser.add_argument(
        "--traced-too",
        action="store_true",
        help="Also measure the peak of Python allocations (a second, slower export per size and format).",
    )
    parser.add_argument("--child", choices=["cif", "bmecat"], help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--grow", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    if args.grow:
        print(grow(args.data_dir, args.grow))
        return 0
    if args.child:
        print(json.dumps(child(args.data_dir, args.child, args.traced)))
        return 0
    rows: list[dict[str, float | str]] = []
    generation: dict[int, float] = {}
    for size in sorted(int(value) for value in args.sizes.split(",")):
        generation[size] = float(
            subprocess.run(
                [sys.executable, __file__, "--grow", str(size), "--data-dir", str(args.data_dir)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
        )
        print(f"{size:,} products generated in {generation[size]:.0f} s", file=sys.stderr, flush=True)
        for format in ("bmecat", "cif"):
            measured = run_child(args.data_dir, format, traced=False)
            if args.traced_too:
                measured["traced_peak_mib"] = run_child(args.data_dir, format, traced=True)["traced_peak_mib"]
            measured["format"] = format
            rows.append(measured)
            print(rows[-1], file=sys.stderr, flush=True)
    text = report(rows, generation)
    print(text)
    if args.write:
        (ROOT / "benchmarks" / "results" / "catalog_export.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
