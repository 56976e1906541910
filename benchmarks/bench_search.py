"""Catalog search benchmark: generation time, search page and typeahead latency, memory.

    .venv/bin/python benchmarks/bench_search.py --products 1000000 [--data-dir /tmp/bench] [--queries 500]

Uses the supplier site's settings with its own data folder (the embedded SQLite database). Steps:

1. Generate the catalog up to ``--products`` (timed; skipped when already there).
2. A fixed, seeded mix of realistic queries: one word, two or three words, half-typed words
   (prefixes), each with or without a category filter.
3. For each query, in the same run: the search page's work without HTML (search + total + facet
   counts + the 24 products loaded and priced for a business customer), the whole page through
   Django's test client (HTML included), and the raw FTS5 MATCH alone (bm25 top 24), for the ratio.
4. Typeahead: the suggestion endpoint for prefixes of 2 to 6 characters.
5. Peak RSS of this process.

Prints a Markdown report; ``--write`` also stores it in benchmarks/results/search.md.

``--engines sqlite,postgres`` instead measures both engines side by side in one run: each in a child
process of this script (the search backends use Django's default database), on a catalog of the
same ``--products`` generated with the same seed, with the same seeded query mix. SQLite uses its
own data folder (``data/bench-search-engines-<products>``), PostgreSQL the database
``openprocure_bench_search_<products>`` on ``--postgres-url``'s server (created when missing).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000

    return at(0.50), at(0.95), at(0.99)


def query_mix(count: int, seed: int = 2024) -> list[tuple[str, str, str]]:
    """(kind, text, category) triples: realistic buyer queries built from the catalog's vocabulary."""
    from openprocure.supplier.catalog import taxonomy

    rng = random.Random(seed)
    mix: list[tuple[str, str, str]] = []
    commodities = taxonomy.COMMODITIES
    while len(mix) < count:
        commodity = rng.choice(commodities)
        kind_words = rng.choice(commodity.kinds).lower().split()
        brand = rng.choice(commodity.brands)
        detail = rng.choice(rng.choice(commodity.details)).lower()
        shape = rng.random()
        if shape < 0.35:
            kind, text = "1 word", rng.choice([kind_words[-1], brand.split()[0].lower(), detail.split()[0]])
        elif shape < 0.75:
            kind = "2-3 words"
            text = rng.choice(
                [
                    " ".join(kind_words[-2:]),
                    f"{brand.lower()} {kind_words[-1]}",
                    f"{kind_words[-1]} {detail}",
                    f"{brand.split()[0].lower()} {' '.join(kind_words[-2:])}",
                ]
            )
        else:
            kind = "prefix"
            word = rng.choice([kind_words[-1], brand.split()[0].lower()])
            stem = word[: max(3, min(len(word) - 1, rng.randint(3, 6)))]
            text = stem if rng.random() < 0.5 else f"{brand.split()[0].lower()} {stem}"
        category = ""
        if rng.random() < 0.3:
            category = commodity.code[: rng.choice((2, 4, 6))]
        mix.append((kind, " ".join(text.split()[:3]), category))
    return mix


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each query N times and keep its fastest time (filters out other work on a shared machine)",
    )
    parser.add_argument("--data-dir", default=str(Path.cwd() / "data" / "bench-search"))
    parser.add_argument(
        "--write", action="store_true", help="store the report in benchmarks/results/search.md"
    )
    parser.add_argument(
        "--engines", default="", help="comma-separated engines to compare side by side: sqlite,postgres"
    )
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres", help="server for --engines"
    )
    parser.add_argument("--engine-worker", default="", help=argparse.SUPPRESS)
    parser.add_argument("--json", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_worker:
        return engine_worker(args)
    if args.engines:
        return compare_engines(args)

    os.environ.setdefault("OPENPROCURE_DATA_DIR", args.data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "openprocure.supplier.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from openprocure.supplier.catalog.generator import generate_catalog
    from openprocure.supplier.catalog.models import Product
    from openprocure.supplier.catalog.pricing import BusinessStrategy
    from openprocure.supplier.catalog.search import SearchQuery, get_backend
    from openprocure.supplier.catalog.search_fts5 import match_expression

    call_command("migrate", verbosity=0, skip_checks=True)
    lines: list[str] = []

    def report(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    existing = Product.objects.count()
    if existing < args.products:
        started = time.perf_counter()
        added = generate_catalog(products=args.products)
        generation = f"{added:,} products generated in {time.perf_counter() - started:.1f} s"
    else:
        generation = f"catalog already had {existing:,} products (generation not timed in this run)"
    database = Path(connection.settings_dict["NAME"])
    size = sum(path.stat().st_size for path in database.parent.glob(database.name + "*")) / 2**20

    backend = get_backend()
    strategy = BusinessStrategy(business=True)
    mix = query_mix(args.queries)

    started = time.perf_counter()
    backend.search(query=SearchQuery(text="paper"))
    warm_up = time.perf_counter() - started

    def page_work(text: str, category: str) -> tuple[int, bool]:
        result = backend.search(query=SearchQuery(text=text, category=category, price_basis="business"))
        products = list(
            Product.objects.filter(sales_rank__in=result.sales_ranks)
            .select_related("seller")
            .prefetch_related("price_tiers")
        )
        for product in products:
            strategy.price_for(product, 1)
        return result.total, result.ranked_by == "popularity"

    page_times: list[float] = []
    raw_times: list[float] = []
    http_times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    broad = 0
    totals: list[int] = []
    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(
        CATALOG_BUSINESS_FOR_REQUEST="openprocure.supplier.catalog.pricing.business_from_request"
    ):
        for kind, text, category in mix:
            elapsed = float("inf")
            for _run in range(args.repeat):
                started = time.perf_counter()
                total, was_broad = page_work(text, category)
                elapsed = min(elapsed, time.perf_counter() - started)
            page_times.append(elapsed)
            by_kind.setdefault(kind + (" + category" if category else ""), []).append(elapsed)
            broad += was_broad
            totals.append(total)

            expression = match_expression(SearchQuery(text=text, category=category))
            raw = float("inf")
            for _run in range(args.repeat):
                started = time.perf_counter()
                backend.raw_match(expression=expression, limit=24)  # type: ignore[attr-defined]
                raw = min(raw, time.perf_counter() - started)
            raw_times.append(raw)

            params = {"q": text, **({"cat": category} if category else {})}
            started = time.perf_counter()
            response = client.get("/search/", params)
            http_times.append(time.perf_counter() - started)
            assert response.status_code == 200, (text, response.status_code)

    prefixes = []
    rng = random.Random(7)
    for _kind, text, _category in mix:
        word = text.split()[0]
        prefixes.append(word[: rng.randint(2, max(2, min(6, len(word))))])
    suggest_times: list[float] = []
    suggest_http: list[float] = []
    for prefix in prefixes:
        fastest = float("inf")
        for _run in range(args.repeat):
            started = time.perf_counter()
            backend.suggest(prefix=prefix, limit=8)
            fastest = min(fastest, time.perf_counter() - started)
        suggest_times.append(fastest)
        started = time.perf_counter()
        client.get("/search/suggest/", {"q": prefix})
        suggest_http.append(time.perf_counter() - started)

    def row(label: str, values: tuple[float, float, float], goal: str = "") -> str:
        return f"| {label} | " + " | ".join(f"{value:.2f}" for value in values) + f" | {goal} |"

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p = percentiles
    report(
        f"### Run of {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC — {Product.objects.count():,} products"
    )
    report()
    report(
        f"- Machine: {os.cpu_count()} cores, SQLite {connection.Database.sqlite_version}, Python {sys.version.split()[0]}"
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    report(f"- Load average at the end (other work on the machine competes for the 2 cores): {load}")
    report(f"- Generation: {generation}; database files {size:,.0f} MiB")
    report(f"- Facet table load (first search of a process): {warm_up * 1000:,.0f} ms")
    report(
        f"- Each query's time: the fastest of {args.repeat} run(s) (page work, raw MATCH, backend typeahead)"
    )
    report(
        f"- Queries: {len(mix)} ({sum(1 for q in mix if q[2])} with a category filter); {broad} broad "
        f"(ordered by sales rank); median total {int(statistics.median(totals)):,}"
    )
    report()
    report("| measure | p50 ms | p95 ms | p99 ms | goal |")
    report("|---|---|---|---|---|")
    report(
        row("search page work: search + total + facets + 24 priced products", p(page_times), "15 / 50 / 150")
    )
    report(row("whole search page through the test client (HTML rendered)", p(http_times), ""))
    report(row("raw FTS5 MATCH, bm25 top 24 (same queries)", p(raw_times), ""))
    report(row("typeahead (backend)", p(suggest_times), ""))
    report(row("typeahead endpoint through the test client", p(suggest_http), "p95 15"))
    ratio = [a / b for a, b in zip(p(page_times), p(raw_times), strict=True)]
    report()
    report(f"- Ratio page work / raw MATCH: p50 {ratio[0]:.2f}×, p95 {ratio[1]:.2f}×, p99 {ratio[2]:.2f}×")
    report(f"- Peak RSS of the search process: {rss:,.0f} MiB (goal < 600)")
    report()
    report("| query kind | n | p50 ms | p95 ms | p99 ms |")
    report("|---|---|---|---|---|")
    for kind in sorted(by_kind):
        report(
            f"| {kind} | {len(by_kind[kind])} | " + " | ".join(f"{v:.1f}" for v in p(by_kind[kind])) + " |"
        )
    if args.write:
        path = Path(__file__).resolve().parent / "results" / "search.md"
        previous = path.read_text() if path.exists() else ""
        marker = "<!-- runs -->"
        head, _sep, runs = previous.partition(marker) if marker in previous else (previous, "", "")
        path.write_text(head + marker + "\n\n" + "\n".join(lines) + "\n\n" + runs.lstrip("\n"))
    return 0


ENGINE_LABELS = {"sqlite": "SQLite FTS5", "postgres": "PostgreSQL full text"}


def engine_database_url(args: argparse.Namespace) -> str:
    """The PostgreSQL database of an ``--engines`` run (created when missing)."""
    import urllib.parse

    import psycopg

    parts = urllib.parse.urlsplit(args.postgres_url)
    name = f"openprocure_bench_search_{args.products}"
    with psycopg.connect(args.postgres_url, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def compare_engines(args: argparse.Namespace) -> int:
    """Run :func:`engine_worker` for each engine, one after the other, and report them side by side."""
    import json
    import subprocess
    import tempfile

    engines = [engine.strip() for engine in args.engines.split(",") if engine.strip()]
    unknown = set(engines) - set(ENGINE_LABELS)
    if unknown:
        print(
            f"Unknown engine(s) {', '.join(sorted(unknown))}: choose from sqlite, postgres.", file=sys.stderr
        )
        return 2
    root = Path(__file__).resolve().parent.parent
    results: dict[str, dict] = {}
    for engine in engines:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env["OPENPROCURE_DATA_DIR"] = str(root / "data" / f"bench-search-engines-{args.products}")
        env.pop("OPENPROCURE_SEARCH_BACKEND", None)
        if engine == "postgres":
            env["DATABASE_URL"] = engine_database_url(args)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            command = [
                sys.executable,
                __file__,
                "--engine-worker",
                engine,
                "--json",
                out.name,
                "--products",
                str(args.products),
                "--queries",
                str(args.queries),
                "--repeat",
                str(args.repeat),
            ]
            print(f"[{engine}] …", flush=True)
            subprocess.run(command, env=env, check=True, cwd=root)
            results[engine] = json.loads(Path(out.name).read_text())

    lines: list[str] = []

    def report(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    first = results[engines[0]]
    report(
        f"### Engines side by side, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC — "
        f"{first['products']:,} products"
    )
    report()
    report(
        f"- Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        + "; ".join(f"{ENGINE_LABELS[engine]}: {results[engine]['version']}" for engine in engines)
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    report(f"- Load average at the end (other work on the machine competes for the 2 cores): {load}")
    report(
        f"- Same {first['queries']} seeded queries ({first['with_category']} with a category filter) on "
        f"each engine, one engine at a time; each query's time is the fastest of {args.repeat} run(s)"
    )
    for engine in engines:
        result = results[engine]
        report(
            f"- {ENGINE_LABELS[engine]}: {result['generation']}; database {result['size_mib']:,.0f} MiB "
            f"(search index {result['index_mib']:,.0f} MiB); facet table load {result['warm_up_ms']:,.0f} ms; "
            f"{result['broad']} broad queries; median total {result['median_total']:,}; "
            f"peak RSS {result['rss_mib']:,.0f} MiB"
        )
    report()
    report("| measure (p50 / p95 / p99 ms) | " + " | ".join(ENGINE_LABELS[e] for e in engines) + " |")
    report("|---|" + "---|" * len(engines))
    for key, label in (
        ("page", "search page work: search + total + facets + 24 priced products"),
        ("http", "whole search page through the test client (HTML rendered)"),
        ("raw", "raw full-text match, ranked top 24 (bm25 / ts_rank)"),
        ("suggest", "typeahead (backend)"),
        ("suggest_http", "typeahead endpoint through the test client"),
    ):
        report(
            f"| {label} | "
            + " | ".join(" / ".join(f"{value:.1f}" for value in results[e][key]) for e in engines)
            + " |"
        )
    report()
    report("| query kind | n | " + " | ".join(ENGINE_LABELS[e] for e in engines) + " |")
    report("|---|---|" + "---|" * len(engines))
    for kind in sorted(first["by_kind"]):
        report(
            f"| {kind} | {first['by_kind'][kind]['n']} | "
            + " | ".join(" / ".join(f"{v:.1f}" for v in results[e]["by_kind"][kind]["p"]) for e in engines)
            + " |"
        )
    report()
    same = [
        sum(1 for a, b in zip(results[engines[0]]["totals"], results[e]["totals"], strict=True) if a == b)
        for e in engines[1:]
    ]
    for engine, count in zip(engines[1:], same, strict=True):
        report(
            f"- Same total as {ENGINE_LABELS[engines[0]]} for {count} of {first['queries']} queries on "
            f"{ENGINE_LABELS[engine]} (stemmers and tokenizers differ: porter/unicode61 vs English snowball)"
        )
    if args.write:
        path = Path(__file__).resolve().parent / "results" / "search.md"
        previous = path.read_text() if path.exists() else ""
        marker = "<!-- runs -->"
        head, _sep, runs = previous.partition(marker) if marker in previous else (previous, "", "")
        path.write_text(head + marker + "\n\n" + "\n".join(lines) + "\n\n" + runs.lstrip("\n"))
    return 0


def engine_worker(args: argparse.Namespace) -> int:
    """Measure one engine (the database of this process's settings) and write the numbers as JSON."""
    import json

    os.environ["DJANGO_SETTINGS_MODULE"] = "openprocure.supplier.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from openprocure.supplier.catalog.generator import generate_catalog
    from openprocure.supplier.catalog.models import Product
    from openprocure.supplier.catalog.pricing import BusinessStrategy
    from openprocure.supplier.catalog.search import SearchQuery, get_backend
    from openprocure.supplier.catalog.search_fts5 import match_expression

    call_command("migrate", verbosity=0, skip_checks=True)
    existing = Product.objects.count()
    if existing < args.products:
        started = time.perf_counter()
        added = generate_catalog(products=args.products)
        generation = f"{added:,} products generated in {time.perf_counter() - started:.0f} s"
    else:
        generation = f"catalog already had {existing:,} products (generation not timed in this run)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            version = " ".join(cursor.fetchone()[0].split()[:2])
            cursor.execute(
                "SELECT pg_database_size(current_database()), pg_total_relation_size('catalog_pgsearch')"
            )
            size, index = cursor.fetchone()
        else:
            version = f"SQLite {connection.Database.sqlite_version}"
            database = Path(connection.settings_dict["NAME"])
            size = sum(path.stat().st_size for path in database.parent.glob(database.name + "*"))
            cursor.execute("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'catalog_fts%'")
            index = cursor.fetchone()[0]

    backend = get_backend()
    strategy = BusinessStrategy(business=True)
    mix = query_mix(args.queries)
    started = time.perf_counter()
    backend.search(query=SearchQuery(text="paper"))
    warm_up = time.perf_counter() - started

    def fastest(work) -> float:  # type: ignore[no-untyped-def]
        best = float("inf")
        for _run in range(args.repeat):
            started = time.perf_counter()
            work()
            best = min(best, time.perf_counter() - started)
        return best

    page_times: list[float] = []
    raw_times: list[float] = []
    http_times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    totals: list[int] = []
    broad = 0
    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(
        CATALOG_BUSINESS_FOR_REQUEST="openprocure.supplier.catalog.pricing.business_from_request"
    ):
        for kind, text, category in mix:
            outcome: list[tuple[int, bool]] = []

            def page_work(text: str = text, category: str = category, outcome: list = outcome) -> None:  # type: ignore[type-arg]
                result = backend.search(
                    query=SearchQuery(text=text, category=category, price_basis="business")
                )
                products = list(
                    Product.objects.filter(sales_rank__in=result.sales_ranks)
                    .select_related("seller")
                    .prefetch_related("price_tiers")
                )
                for product in products:
                    strategy.price_for(product, 1)
                outcome[:] = [(result.total, result.ranked_by == "popularity")]

            elapsed = fastest(page_work)
            page_times.append(elapsed)
            by_kind.setdefault(kind + (" + category" if category else ""), []).append(elapsed)
            totals.append(outcome[0][0])
            broad += outcome[0][1]
            if connection.vendor == "postgresql":
                raw_times.append(
                    fastest(
                        lambda text=text, category=category: backend.raw_match(
                            text=text, category=category, limit=24
                        )
                    )
                )  # type: ignore[attr-defined]
            else:
                expression = match_expression(SearchQuery(text=text, category=category))
                raw_times.append(
                    fastest(lambda expression=expression: backend.raw_match(expression=expression, limit=24))  # type: ignore[attr-defined]
                )
            params = {"q": text, **({"cat": category} if category else {})}
            started = time.perf_counter()
            response = client.get("/search/", params)
            http_times.append(time.perf_counter() - started)
            assert response.status_code == 200, (text, response.status_code)

    rng = random.Random(7)
    prefixes = []
    for _kind, text, _category in mix:
        word = text.split()[0]
        prefixes.append(word[: rng.randint(2, max(2, min(6, len(word))))])
    suggest_times = [
        fastest(lambda prefix=prefix: backend.suggest(prefix=prefix, limit=8)) for prefix in prefixes
    ]
    suggest_http: list[float] = []
    for prefix in prefixes:
        started = time.perf_counter()
        client.get("/search/suggest/", {"q": prefix})
        suggest_http.append(time.perf_counter() - started)

    numbers = {
        "products": Product.objects.count(),
        "version": version,
        "generation": generation,
        "size_mib": size / 2**20,
        "index_mib": index / 2**20,
        "warm_up_ms": warm_up * 1000,
        "queries": len(mix),
        "with_category": sum(1 for q in mix if q[2]),
        "broad": broad,
        "median_total": int(statistics.median(totals)),
        "totals": totals,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "page": percentiles(page_times),
        "http": percentiles(http_times),
        "raw": percentiles(raw_times),
        "suggest": percentiles(suggest_times),
        "suggest_http": percentiles(suggest_http),
        "by_kind": {kind: {"n": len(times), "p": percentiles(times)} for kind, times in by_kind.items()},
    }
    Path(args.json).write_text(json.dumps(numbers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
