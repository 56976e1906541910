"""Search backend (being written)."""

from openprocure.supplier.catalog.search import SearchBackend, SearchQuery, SearchResult, Suggestion


class SimpleSearchBackend(SearchBackend):
    def search(self, *, query: SearchQuery) -> SearchResult:
        return SearchResult(product_ids=[], total=0)

    def suggest(self, *, prefix: str, limit: int) -> list[Suggestion]:
        return []
