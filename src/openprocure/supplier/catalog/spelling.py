"""Spelling suggestions ("Did you mean: stapler?") drawn from the catalog's own vocabulary.

The vocabulary is the ``SearchWord`` table (every word of the English and French titles and of the
brands, with how many products use it, see ``services.rebuild_suggestions``). Each process keeps it
in memory, folded (lower case, accents removed), grouped by length, and reloads it when
``CatalogVersion`` changes, like the facet table.

A query word is corrected when it has 3 letters or more, is not a vocabulary word and vocabulary
words at most 2 letters longer or shorter are close to it: RapidFuzz's ``fuzz.ratio`` (the
normalised Indel similarity, what ``difflib``'s ratio approximates) at least
``CATALOG_SPELLING_CUTOFF``. The closest wins, then the most used. Words with digits, short words
and known words are kept as typed.

Measured in ``benchmarks/bench_spelling.py`` (``benchmarks/results/spelling.md``): the standard
library's ``difflib.get_close_matches`` was fast enough for the generated catalog's vocabulary (under
a thousand words) but took close to a second per word against 200,000 words, what a real catalog
of a million products can hold; RapidFuzz (compiled, one-to-many with a score cut-off) was about
ten times faster there, and answers in hundredths of a millisecond on the generated catalog.
"""

from __future__ import annotations

import unicodedata

from django.db import connection
from rapidfuzz import fuzz, process

from openprocure.core.tunables import tunable
from openprocure.supplier.catalog.versioned import CatalogCopy


def fold(text: str) -> str:
    """``text`` lower-cased without accents ("Café" → "cafe"), for comparing words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Vocabulary(CatalogCopy):
    """The catalog's words in memory: folded word → (word as stored, products using it)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: dict[str, tuple[str, int]] = {}
        self.by_length: dict[int, list[str]] = {}

    def current(self) -> Vocabulary:
        with connection.cursor() as cursor:
            self.refresh(cursor)
        return self

    def _load(self, cursor) -> None:
        words: dict[str, tuple[str, int]] = {}
        # Most used first: of the spellings folding to one key ("café", "cafe") the most used is shown.
        cursor.execute("SELECT word, products FROM catalog_searchword ORDER BY products DESC, word")
        for word, products in cursor.fetchall():
            key = fold(word)
            shown, total = words.get(key, (word, 0))
            words[key] = (shown, total + products)
        by_length: dict[int, list[str]] = {}
        for key in words:
            by_length.setdefault(len(key), []).append(key)
        self.words, self.by_length = words, by_length

    def correct_word(self, word: str) -> str | None:
        """The vocabulary word ``word`` was probably meant to be, or None (known, or nothing close)."""
        key = fold(word)
        if len(key) < 3 or not key.isalpha() or key in self.words:
            return None
        cutoff = float(tunable("CATALOG_SPELLING_CUTOFF")) * 100
        close: list[tuple[float, int, str]] = []
        for length in range(len(key) - 2, len(key) + 3):
            bucket = self.by_length.get(length)
            if bucket:
                for other, score, _index in process.extract(
                    key, bucket, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5
                ):
                    close.append((round(score, 3), self.words[other][1], other))
        if not close:
            return None
        # The closest, then the most used, then the first alphabetically (a stable choice).
        best = min(close, key=lambda found: (-found[0], -found[1], found[2]))
        return self.words[best[2]][0]

    def correct(self, text: str) -> str | None:
        """``text`` with its misspelt words replaced, or None when there is nothing to change."""
        changed = False
        words: list[str] = []
        for word in text.split():
            stripped = word.strip(".,;:!?\"'()[]")
            better = self.correct_word(stripped) if stripped else None
            if better is not None:
                changed = True
                words.append(better)
            else:
                words.append(word)
        return " ".join(words) if changed else None


VOCABULARY = Vocabulary()


def did_you_mean(text: str) -> str | None:
    """The visitor's ``text`` spelt with the catalog's words, or None when it already is."""
    return VOCABULARY.current().correct(text)
