"""``openprocure demo --help`` prints help and starts nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.core import processes


def test_demo_help_prints_help_and_starts_nothing(tmp_path: Path) -> None:
    env = processes.child_env(OPENPROCURE_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [*processes.OPENPROCURE, "demo", "--help"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout.startswith(
        "usage: openprocure demo [--products N] [--history N] [--einvoicing-platform]\n"
    )
    assert "-h, --help     show this help and start nothing" in done.stdout
    assert done.stderr == ""
    # Nothing was migrated, seeded or started: the data folder is untouched.
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_option_is_refused_without_starting_anything(tmp_path: Path) -> None:
    env = processes.child_env(OPENPROCURE_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [*processes.OPENPROCURE, "demo", "--port", "9000"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("openprocure demo: unexpected arguments --port 9000\n")
    assert list(tmp_path.iterdir()) == []


def test_a_history_that_is_not_a_number_is_refused_without_starting_anything(tmp_path: Path) -> None:
    env = processes.child_env(OPENPROCURE_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [*processes.OPENPROCURE, "demo", "--history", "many"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("openprocure demo: unexpected arguments --history many\n")
    assert list(tmp_path.iterdir()) == []
