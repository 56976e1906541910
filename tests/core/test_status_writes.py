"""Every status is written by ``core.status``: a test that reads the source for any other write.

A status assigned past its transition table is the second mechanism the design warns about; this
test finds one by reading the code (``ast``), so it fails the day someone writes
``order.status = …``, ``queryset.update(status=…)``, ``bulk_update(rows, ["status"])`` or
``setattr(obj, "status", …)`` outside ``src/openprocure/core/status.py``.

Creating an object in its initial status through constructor keyword arguments
(``Model.objects.create(status=…)``) is not a move and is not looked for.
"""

from __future__ import annotations

import ast
from pathlib import Path

import openprocure

SOURCE = Path(openprocure.__file__).parent
#: The status fields of both sites (``status`` on most models, ``state`` on an order line's fulfilment).
STATUS_FIELDS = frozenset({"status", "state"})
#: The one module allowed to write them.
HELPER = SOURCE / "core" / "status.py"
#: (path relative to src/openprocure, the offending source text) -> why it is allowed. Empty: keep it so.
ALLOWED: dict[tuple[str, str], str] = {}


def _constant_names(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def status_writes(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, source) of every write of a status field in ``tree`` that does not go through the helper."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for element in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                if isinstance(element, ast.Attribute) and element.attr in STATUS_FIELDS:
                    found.append((node.lineno, ast.unparse(node)))
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Attribute) and function.attr == "update":
            if any(keyword.arg in STATUS_FIELDS for keyword in node.keywords):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(function, ast.Attribute) and function.attr == "bulk_update":
            fields = node.args[1] if len(node.args) > 1 else None
            fields = next((k.value for k in node.keywords if k.arg == "fields"), fields)
            if fields is not None and _constant_names(fields) & STATUS_FIELDS:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(function, ast.Name) and function.id == "setattr" and len(node.args) >= 2:
            if _constant_names(node.args[1]) & STATUS_FIELDS:
                found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_status_is_written_outside_core_status() -> None:
    offending = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path == HELPER or "migrations" in path.parts:
            continue
        relative = str(path.relative_to(SOURCE))
        for line, source in status_writes(ast.parse(path.read_text(encoding="utf-8"))):
            if (relative, source) not in ALLOWED:
                offending.append(f"{relative}:{line}: {source}")
    assert offending == []


def test_every_allowed_write_still_exists_and_says_why() -> None:
    for (relative, source), reason in ALLOWED.items():
        assert reason.strip(), f"{relative}: {source} needs a reason"
        writes = {text for _line, text in status_writes(ast.parse((SOURCE / relative).read_text()))}
        assert source in writes, f"{relative} no longer has {source}: remove it from ALLOWED"


SAMPLE = """
order.status = "sent"
order.state, other = "open", 1
rows.filter(pk=1).update(status="closed", note="x")
Model.objects.bulk_update(rows, ["state", "updated_at"])
Model.objects.bulk_update(rows, fields=("status",))
setattr(order, "status", "paid")
Model.objects.create(status="draft")
order.status_code = 200
rows.update(status_code=200)
setattr(order, name, value)
"""


def test_the_scan_finds_each_kind_of_write_and_nothing_else() -> None:
    assert status_writes(ast.parse(SAMPLE)) == [
        (2, "order.status = 'sent'"),
        (3, "order.state, other = ('open', 1)"),
        (4, "rows.filter(pk=1).update(status='closed', note='x')"),
        (5, "Model.objects.bulk_update(rows, ['state', 'updated_at'])"),
        (6, "Model.objects.bulk_update(rows, fields=('status',))"),
        (7, "setattr(order, 'status', 'paid')"),
    ]
