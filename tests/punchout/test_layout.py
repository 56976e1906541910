"""The architecture's boundaries, checked on the source: who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def imported_modules(path: Path) -> set[str]:
    """Every module name an import statement of the file names (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    files = sorted((SRC / package.replace(".", "/")).rglob("*.py"))
    assert files, f"no Python files under {package}"
    for path in files:
        for name in imported_modules(path):
            if name == forbidden or name.startswith(forbidden):
                found.append(f"{path.relative_to(SRC)} imports {name}")
    return found


def test_punchout_never_imports_django() -> None:
    assert offenders("punchout", ("django", "openprocure")) == []


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        pytest.param("openprocure.buyer", ("openprocure.supplier",), id="buyer-not-supplier"),
        pytest.param("openprocure.supplier", ("openprocure.buyer",), id="supplier-not-buyer"),
        pytest.param("openprocure.core", ("openprocure.buyer", "openprocure.supplier"), id="core-not-sites"),
        # The loop simulator meets both sites over HTTP only, as their people and systems do.
        pytest.param(
            "openprocure.simulate",
            ("openprocure.buyer", "openprocure.supplier", "openprocure.core", "django"),
            id="simulator-http-only",
        ),
    ],
)
def test_sites_never_import_each_other(package: str, forbidden: tuple[str, ...]) -> None:
    assert offenders(package, forbidden) == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("import os\nfrom django.db import models\nfrom . import sibling\n")
    assert imported_modules(sample) == {"os", "django.db"}
