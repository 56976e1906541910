"""``openprocure cxml``: validate, normalize and summarise cXML documents from the command line.

openprocure cxml validate FILE… [--dtd-dir DIR]
openprocure cxml normalize FILE… [--out-dir DIR]
openprocure cxml show FILE
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from punchout import cxml
from punchout.cxml.dtd import validate as dtd_validate
from punchout.cxml.errors import CXMLError
from punchout.cxml.limits import Limits
from punchout.cxml.review import REFUSED, Verdict, review


def _load(path: Path) -> tuple[cxml.ParseResult | None, str]:
    """Parse one file; returns the result, or None and the reason it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, f"cannot read: {error.strerror or error}"
    try:
        return cxml.parse(data, limits=_LOCAL), ""
    except CXMLError as error:
        where = f" at {error.path}" if error.path else ""
        return None, f"{error.status_code} {error.text}{where}: {error.message}"


#: Local files are trusted further than bodies from the network: every warning is listed.
_LOCAL = Limits(warnings=1_000_000)


def _review(path: Path) -> tuple[Verdict | None, str]:
    """The verdict on one file, or None and the reason it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, f"cannot read: {error.strerror or error}"
    return review(data, limits=_LOCAL), ""


def _refusal(verdict: Verdict) -> str:
    """Why a document is refused, in its own terms (a parse refusal keeps its cXML status)."""
    error = verdict.refusal
    assert error is not None
    where = f" at {error.path}" if error.path else ""
    if verdict.kind is None:
        return f"{error.status_code} {error.text}{where}: {error.message}"
    return f"{error.message} ({error.path})" if error.path else error.message


def _findings(verdict: Verdict) -> list[str]:
    return [f"{f.kind} [{f.code}] {f.path}: {f.message}" for f in verdict.findings if f.kind != REFUSED]


def validate(files: Sequence[Path], dtd_dir: Path | None, out: TextIO) -> int:
    """The verdict per file: refused, or OK with what normalize will forgive, keep, change and leave
    out (and the DTD's verdict on the file as it is, with ``--dtd-dir``)."""
    failures = 0
    for path in files:
        verdict, reason = _review(path)
        if verdict is None:
            failures += 1
            print(f"{path}: REJECTED — {reason}", file=out)
            continue
        lines = _findings(verdict)
        if verdict.refusal is not None:
            failures += 1
            print(f"{path}: REJECTED — {_refusal(verdict)}", file=out)
        else:
            print(f"{path}: OK ({verdict.kind}, {len(lines)} finding(s))", file=out)
        for line in lines:
            print(f"  {line}", file=out)
        if dtd_dir is not None and verdict.kind is not None:
            errors = dtd_validate(path.read_bytes(), dtd_dir)
            if errors:
                failures += 1
                print(f"  DTD: INVALID ({len(errors)} error(s))", file=out)
                for error in errors[:20]:
                    print(f"    {error}", file=out)
            else:
                print("  DTD: valid", file=out)
    return 1 if failures else 0


def normalize(files: Sequence[Path], out_dir: Path | None, out: TextIO, err: TextIO) -> int:
    """Re-emit each document strictly, to stdout for one file, to ``out_dir`` for several; what was
    forgiven, kept, changed or left out is printed on ``err`` (the same lines as ``validate``)."""
    if len(files) > 1 and out_dir is None:
        print("normalize: give --out-dir DIR when normalizing several files.", file=err)
        return 2
    failures = 0
    for path in files:
        verdict, reason = _review(path)
        if verdict is None:
            failures += 1
            print(f"{path}: cannot normalize — {reason}", file=err)
            continue
        for line in _findings(verdict):
            print(f"{path}: {line}", file=err)
        if verdict.output is None:
            failures += 1
            print(f"{path}: cannot normalize — {_refusal(verdict)}", file=err)
            continue
        body = verdict.output
        if out_dir is None:
            sys.stdout.buffer.write(body) if out is sys.stdout else out.write(body.decode("utf-8"))
        else:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / path.name).write_bytes(body)
            print(f"{path} -> {out_dir / path.name}", file=err)
    return 1 if failures else 0


def _plain(value: Any, depth: int = 0) -> Any:
    """Turn dataclasses into readable nested dicts, hiding secrets and empty fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {}
        for field in dataclasses.fields(value):
            if "secret" in field.name.lower() or field.name == "source":
                continue
            item = _plain(getattr(value, field.name), depth + 1)
            if item not in (None, "", [], {}, ()):
                result[field.name] = item
        return result
    if isinstance(value, list | tuple):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _print_tree(value: Any, out: TextIO, indent: int = 0) -> None:
    pad = "  " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                print(f"{pad}{key}:", file=out)
                _print_tree(item, out, indent + 1)
            else:
                print(f"{pad}{key}: {item}", file=out)
    elif isinstance(value, list):
        for index, item in enumerate(value, 1):
            if isinstance(item, dict | list):
                print(f"{pad}- #{index}", file=out)
                _print_tree(item, out, indent + 1)
            else:
                print(f"{pad}- {item}", file=out)
    else:
        print(f"{pad}{value}", file=out)


def show(path: Path, out: TextIO) -> int:
    """A readable summary of one document (shared secrets never shown)."""
    result, reason = _load(path)
    if result is None:
        print(f"{path}: REJECTED — {reason}", file=out)
        return 1
    document = result.document
    print(
        f"{document.kind}  payloadID={document.payload_id or '-'}  timestamp={document.timestamp or '-'}",
        file=out,
    )
    if document.header is not None:
        for label, party in (
            ("From", document.header.from_),
            ("To", document.header.to),
            ("Sender", document.header.sender),
        ):
            credentials = getattr(party, "credentials", party) or []
            ids = ", ".join(f"{c.domain}:{c.identity}" for c in credentials)
            print(f"{label}: {ids or '-'}", file=out)
    if document.deployment_mode:
        print(f"deploymentMode: {document.deployment_mode}", file=out)
    _print_tree(_plain(document.message), out)
    for warning in result.warnings:
        print(f"warning [{warning.code}] {warning.path}: {warning.message}", file=out)
    return 0


def main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(prog="openprocure cxml", description="cXML tools")
    commands = parser.add_subparsers(dest="command", required=True)
    p_validate = commands.add_parser(
        "validate",
        help="our verdict per file: what normalize forgives, keeps, changes, leaves out or refuses",
    )
    p_validate.add_argument("files", nargs="+", type=Path)
    p_validate.add_argument("--dtd-dir", type=Path, help="also validate against the DTD the document names")
    p_normalize = commands.add_parser("normalize", help="re-emit each document strictly, saying what changed")
    p_normalize.add_argument("files", nargs="+", type=Path)
    p_normalize.add_argument("--out-dir", type=Path)
    p_show = commands.add_parser("show", help="a readable summary")
    p_show.add_argument("file", type=Path)
    args = parser.parse_args(list(argv))
    if args.command == "validate":
        return validate(args.files, args.dtd_dir, out)
    if args.command == "normalize":
        return normalize(args.files, args.out_dir, out, err)
    return show(args.file, out)
