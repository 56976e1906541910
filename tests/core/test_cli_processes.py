"""``openprocure serve SITE`` and ``openprocure worker SITE`` configured only by environment variables."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.core import processes

pytestmark = pytest.mark.slow


def test_serve_supplier_answers_healthz_on_the_bound_port(tmp_path: Path) -> None:
    port = processes.free_port()
    env = processes.child_env(
        OPENPROCURE_DATA_DIR=str(tmp_path),
        OPENPROCURE_BIND=f"127.0.0.1:{port}",
        OPENPROCURE_WEB_WORKERS="1",
        OPENPROCURE_WEB_THREADS="2",
    )
    log = tmp_path / "serve.log"
    server = processes.start(["serve", "supplier"], env, log)
    answers: list[tuple[int, dict[str, str]]] = []

    def healthy() -> bool:
        assert server.poll() is None, log.read_text(errors="replace")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                answers.append((response.status, json.loads(response.read())))
                return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            # not listening yet, or still loading the site on its first request (slow on a busy machine)
            return False

    try:
        processes.wait_until(healthy, timeout=120, what="/healthz to answer", logs=[log])
    finally:
        processes.stop(server)
    assert answers == [(200, {"status": "ok", "site": "supplier"})]
    # The scratch data folder holds this site's SQLite database and generated secret key.
    assert (tmp_path / "supplier" / "db.sqlite3").exists()
    assert (tmp_path / "supplier" / ".secret_key").stat().st_mode & 0o077 == 0
    assert "GET /healthz" in log.read_text(errors="replace")


def test_worker_refuses_a_backend_it_cannot_run(tmp_path: Path) -> None:
    env = processes.child_env(
        OPENPROCURE_DATA_DIR=str(tmp_path),
        OPENPROCURE_TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
    )
    done = subprocess.run(
        [*processes.OPENPROCURE, "worker", "buyer"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "CommandError: The task backend django_tasks.backends.immediate.ImmediateBackend has no worker "
        "this command can start. Set OPENPROCURE_TASKS_BACKEND to django_tasks_db.DatabaseBackend or "
        "django_tasks_rq.RQBackend."
    )
