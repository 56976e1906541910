"""``openprocure demo`` as a person runs it: both sites come up under gunicorn, and Ctrl-C stops all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, deadline: float) -> dict[str, str]:
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return json.loads(answer.read())
        except OSError as error:
            last = error
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in time: {last}")


def port_is_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_demo_starts_both_sites_and_stops_cleanly(tmp_path: Path) -> None:
    buyer_port, supplier_port = free_port(), free_port()
    env = dict(
        os.environ,
        OPENPROCURE_DATA_DIR=str(tmp_path),
        OPENPROCURE_BUYER_PORT=str(buyer_port),
        OPENPROCURE_SUPPLIER_PORT=str(supplier_port),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "openprocure.cli", "demo", "--products", "300"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        assert wait_for(f"http://127.0.0.1:{buyer_port}/healthz", deadline) == {
            "status": "ok",
            "site": "buyer",
        }
        assert wait_for(f"http://127.0.0.1:{supplier_port}/healthz", deadline) == {
            "status": "ok",
            "site": "supplier",
        }
        with urllib.request.urlopen(f"http://127.0.0.1:{buyer_port}/accounts/login/", timeout=5) as page:
            assert page.status == 200
            assert b'name="username"' in page.read()
        with urllib.request.urlopen(
            f"http://127.0.0.1:{supplier_port}/static/openprocure/site.css", timeout=5
        ) as css:
            assert css.status == 200
        assert (tmp_path / "buyer" / "db.sqlite3").exists()
        assert (tmp_path / "supplier" / "db.sqlite3").exists()
    finally:
        os.killpg(process.pid, signal.SIGINT) if process.poll() is None else None
        output, _ = process.communicate(timeout=60)
    text = output.decode("utf-8", "replace")
    assert process.returncode == 0, text[-3000:]
    assert (
        f"  Buyer suite   http://127.0.0.1:{buyer_port}   requester@acme.test, approver@acme.test, "
        "admin@acme.test, ap@acme.test\n"
        f"  Storefront    http://127.0.0.1:{supplier_port}   operator@marketplace.test, support@marketplace.test\n"
    ) in text
    assert "Stopped." in text
    assert port_is_closed(buyer_port) and port_is_closed(supplier_port)
