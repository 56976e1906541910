"""No first-party import inside a function: a test that reads the source (``ast``).

An import of ``openprocure`` or ``punchout`` inside a function usually dodges an import cycle; the
cycle is then fixed instead (a hook, a module of its own, a model beside the ones it serves). Two
kinds of function may import: an ``AppConfig.ready()`` (it registers an app's handlers and hooks
once the registry is ready) and the command line's lazy entry points, listed below with why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import openprocure
import punchout

SOURCES = {"openprocure": Path(openprocure.__file__).parent, "punchout": Path(punchout.__file__).parent}
FIRST_PARTY = frozenset(SOURCES)
#: (path under src/, function) -> why it imports there. Keep it to command-line entry points.
ALLOWED: dict[tuple[str, str], str] = {
    ("openprocure/cli.py", "main"): "the `cxml` and `simulate` subcommands load their tools only when run",
    ("openprocure/cli.py", "give_history"): "the demo loads the simulator only when asked for a history",
    ("openprocure/core/management/commands/worker.py", "worker_for_backend"): (
        "`openprocure worker` on RQ: rq_workers needs the optional `rq` extra, loaded only on that backend"
    ),
}


def imports_in_functions(source: str) -> list[tuple[int, str, str]]:
    """(line, enclosing function, module) of every first-party import inside a function, except in
    an ``AppConfig.ready()`` (a ``ready`` method of a class)."""
    found: list[tuple[int, str, str]] = []

    def visit(node: ast.AST, function: str | None, in_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                allowed = in_class and child.name == "ready"
                visit(child, None if allowed else child.name, False)
            elif isinstance(child, ast.ClassDef):
                visit(child, function, function is None)
            elif isinstance(child, (ast.Import, ast.ImportFrom)) and function is not None:
                modules = (
                    [alias.name for alias in child.names]
                    if isinstance(child, ast.Import)
                    else [("." * child.level) + (child.module or "")]
                )
                for module in modules:
                    if module.startswith(".") or module.split(".")[0] in FIRST_PARTY:
                        found.append((child.lineno, function, module))
            else:
                visit(child, function, in_class)

    visit(ast.parse(source), None, False)
    return found


def test_the_checker_finds_imports_in_functions_and_methods_but_not_in_ready() -> None:
    source = "\n".join(
        [
            "from openprocure.core import outbox",
            "import json",
            "def send():",
            "    from openprocure.core.tasks import deliver_outbox_message",
            "    import json",
            "    if True:",
            "        import punchout.cxml",
            "class Config:",
            "    def ready(self):",
            "        from openprocure.buyer.approvals import hooks",
            "    def other(self):",
            "        from . import services",
            "def outer():",
            "    def inner():",
            "        from punchout.money import quantize_money",
            "def ready():",
            "    from openprocure.core import mail",
        ]
    )
    assert imports_in_functions(source) == [
        (4, "send", "openprocure.core.tasks"),
        (7, "send", "punchout.cxml"),
        (12, "other", "."),
        (15, "inner", "punchout.money"),
        (17, "ready", "openprocure.core"),
    ]


def test_no_first_party_import_inside_a_function() -> None:
    found = {}
    for root in SOURCES.values():
        for path in sorted(root.rglob("*.py")):
            where = str(path.relative_to(root.parent))
            for line, function, module in imports_in_functions(path.read_text(encoding="utf-8")):
                found.setdefault((where, function), []).append(f"{line}: {module}")
    offenders = {key: lines for key, lines in found.items() if key not in ALLOWED}
    assert offenders == {}
    # Every exception is still needed (remove it with the import).
    assert sorted(set(ALLOWED) - set(found)) == []
