"""Spelling suggestion benchmark: vocabulary build, "Did you mean" latency and accuracy.

    .venv/bin/python benchmarks/bench_spelling.py --products 1000000 [--data-dir /tmp/bench] [--write]

Uses the supplier site's settings with its own data folder (embedded SQLite; the vocabulary and the
correction are the same code on PostgreSQL). Steps:

1. Generate the catalog up to ``--products`` (timed; skipped when already there), English and
   French titles.
2. Rebuild the typeahead table and the vocabulary (``services.rebuild_suggestions``), timed.
3. Load the vocabulary into memory (first correction after a catalog change), timed.
4. A seeded mix of misspellings of catalog words (a letter dropped, doubled, swapped with the next,
   or replaced), English and French: time of ``did_you_mean`` alone, and whether it gives back
   the word misspelt.
5. The whole search page for those misspelt queries (search, prefix retry, correction, the
   corrected search), through Django's test client.
6. ``correct_word`` against a synthetic vocabulary of ``--big-vocabulary`` random words, to see
   the cost for a catalog with many more distinct words than the generated one; and, for
   comparison, the standard library's ``difflib.get_close_matches`` over the same candidates.

Prints a Markdown report; ``--write`` also stores it in benchmarks/results/spelling.md.
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import resource
import statistics
import string
import sys
import time
from pathlib import Path


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000

    return at(0.50), at(0.95), at(0.99)


def misspell(word: str, rng: random.Random) -> str:
    """One typing mistake in ``word``."""
    position = rng.randrange(1, len(word))
    shape = rng.choice(("drop", "double", "swap", "replace"))
    if shape == "drop":
        return word[:position] + word[position + 1 :]
    if shape == "double":
        return word[:position] + word[position] + word[position:]
    if shape == "swap" and position < len(word) - 1:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    return word[:position] + rng.choice(string.ascii_lowercase) + word[position + 1 :]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--big-vocabulary", type=int, default=200_000)
    parser.add_argument(
        "--write", action="store_true", help="store the report in benchmarks/results/spelling.md"
    )
    args = parser.parse_args()

    root = Path(__file__).resolve().parent.parent
    data_dir = args.data_dir or str(root / "data" / f"bench-spelling-{args.products}")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    os.environ["OPENPROCURE_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "openprocure.supplier.settings"
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(root / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from openprocure.supplier.catalog import services, spelling
    from openprocure.supplier.catalog.generator import generate_catalog
    from openprocure.supplier.catalog.models import Product, SearchWord

    lines: list[str] = []

    def report(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    added = generate_catalog(products=args.products)
    generation = time.perf_counter() - started

    started = time.perf_counter()
    services.rebuild_suggestions()
    rebuild = time.perf_counter() - started

    vocabulary = spelling.Vocabulary()
    started = time.perf_counter()
    vocabulary.current()
    load = time.perf_counter() - started

    words = [word for word in SearchWord.objects.values_list("word", flat=True) if len(word) >= 5]
    rng = random.Random(2024)
    cases: list[tuple[str, str]] = []
    while len(cases) < args.queries:
        word = rng.choice(words)
        typo = misspell(word, rng)
        if spelling.fold(typo) not in vocabulary.words:
            cases.append((word, typo))

    timings: list[float] = []
    right = 0
    for word, typo in cases:
        started = time.perf_counter()
        corrected = vocabulary.correct(typo)
        timings.append(time.perf_counter() - started)
        right += corrected == word

    client = Client(HTTP_HOST="127.0.0.1")
    client.get("/search/", {"q": cases[0][1]})  # facet table and vocabulary loaded once
    pages: list[float] = []
    shown = 0
    for _word, typo in cases[:200]:
        started = time.perf_counter()
        response = client.get("/search/", {"q": typo})
        pages.append(time.perf_counter() - started)
        shown += b'class="did-you-mean"' in response.content

    big = spelling.Vocabulary()
    big_rng = random.Random(7)
    for _ in range(args.big_vocabulary):
        key = "".join(big_rng.choice(string.ascii_lowercase) for _ in range(big_rng.randint(4, 12)))
        big.words[key] = (key, 1)
    for key in big.words:
        big.by_length.setdefault(len(key), []).append(key)
    big_timings: list[float] = []
    for _word, typo in cases[:200]:
        started = time.perf_counter()
        big.correct_word(typo)
        big_timings.append(time.perf_counter() - started)
    difflib_timings: list[float] = []
    for _word, typo in cases[:50]:
        started = time.perf_counter()
        key = spelling.fold(typo)
        candidates = [other for n in range(len(key) - 2, len(key) + 3) for other in big.by_length.get(n, ())]
        difflib.get_close_matches(key, candidates, n=5, cutoff=0.8)
        difflib_timings.append(time.perf_counter() - started)

    report(f"## {Product.objects.count():,} products ({time.strftime('%Y-%m-%d')})")
    report()
    report(f"- Generation: {generation:.0f} s for {added:,} new products (French titles included).")
    report(
        f"- Vocabulary: {len(vocabulary.words):,} words (folded), rebuilt with the typeahead table in "
        f"{rebuild:.1f} s; loaded into memory in {load * 1000:.0f} ms."
    )
    report(f"- Peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB.")
    report()
    report("| measure | p50 | p95 | p99 | |")
    report("|---|---|---|---|---|")
    p50, p95, p99 = percentiles(timings)
    report(
        f"| `did_you_mean` alone, {len(cases)} misspelt words | {p50:.2f} ms | {p95:.2f} ms | {p99:.2f} ms "
        f"| gives back the word misspelt: {right / len(cases):.0%} |"
    )
    p50, p95, p99 = percentiles(pages)
    report(
        f"| search page for a misspelt word, {len(pages)} queries | {p50:.1f} ms | {p95:.1f} ms | {p99:.1f} ms "
        f"| suggestion shown: {shown / len(pages):.0%} |"
    )
    p50, p95, p99 = percentiles(big_timings)
    report(
        f"| `correct_word`, synthetic vocabulary of {len(big.words):,} words | {p50:.1f} ms | {p95:.1f} ms "
        f"| {p99:.1f} ms | mean {statistics.mean(big_timings) * 1000:.1f} ms |"
    )
    p50, p95, p99 = percentiles(difflib_timings)
    report(
        f"| `difflib.get_close_matches` instead, same vocabulary, {len(difflib_timings)} words | {p50:.1f} ms "
        f"| {p95:.1f} ms | {p99:.1f} ms | mean {statistics.mean(difflib_timings) * 1000:.1f} ms |"
    )
    report()
    if args.write:
        path = root / "benchmarks" / "results" / "spelling.md"
        marker = "<!-- runs -->"
        text = path.read_text() if path.exists() else ""
        head, _sep, runs = text.partition(marker)
        path.write_text(head + marker + "\n\n" + "\n".join(lines) + "\n" + runs.lstrip("\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
