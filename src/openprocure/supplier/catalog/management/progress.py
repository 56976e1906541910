"""A plain-text progress bar for management commands."""

from __future__ import annotations

from typing import Any


class ProgressBar:
    """Writes ``label [#####.....]  50% 5,000/10,000`` on one line, redrawn as work advances.

    On a terminal the line is redrawn in place; otherwise (logs, tests) one line per update.
    """

    width = 30

    def __init__(self, out: Any, *, total: int, label: str) -> None:
        self.out = out
        self.total = max(total, 0)
        self.label = label
        self.done = 0
        self.tty = bool(getattr(out, "isatty", lambda: False)())

    def advance(self, count: int) -> None:
        self.done = min(self.total, self.done + count)
        filled = self.width * self.done // self.total if self.total else self.width
        percent = 100 * self.done // self.total if self.total else 100
        line = f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% {self.done:,}/{self.total:,}"
        if self.tty:
            self.out.write("\r" + line, ending="")
            self.out.flush()
        else:
            self.out.write(line)

    def finish(self) -> None:
        if self.tty:
            self.out.write("")
