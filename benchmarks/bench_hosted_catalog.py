"""Hosted catalog benchmark: import and publish a 100,000-line CIF file, then search it.

    .venv/bin/python benchmarks/bench_hosted_catalog.py [--lines 100000] [--queries 500] [--dated 10] [--data-dir DIR]
        [--sort-rounds 30] [--postgres postgres://postgres@127.0.0.1:5432/] [--write]

Uses the buyer suite's settings with its own data folder: a fresh embedded SQLite database, then,
with ``--postgres SERVER-URL``, a PostgreSQL database the run creates on that server (named
``openprocure_bench_<pid>``) and drops at the end. Each backend runs in a process of its own (the
same file, the same queries); the report has one section per backend. Without ``--postgres``, the
database ``DATABASE_URL`` names is used when set (its tables are migrated, never dropped). Steps:

1. Write a seeded synthetic CIF 3.0 file of ``--lines`` items (words, manufacturers, UNSPSC codes,
   prices) with the protocol core's writer (not timed).
2. Import and publish, timed as one: ``services.upload`` (the file kept, hashed), the worker's
   ``services.check_version`` (every row read, checked and stored; the changes counted) and
   ``services.publish`` (the search index filled). Goal: ≤ 60 s.
3. Search: a seeded mix of ``--queries`` queries (one word, two words, a half-typed word, a
   category filter, a price range in EUR, a supplier's whole catalog) through the search page's
   work without HTML (``search.price_currencies``: the currencies the items in force are priced
   in, for the form's choice; ``search.Matches``: the count, then the page of 24 items loaded with
   their supplier). Goal: p99 ≤ 50 ms at 100,000 items.
4. Sort: best match against both price orders on the same queries (a common word, a noun, a rare
   word, a category without words), side by side in one loop (``--sort-rounds`` rounds, the orders
   taking turns), each the count and the first page, plus the 11th page (items 240 to 263); then
   the same with an index on the items' ``(price_e4, id)``, created for it and dropped after.
5. Dated prices: one item in ten (``--dated``) is given two dated prices (one until today, the
   next from tomorrow), then the daily task's work (``dated_prices.follow``) is timed on tomorrow
   (every dated item changes), on today with ``tracemalloc`` for its peak memory (every one changes
   back), again on today (nothing due: the version is marked) and forced on today
   (``follow_version``: every dated item read, none written). Beside it, in the same run, what
   publication does more than before (``follow_version`` of the version published in force at once)
   while no item is dated yet, as in step 2's publication of the CIF file.

Prints a Markdown report with the machine's load average before and after each backend (the machine
is shared); ``--write`` also stores it in benchmarks/results/hosted_catalog.md, above the notes kept
there under "## Notes".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

NOUNS = (
    "stapler pen pencil eraser notebook folder binder envelope toner cartridge paper label marker "
    "chair desk lamp shelf cabinet drawer monitor keyboard mouse cable adapter charger battery "
    "glove mask helmet boot jacket screw bolt nut washer drill saw hammer wrench tape glue cleaner "
    "towel soap sponge bucket mop brush bin bag box crate pallet"
).split()
ADJECTIVES = (
    "blue black red green white grey stainless steel plastic wooden heavy-duty compact ergonomic "
    "recycled premium standard large small medium waterproof rechargeable wireless adjustable"
).split()
MAKERS = (
    "Acme",
    "Bosch",
    "Clorox",
    "Fellowes",
    "Leitz",
    "Makita",
    "3M",
    "Pilot",
    "Stabilo",
    "Würth",
    "Caféine",
)
UNSPSC = (
    "44121615",
    "44121704",
    "44103103",
    "56112102",
    "56101703",
    "43211708",
    "27111701",
    "46181504",
    "47131502",
)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000

    return at(0.50), at(0.95), at(0.99)


def write_file(path: Path, lines: int, seed: int = 19) -> None:
    from punchout import cif

    rng = random.Random(seed)
    fields = (*cif.POSITIONAL_FIELDS[:9], "Currency", "Short Name")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = cif.Writer(
            out, fieldnames=fields, header={"LOADMODE": "F", "CODEFORMAT": "UNSPSC", "CURRENCY": "EUR"}
        )
        for number in range(lines):
            noun = rng.choice(NOUNS)
            words = f"{rng.choice(ADJECTIVES)} {rng.choice(ADJECTIVES)} {noun}"
            maker = rng.choice(MAKERS)
            writer.row(
                {
                    "Supplier ID": "942888710",
                    "Supplier Part ID": f"P{number:07d}",
                    "Manufacturer Part ID": f"{maker[:2].upper()}-{rng.randrange(10**6):06d}",
                    "Item Description": f"{maker} {words}, {rng.randrange(1, 500)} count, model {rng.randrange(10**4)}",
                    "SPSC Code": rng.choice(UNSPSC),
                    "Unit Price": f"{Decimal(rng.randrange(50, 500_000)) / 100:.2f}",
                    "Unit of Measure": rng.choice(("EA", "BX", "PK", "C62")),
                    "Lead Time": str(rng.randrange(1, 15)),
                    "Manufacturer Name": maker,
                    "Currency": "EUR",
                    "Short Name": f"{maker} {noun}",
                }
            )
        writer.close()


def query_mix(count: int, supplier_id: int, seed: int = 2026) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    mix: list[tuple[str, dict]] = []
    while len(mix) < count:
        shape = rng.random()
        noun, adjective = rng.choice(NOUNS), rng.choice(ADJECTIVES)
        if shape < 0.3:
            mix.append(("1 word", {"text": noun}))
        elif shape < 0.5:
            mix.append(("2 words", {"text": f"{adjective} {noun}"}))
        elif shape < 0.6:
            mix.append(("half-typed", {"text": noun[: max(3, len(noun) - 2)]}))
        elif shape < 0.75:
            mix.append(("word + category", {"text": noun, "category": rng.choice(UNSPSC)[:4]}))
        elif shape < 0.9:
            low = Decimal(rng.randrange(1, 1000))
            mix.append(
                (
                    "word + price range",
                    {"text": noun, "min_price": low, "max_price": low * 3, "currency": "EUR"},
                )
            )
        else:
            mix.append(("supplier's whole catalog", {"supplier": supplier_id}))
    return mix


def measure(args: argparse.Namespace) -> str:
    """Import, publish and search on the database of this process's settings; the report's section."""
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="bench-hosted-catalog-")
    os.environ["OPENPROCURE_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "openprocure.buyer.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from openprocure.buyer.catalogs import services
    from openprocure.buyer.catalogs.search import Matches, SearchQuery, price_currencies
    from openprocure.buyer.suppliers.models import Supplier
    from openprocure.core.models import User

    load_before = os.getloadavg()
    call_command("migrate", verbosity=0, skip_checks=True)
    admin = User.objects.create_user(email="bench@acme.test", password=None, is_staff=True)
    supplier = Supplier.objects.create(name="Bench Supplies", duns="942888710")
    path = Path(data_dir) / "bench.cif"
    write_file(path, args.lines)
    size = path.stat().st_size

    started, started_cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as stream:
        version = services.upload(
            supplier=supplier, chunks=iter(lambda: stream.read(1 << 20), b""), name=path.name, actor=admin
        )
    uploaded = time.perf_counter()
    version = services.check_version(version_id=version.pk)
    checked = time.perf_counter()
    assert version.status == "valid", [p.text for p in version.problems.all()[:5]]
    version = services.publish(version=version, actor=admin)
    published, published_cpu = time.perf_counter(), time.process_time()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does shortly after a bulk load (statistics, visibility map, hint bits):
            # without it the first queries pay for setting the hint bits of every page they read.
            cursor.execute("VACUUM ANALYZE catalogs_catalogitem")

    mix = query_mix(args.queries, supplier.pk)
    by_kind: dict[str, list[float]] = {}
    samples: list[float] = []
    cpu_samples: list[float] = []
    totals: list[int] = []
    currency_samples: list[float] = []
    for kind, asked in mix:
        supplier_id = asked.pop("supplier", None)
        query = SearchQuery(**asked)
        begin, begin_cpu = time.perf_counter(), time.process_time()
        in_force = services.current_versions()  # as the page: every version in force, then the supplier's
        currencies = price_currencies(sorted(in_force.values()))
        currency_samples.append(time.perf_counter() - begin)
        assert list(currencies) == ["EUR"], currencies
        versions = [version for key, version in in_force.items() if supplier_id in (None, key)]
        matches = Matches(query, versions)
        total = len(matches)
        page = matches[0:24]
        elapsed = time.perf_counter() - begin
        cpu_samples.append(time.process_time() - begin_cpu)
        assert total == 0 or page, (kind, asked)
        samples.append(elapsed)
        totals.append(total)
        by_kind.setdefault(kind, []).append(elapsed)
    sorts = _sorts(args.sort_rounds)
    dated = _dated_prices(version, args.dated, published - checked)
    load_after = os.getloadavg()

    p50, p95, p99 = percentiles(samples)
    c50, c95, c99 = percentiles(cpu_samples)
    server = ""
    if connection.vendor == "postgresql":
        server = f" {connection.pg_version // 10000}"  # type: ignore[attr-defined]
    rows = [
        f"## {connection.vendor}{server}",
        "",
        f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, database {connection.vendor}{server}, "
        f"{args.lines:,} lines ({size / 1e6:.1f} MB), {args.queries} queries.",
        f"Load average (1, 5, 15 min) before: {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}; "
        f"after: {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f} (2 cores, shared machine).",
        "",
        "### Import and publish",
        "",
        "| step | seconds |",
        "|---|---|",
        f"| upload (file kept, SHA-256) | {uploaded - started:.1f} |",
        f"| check (read, check and store every row; changes counted) | {checked - uploaded:.1f} |",
        f"| publish (search index filled and merged) | {published - checked:.1f} |",
        f"| **total** (goal ≤ 60) | **{published - started:.1f}** |",
        f"| CPU time of this process (what a quiet machine would wait) | {published_cpu - started_cpu:.1f} |",
        "",
        "### Search (currencies in force + count + page of 24 items with their supplier)",
        "",
        "| queries | p50 ms | p95 ms | p99 ms | mean matches |",
        "|---|---|---|---|---|",
        f"| all {len(samples)} (goal p99 ≤ 50) | {p50:.1f} | {p95:.1f} | **{p99:.1f}** | {statistics.mean(totals):,.0f} |",
        f"| all {len(samples)}, CPU time of this process | {c50:.1f} | {c95:.1f} | {c99:.1f} | |",
    ]
    for kind, values in sorted(by_kind.items()):
        k50, k95, k99 = percentiles(values)
        rows.append(f"| {kind} ({len(values)}) | {k50:.1f} | {k95:.1f} | {k99:.1f} | |")
    x50, x95, x99 = percentiles(currency_samples)
    rows.append(
        f"| of which the currencies in force (all {len(currency_samples)}) | {x50:.1f} | {x95:.1f} | {x99:.1f} | |"
    )
    rows += ["", *sorts, "", *dated]
    return "\n".join(rows) + "\n"


#: Step 4's queries: (what, SearchQuery arguments).
SORT_SHAPES = (
    ("common word “blue”", {"text": "blue"}),
    ("noun “stapler”", {"text": "stapler"}),
    ("rare word “1234”", {"text": "1234"}),
    ("category 4412, no word", {"category": "4412"}),
)
#: The index step 4 tries for the price orders (created, measured, dropped).
SORT_INDEX = "CREATE INDEX bench_item_price ON catalogs_catalogitem (price_e4, id)"


def _sorts(rounds: int) -> list[str]:
    """Step 4: each shape in each order, the orders taking turns in every round, without then with
    an index on the price; the report's lines."""
    from django.db import connection

    from openprocure.buyer.catalogs import services
    from openprocure.buyer.catalogs.choices import SearchSort
    from openprocure.buyer.catalogs.search import Matches, SearchQuery

    versions = list(services.current_versions().values())
    orders = [SearchSort.BEST_MATCH, SearchSort.PRICE_ASC, SearchSort.PRICE_DESC]
    Key = tuple[str, str, str]
    wall: dict[Key, list[float]] = {}
    cpu: dict[Key, list[float]] = {}
    deep: dict[Key, list[float]] = {}
    totals: dict[str, int] = {}

    def run(index: str) -> None:
        for number in range(rounds):
            for shape, asked in SORT_SHAPES:
                for sort in orders[number % 3 :] + orders[: number % 3]:
                    query = SearchQuery(**asked, sort=sort, currency="EUR")
                    begin, begin_cpu = time.perf_counter(), time.process_time()
                    matches = Matches(query, versions)
                    total = len(matches)
                    page = matches[0:24]
                    wall.setdefault((index, shape, sort), []).append(time.perf_counter() - begin)
                    cpu.setdefault((index, shape, sort), []).append(time.process_time() - begin_cpu)
                    begin = time.perf_counter()
                    later = Matches(query, versions)
                    len(later)
                    later[240:264]
                    deep.setdefault((index, shape, sort), []).append(time.perf_counter() - begin)
                    assert total == 0 or page, (shape, sort)
                    totals[shape] = total

    run("none")
    with connection.cursor() as cursor:
        cursor.execute(SORT_INDEX)
        cursor.execute("ANALYZE catalogs_catalogitem")
    run("price_e4, id")
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX bench_item_price")
    lines = [
        f"### Sort ({rounds} rounds, the three orders taking turns; count + page of 24)",
        "",
        "Without, then with, an index on the items' (price_e4, id) (created for the measure, then "
        "dropped). Page 11: a new count + items 240 to 263. CPU: this process (SQLite's work is in it).",
        "",
        "| query | matches | order | index | page 1 p50 ms | page 1 min ms | page 1 CPU p50 ms "
        "| page 11 p50 ms | page 11 min ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for shape, _asked in SORT_SHAPES:
        for sort in orders:
            for index in ("none", "price_e4, id"):
                key = (index, shape, sort)
                w50 = percentiles(wall[key])[0]
                c50 = percentiles(cpu[key])[0]
                d50 = percentiles(deep[key])[0]
                lines.append(
                    f"| {shape} | {totals[shape]:,} | {sort} | {index} | {w50:.1f} | {min(wall[key]) * 1000:.1f} "
                    f"| {c50:.1f} | {d50:.1f} | {min(deep[key]) * 1000:.1f} |"
                )
    return lines


def _max_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _dated_prices(version: Any, every: int, published: float) -> list[str]:
    """Step 5: the daily update of dated prices on the version's items, one in ``every`` dated; the
    report's lines."""
    from django.db import connection
    from django.utils import timezone

    from openprocure.buyer.catalogs import dated_prices, services
    from openprocure.buyer.catalogs.models import CatalogItem, CatalogVersion
    from openprocure.core.tunables import tunable

    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    batch_size = int(tunable("HOSTED_CATALOG_BATCH_SIZE"))

    def timed(work: Any) -> tuple[float, float, Any]:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        done = work()
        return time.perf_counter() - begin, time.process_time() - begin_cpu, done

    # What the publication of step 2 did more than before: no item of the CIF file is dated.
    added = timed(lambda: dated_prices.follow_version(version.pk, today, batch_size=batch_size))
    items = CatalogItem.objects.filter(version=version).order_by("pk")
    chosen = list(items.values_list("pk", "unit_price")[::every])
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE catalogs_catalogitem SET price_periods = %s WHERE id = %s",
            [
                (
                    json.dumps(
                        [
                            {"from": None, "until": today.isoformat(), "price": f"{price:.4f}", "tiers": []},
                            {
                                "from": tomorrow.isoformat(),
                                "until": None,
                                "price": f"{price * 11 / 10:.4f}",
                                "tiers": [["10", f"{price:.4f}"]],
                            },
                        ]
                    ),
                    pk,
                )
                for pk, price in chosen
            ],
        )
    current = list(services.current_versions().values())
    runs = []
    wall, cpu, done = timed(lambda: dated_prices.follow(current, tomorrow, batch_size=batch_size))
    runs.append(("a new day (tomorrow): every dated item changes", wall, cpu, sum(done.values())))
    tracemalloc.start()
    wall, cpu, done = timed(lambda: dated_prices.follow(current, today, batch_size=batch_size))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    runs.append(
        ("the next new day (today), under tracemalloc: every one changes back", wall, cpu, sum(done.values()))
    )
    wall, cpu, done = timed(lambda: dated_prices.follow(current, today, batch_size=batch_size))
    runs.append(("the same day again: nothing due", wall, cpu, sum(done.values())))
    wall, cpu, done = timed(lambda: dated_prices.follow_version(version.pk, today, batch_size=batch_size))
    runs.append(("the same day, forced (every dated item read, none written)", wall, cpu, done))
    assert [run[3] for run in runs] == [len(chosen), len(chosen), 0, 0], runs
    assert CatalogVersion.objects.get(pk=version.pk).prices_on == today
    total = items.count()

    lines = [
        f"### Dated prices ({len(chosen):,} of {total:,} items dated; batches of {batch_size:,})",
        "",
        "| daily update (`dated_prices.follow`) | seconds | CPU seconds | items changed |",
        "|---|---|---|---|",
        *(f"| {what} | {wall:.2f} | {cpu:.2f} | {count:,} |" for what, wall, cpu, count in runs),
        "",
        f"Peak memory of the Python allocations during a run (tracemalloc): {peak / 1e6:.1f} MB; "
        f"peak resident size of the whole process (import and search included): {_max_rss_mb():.0f} MB.",
        "",
        f"Publication's added work (the version's dated items set for today; none dated yet): "
        f"{added[0]:.3f} s ({added[1]:.3f} s CPU), against step 2's publication of {published:.1f} s.",
    ]
    return lines


def _in_child(args: argparse.Namespace, database_url: str) -> str:
    """Run :func:`measure` in a new process on ``database_url`` (empty: SQLite); its section."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [
        sys.executable,
        __file__,
        "--child",
        "--lines",
        str(args.lines),
        "--queries",
        str(args.queries),
        "--dated",
        str(args.dated),
        "--sort-rounds",
        str(args.sort_rounds),
    ]
    done = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return done.stdout


def _on_postgres(args: argparse.Namespace) -> str:
    """Create a database for the run on the ``--postgres`` server, measure on it, drop it."""
    import psycopg
    from psycopg import sql

    server = args.postgres.rstrip("/")
    name = f"openprocure_bench_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        return _in_child(args, f"{server}/{name}")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


HEADING = """# Hosted catalog benchmark (`benchmarks/bench_hosted_catalog.py`)

Goals (issue #19): import a 100,000-line CIF file into the buyer suite and publish it in ≤ 60 s;
hosted-catalog search at 100,000 items p99 ≤ 50 ms.

Reproduce (both backends, one after the other, in one invocation):

    .venv/bin/python benchmarks/bench_hosted_catalog.py --postgres postgres://postgres@127.0.0.1:5432/ --write

"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--dated", type=int, default=10, help="one item in DATED has dated prices")
    parser.add_argument("--sort-rounds", type=int, default=30, help="rounds of step 4 (sort)")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--postgres", default="", help="PostgreSQL server URL to run on as well")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(measure(args), end="")
        return 0
    if args.postgres:
        sections = [_in_child(args, ""), _on_postgres(args)]
    else:
        sections = [measure(args)]
    report = HEADING + "\n".join(sections)
    print(report)
    if args.write:
        results = Path(__file__).parent / "results" / "hosted_catalog.md"
        kept = results.read_text(encoding="utf-8") if results.exists() else ""
        notes = kept[kept.index("## Notes") :] if "## Notes" in kept else ""
        results.write_text(report + ("\n" + notes if notes else ""), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
