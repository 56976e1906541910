"""Every POST a page receives is read through a Django form: no view reads ``request.POST`` by hand.

A form types, bounds and reports each value beside its field; a hand read (``request.POST["x"]``,
``.get``, ``.getlist``, ``in request.POST``, a loop over it, or passing it to a helper that reads
it) does none of that. The scan below finds every use of ``<something>.POST`` in the source and
accepts only one shape: the whole ``request.POST`` given to a form or formset class (directly, or
as ``request.POST or None`` / ``request.POST if … else None``), or tested for being non-empty.

Protocol endpoints are the only exception: they parse documents a partner's system posts, whose
field names the protocol (not a form of ours) decides.
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "openprocure"

# (file relative to src/openprocure, function) -> why it reads the POST body itself.
PROTOCOL_ENDPOINTS = {
    (
        "core/cxml_endpoint.py",
        "read_body",
    ): "a cXML document posted as a cxml-urlencoded or cxml-base64 field",
    ("buyer/punchout/views.py", "cart_return"): (
        "the OCI or cXML cart a supplier's page posts: field names (NEW_ITEM-…[n]) are the protocol's"
    ),
    ("supplier/punchout/views.py", "oci_entry"): (
        "the OCI call-up: parameters named by the buyer's system, in any letter case, GET or POST"
    ),
}


def _is_form_class(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name.endswith(("Form", "FormSet", "form_class"))


def _accepted(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """``node`` (an ``….POST``) is handed whole to a form, or only tested for being non-empty."""
    child, parent = node, parents.get(node)
    while isinstance(parent, ast.BoolOp) or (isinstance(parent, ast.IfExp) and parent.test is not child):
        child, parent = parent, parents.get(parent)
    if isinstance(parent, ast.Call) and child is not parent.func:
        return _is_form_class(parent)
    if isinstance(parent, ast.keyword):
        call = parents.get(parent)
        return isinstance(call, ast.Call) and _is_form_class(call)
    if isinstance(parent, (ast.If, ast.IfExp)) and parent.test is child:
        return True
    return isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)


def _enclosing_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node.name
    return ""


def hand_reads() -> list[str]:
    """``file:line function`` of every use of ``….POST`` that is not a form's input."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr == "POST"):
                continue
            function = _enclosing_function(node, parents)
            if (relative, function) in PROTOCOL_ENDPOINTS or _accepted(node, parents):
                continue
            found.append((relative, node.lineno, function))
    return [f"{relative}:{line} {function}" for relative, line, function in sorted(found)]


def test_no_view_reads_the_post_body_by_hand() -> None:
    assert hand_reads() == []


def test_the_scan_finds_each_kind_of_hand_read(tmp_path: Path) -> None:
    source = """
def view(request):
    a = request.POST["a"]
    b = request.POST.get("b")
    c = request.POST.getlist("c")
    d = "d" in request.POST
    e = helper(request.POST)
    f = [k for k in request.POST]
    g = SomeForm(request.POST or None)
    h = SomeFormSet(request.POST if request.method == "POST" else None, prefix="x")
    i = OtherForm(data=request.POST)
    if request.POST:
        pass
"""
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    flagged = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "POST" and not _accepted(node, parents)
    ]
    assert sorted(flagged) == [3, 4, 5, 6, 7, 8]


def test_every_allowed_protocol_endpoint_still_exists() -> None:
    """An allowance for a function that is gone (renamed, moved) would hide nothing: remove it."""
    for relative, function in PROTOCOL_ENDPOINTS:
        tree = ast.parse((SOURCE / relative).read_text(encoding="utf-8"))
        names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert function in names, (relative, function)
