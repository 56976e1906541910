"""Shared test fixtures: where the interop corpus lives, and a skip when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INTEROP = Path(os.environ.get("OPENPROCURE_INTEROP", ROOT.parent / "shared" / "interop"))


def interop_dir() -> Path:
    """The interop corpus folder; skips the calling test with a clear reason when it is missing."""
    if not INTEROP.is_dir():
        pytest.skip(f"interop corpus not found at {INTEROP} (clone ../shared beside the project)")
    return INTEROP


@pytest.fixture
def interop() -> Path:
    return interop_dir()
