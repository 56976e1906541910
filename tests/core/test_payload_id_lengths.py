"""A payloadID kept shorter than its column is cut at ``core.fields.PAYLOAD_ID_LENGTH``, never at a
number written again: a test that reads the source, as the column's length may change in one place."""

from __future__ import annotations

import re
from pathlib import Path

import openprocure

SOURCE = Path(openprocure.__file__).parent
#: A payloadID (or the payloadID a document refers to) given a value cut at a literal length:
#: ``payload_id=reference[:250],``, ``order.payload_id = (...)[:250]``, ``"payload_id": id[:250],``.
LITERAL_CUT = re.compile(r"\b(payload_id|document_reference)\"?\s*[=:]\s*[^,\n]*\[:\d+\],?\s*$")


def literal_cuts(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if LITERAL_CUT.search(line)]


def test_the_rule_finds_a_literal_cut_and_accepts_the_constant() -> None:
    source = (
        '    payload_id=(document.payload_id or "")[:250],\n    query=query[:250],\n'
        '    "payload_id": payload_id[:250],\n    return f"payloadID={parsed.payload_id} {text}"[:200]\n'
    )
    assert literal_cuts(source) == [
        'payload_id=(document.payload_id or "")[:250],',
        '"payload_id": payload_id[:250],',
    ]
    assert literal_cuts("    document_reference=reference[:PAYLOAD_ID_LENGTH],\n") == []


def test_no_payload_id_is_cut_at_a_literal_length() -> None:
    found = {
        str(path.relative_to(SOURCE)): cuts
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts and (cuts := literal_cuts(path.read_text(encoding="utf-8")))
    }
    assert found == {}
