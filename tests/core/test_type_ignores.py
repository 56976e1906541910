"""Every ``# type: ignore`` in the source names its error code and says why."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
EXPLAINED = re.compile(r"# type: ignore\[[-a-z, ]+\]  # \S")


def unexplained(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "# type: ignore" in line and not EXPLAINED.search(line):
                found.append(f"{path.relative_to(root)}:{number}")
    return found


def test_every_type_ignore_says_why() -> None:
    assert unexplained(SRC) == []


def test_the_check_sees_an_ignore_without_a_reason(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "x = 1  # type: ignore\ny = 2  # type: ignore[misc]\nz = 3  # type: ignore[misc]  # the stubs lag\n"
    )
    assert unexplained(tmp_path) == ["a.py:1", "a.py:2"]
