"""How the tests are laid out: no module imports from a ``test_*`` module.

Shared pytest fixtures live in ``conftest.py`` files and shared helpers in modules not named
``test_*`` (``tests/supplier/worlds.py``, ``tests/buyer/punchout_world.py``…). Importing from a test
module drags its tests' fixtures along under the importer's name, runs its module-level code twice
and makes one test file depend on another.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _is_test_module(dotted: str) -> bool:
    return dotted.rsplit(".", 1)[-1].startswith("test_")


def imports_from_test_modules(source: str, package: str) -> list[str]:
    """The ``test_*`` modules imported by ``source`` (a module of ``package``), in the order written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            if base and _is_test_module(base):
                found.append(base)
            else:
                found += [f"{base}.{alias.name}" for alias in node.names if _is_test_module(alias.name)]
    return found


def test_the_checker_finds_every_form_of_import_from_a_test_module() -> None:
    source = "\n".join(
        [
            "import tests.buyer.test_punchout",
            "from tests.supplier.test_orders import shop",
            "from tests.buyer import test_punchout, punchout_world",
            "from .test_business import make_operator",
            "from . import test_money",
            "def later():",
            "    from tests.core.test_mail import closed_port",
            "from tests.supplier.worlds import order_request",
            "from tests.buyer.fulfilment_world import make_po",
            "import pytest",
        ]
    )
    assert imports_from_test_modules(source, "tests.supplier") == [
        "tests.buyer.test_punchout",
        "tests.supplier.test_orders",
        "tests.buyer.test_punchout",
        "tests.supplier.test_business",
        "tests.supplier.test_money",
        "tests.core.test_mail",
    ]


def test_no_module_of_the_tests_imports_from_a_test_module() -> None:
    offences = {}
    for path in sorted(TESTS.rglob("*.py")):
        package = ".".join(path.relative_to(TESTS.parent).parent.parts)
        found = imports_from_test_modules(path.read_text(encoding="utf-8"), package)
        if found:
            offences[str(path.relative_to(TESTS.parent))] = found
    assert offences == {}
