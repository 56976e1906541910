"""Both sites' WSGI entry points load every view module at start and keep start-up objects out of the collector."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, json, sys
frozen_before = gc.get_freeze_count()
module = __import__(sys.argv[1], fromlist=["application"])
print(json.dumps({
    "handler": type(module.application).__name__,
    "frozen_before": frozen_before,
    "frozen_after": gc.get_freeze_count(),
    "views_loaded": sys.argv[2] in sys.modules,
}))
"""


@pytest.mark.parametrize(
    ("site", "view_module"),
    [
        ("buyer", "openprocure.buyer.approvals.views"),
        ("supplier", "openprocure.supplier.punchout.views"),
    ],
)
def test_the_wsgi_application_is_warmed_and_frozen(tmp_path: Path, site: str, view_module: str) -> None:
    env = {
        **os.environ,
        "OPENPROCURE_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    answer = subprocess.run(
        [sys.executable, "-c", PROBE, f"openprocure.{site}.wsgi", view_module],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(answer.stdout.strip().splitlines()[-1])
    assert found["handler"] == "WSGIHandler"
    assert found["views_loaded"] is True
    assert found["frozen_before"] == 0
    assert found["frozen_after"] > 10_000
