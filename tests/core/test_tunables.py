"""Every tunable is declared once, in ``openprocure.core.tunables``, and read through ``tunable()``.

A test that reads the source (``ast``): it fails on an app's ``defaults`` module coming back, on
a tunable read as ``settings.NAME`` or ``getattr(settings, "NAME", …)`` (a site setting would apply
but not its declared default, or the reverse), on ``tunable("NAME")`` with a name not declared, and
on a tunable read at import (a module constant, a class attribute, a default argument), which a
setting changed later would not reach.
The ``openprocure`` command's own environment variables are its ``PROCESS_OPTIONS`` table, listed in
the operators' guide.
"""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import openprocure
from openprocure import cli
from openprocure.core.tunables import TUNABLES, tunable

SOURCE = Path(openprocure.__file__).parent
ROOT = SOURCE.parents[1]
#: The modules that turn environment variables into settings, and the declarations themselves.
SETTINGS_MODULES = frozenset(
    SOURCE / path
    for path in ("core/settings_base.py", "buyer/settings.py", "supplier/settings.py", "core/tunables.py")
)


def direct_reads(source: str, names: frozenset[str]) -> list[tuple[int, str]]:
    """(line, source) of every read of a tunable that bypasses ``tunable()``, and of every import of a
    ``defaults`` module."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.rsplit(".", 1)[-1] == "defaults" or any(a.name == "defaults" for a in node.names):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Import):
            if any(alias.name.rsplit(".", 1)[-1] == "defaults" for alias in node.names):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "settings" and node.attr in names:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
            args = node.args
            if (
                len(args) >= 2
                and isinstance(args[0], ast.Name)
                and args[0].id == "settings"
                and isinstance(args[1], ast.Constant)
                and args[1].value in names
            ):
                found.append((node.lineno, ast.unparse(node)))
    return found


def tunable_names_read(source: str) -> list[tuple[int, str]]:
    """(line, name) of every ``tunable("NAME")`` call with a literal name."""
    return [
        (node.lineno, node.args[0].value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "tunable"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def reads_at_import(source: str) -> list[int]:
    """Lines of ``tunable(…)`` calls run at import: at module or class level, or in a default argument
    (a setting changed later, or by ``override_settings``, would not reach them)."""
    found: list[int] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                for default in [*child.args.defaults, *child.args.kw_defaults]:
                    if default is not None:
                        visit(ast.Expression(default), in_function)
                for part in child.body if isinstance(child.body, list) else [child.body]:
                    visit(
                        ast.Module(body=[part], type_ignores=[]) if isinstance(part, ast.stmt) else part, True
                    )
            elif (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id == "tunable"
                and not in_function
            ):
                found.append(child.lineno)
            else:
                visit(child, in_function)

    visit(ast.parse(source), False)
    return found


def test_the_checker_finds_every_way_around_tunable() -> None:
    source = "\n".join(
        [
            "from openprocure.supplier.catalog import defaults",
            "from openprocure.buyer.spend.defaults import setting",
            "import openprocure.buyer.approvals.defaults",
            "size = settings.CATALOG_PAGE_SIZE",
            "rate = getattr(settings, 'VAT_RATE', 20)",
            "url = settings.PUBLIC_URL",  # a site setting, not a tunable
            "size = tunable('CATALOG_PAGE_SIZE')",
            "other = getattr(settings, 'OUTBOX_SECRET_LOOKUP', '')",
        ]
    )
    assert [line for line, _ in direct_reads(source, frozenset(TUNABLES))] == [1, 2, 3, 4, 5]
    assert tunable_names_read(source) == [(7, "CATALOG_PAGE_SIZE")]
    at_import = "\n".join(
        [
            "SIZE = tunable('CATALOG_PAGE_SIZE')",
            "class Form:",
            "    limit = tunable('PUNCHOUT_MAX_LINE_QUANTITY')",
            "def check(currency=tunable('ORDERS_DEFAULT_CURRENCY')):",
            "    return tunable('VAT_RATE')",
            "later = lambda: tunable('VAT_RATE')",
        ]
    )
    assert reads_at_import(at_import) == [1, 3, 4]


def test_no_app_has_a_defaults_module_and_no_code_reads_a_tunable_around_tunable() -> None:
    assert sorted(str(p.relative_to(SOURCE)) for p in SOURCE.rglob("defaults.py")) == []
    names = frozenset(TUNABLES)
    offenders = [
        f"{path.relative_to(SOURCE)}:{line}: {text}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path not in SETTINGS_MODULES and "migrations" not in path.parts
        for line, text in direct_reads(path.read_text(encoding="utf-8"), names)
    ]
    assert offenders == []
    at_import = [
        f"{path.relative_to(SOURCE)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path not in SETTINGS_MODULES
        for line in reads_at_import(path.read_text(encoding="utf-8"))
    ]
    assert at_import == []


def test_every_tunable_read_is_declared_with_a_reason() -> None:
    undeclared = [
        f"{path.relative_to(SOURCE)}:{line}: {name}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line, name in tunable_names_read(path.read_text(encoding="utf-8"))
        if name not in TUNABLES
    ]
    assert undeclared == []
    assert [
        name for name, declared in TUNABLES.items() if not declared.why.strip().endswith((".", ")"))
    ] == []
    assert [name for name in TUNABLES if not re.fullmatch(r"[A-Z][A-Z0-9_]+", name)] == []


def test_a_setting_of_the_same_name_wins_over_the_default(settings) -> None:  # type: ignore[no-untyped-def]
    assert tunable("CATALOG_PAGE_SIZE") == 24
    assert tunable("PUNCHOUT_SESSION_LIFETIME") == timedelta(hours=8)
    assert tunable("INVOICING_DEFAULT_TOLERANCE")["mode"] == "3way"
    settings.CATALOG_PAGE_SIZE = 12
    settings.PUNCHOUT_SESSION_LIFETIME = timedelta(minutes=5)
    assert (tunable("CATALOG_PAGE_SIZE"), tunable("PUNCHOUT_SESSION_LIFETIME")) == (12, timedelta(minutes=5))
    # The buyer settings read OPENPROCURE_PO_NUMBER_PATTERN into the setting of the same name.
    assert tunable("PO_NUMBER_PATTERN") == settings.PO_NUMBER_PATTERN
    settings.VAT_RATE = Decimal("5.5")
    assert tunable("VAT_RATE") == Decimal("5.5")


def test_a_name_that_is_not_declared_is_refused() -> None:
    with pytest.raises(
        KeyError, match=r"CATALOG_PAGESIZE is not a tunable declared in openprocure\.core\.tunables"
    ):
        tunable("CATALOG_PAGESIZE")


def test_the_command_reads_only_its_process_options_and_the_guide_lists_each() -> None:
    tree = ast.parse(Path(cli.__file__).read_text(encoding="utf-8"))
    environment_reads = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "getenv")
        and "environ" in ast.unparse(node.func.value) + ast.unparse(node.func)
    ]
    assert environment_reads == ["os.environ.get(name, table_default if default is None else default)"]
    guide = (ROOT / "docs" / "operators.md").read_text(encoding="utf-8")
    assert [name for name in cli.PROCESS_OPTIONS if f"`{name}`" not in guide] == []
    with pytest.raises(KeyError):
        cli.process_option("OPENPROCURE_WEB_WORKER")
