"""``openprocure simulate`` refuses what it cannot run, with a reason and exit code 2.

The simulator itself is tested against both sites running as processes in
``tests/e2e/test_simulate.py``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.core import processes


def simulate(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = processes.child_env(OPENPROCURE_DATA_DIR=str(tmp_path))
    return subprocess.run(
        [*processes.OPENPROCURE, "simulate", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_no_site_answering_stops_the_run_with_the_reason(tmp_path: Path) -> None:
    port = processes.free_port()
    done = simulate(
        tmp_path,
        "--orders",
        "1",
        "--quiet",
        "--buyer-url",
        f"http://127.0.0.1:{port}",
        "--supplier-url",
        f"http://127.0.0.1:{port}",
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"\nopenprocure simulate: http://127.0.0.1:{port}/accounts/login/: ")
    assert "Connection refused" in done.stderr


def test_a_url_that_is_not_http_is_refused(tmp_path: Path) -> None:
    done = simulate(tmp_path, "--orders", "1", "--quiet", "--buyer-url", "file:///etc/passwd")
    assert done.returncode == 2
    assert done.stderr == "\nopenprocure simulate: 'file:///etc/passwd' is not an http(s) URL\n"


def test_at_least_one_order(tmp_path: Path) -> None:
    done = simulate(tmp_path, "--orders", "0")
    assert done.returncode == 2
    assert done.stderr == "openprocure simulate: --orders must be at least 1\n"


def test_help_names_every_option(tmp_path: Path) -> None:
    done = simulate(tmp_path, "--help")
    assert done.returncode == 0
    for option in (
        "--orders N",
        "--buyer-url",
        "--supplier-url",
        "--seed",
        "--cancel-share",
        "--dishonest K",
    ):
        assert option in done.stdout
