"""In-memory copies of catalog data that each process keeps and reloads when the catalog changes."""

from __future__ import annotations

import threading


class CatalogCopy:
    """Data drawn from the catalog into this process's memory, reloaded when ``CatalogVersion``
    changes (every catalog write sets a new random version), so a process never answers from stale
    data. A subclass reads its data in ``_load``; ``refresh`` reloads it when the version moved."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.lock = threading.Lock()

    def refresh(self, cursor) -> None:
        """Reload when the catalog's version is not the one loaded (once, however many threads ask)."""
        cursor.execute("SELECT version FROM catalog_catalogversion WHERE id = 1")
        row = cursor.fetchone()
        version = row[0] if row else 0
        if version != self.version:
            with self.lock:
                if version != self.version:
                    self._load(cursor)
                    self.version = version

    def _load(self, cursor) -> None:
        raise NotImplementedError
