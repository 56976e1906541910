"""Fixtures for tests that run both sites as real processes and drive Debian's Chromium.

The sites are started exactly as a person starts them: ``openprocure demo`` (migrate, seed, gunicorn
for each site, a task worker per site), on free ports and a scratch data folder.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(url: str, deadline: float) -> dict[str, str]:
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return dict(json.loads(answer.read()))
        except OSError as error:
            last = error
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in time: {last}")


def wait_for(path: Path, pattern: str, seconds: float = 120) -> list[Path]:
    """The files of ``path`` matching ``pattern``, once there are some (a site's worker writes them)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = sorted(path.glob(pattern))
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"nothing matching {pattern} in {path} after {seconds:.0f} s")


@dataclass
class Demo:
    """A running ``openprocure demo``."""

    process: subprocess.Popen[bytes] | None
    buyer_url: str
    supplier_url: str
    data_dir: Path
    log_path: Path

    def mail_files(self, site: str) -> list[Path]:
        return sorted((self.data_dir / site / "mail").glob("*.log"))

    def stop(self) -> int:
        if self.process is None:  # a demo started by someone else: leave it running
            return 0
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait()


def start_demo(data_dir: Path, *, products: int = 400, options: tuple[str, ...] = ()) -> Demo:
    buyer_port, supplier_port = free_port(), free_port()
    env = dict(
        os.environ,
        OPENPROCURE_DATA_DIR=str(data_dir),
        OPENPROCURE_BUYER_PORT=str(buyer_port),
        OPENPROCURE_SUPPLIER_PORT=str(supplier_port),
        # The spend dashboards read a summary the worker rebuilds; every 600 s by default, too slow
        # for a test that follows one order to the dashboard.
        OPENPROCURE_SPEND_REFRESH_SECONDS="15",
    )
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL"):
        env.pop(name, None)
    log_path = data_dir / "demo.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "openprocure.cli", "demo", "--products", str(products), *options],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    demo = Demo(
        process, f"http://127.0.0.1:{buyer_port}", f"http://127.0.0.1:{supplier_port}", data_dir, log_path
    )
    try:
        deadline = time.monotonic() + 240
        wait_for_health(f"{demo.buyer_url}/healthz", deadline)
        wait_for_health(f"{demo.supplier_url}/healthz", deadline)
    except AssertionError:
        demo.stop()
        raise AssertionError("demo did not start:\n" + log_path.read_text(errors="replace")[-4000:]) from None
    return demo


def running_demo() -> Demo | None:
    """A demo already started by hand, named by ``OPENPROCURE_E2E_DEMO=<buyer URL>,<storefront URL>,<data dir>``.

    Handy while writing a browser test (no two-minute start per run). Start it like ``start_demo``
    does (``OPENPROCURE_SPEND_REFRESH_SECONDS=15``, output in ``<data dir>/demo.log``). Its data
    carries over between runs: figures that add up every order (the whole loop's spend per cost
    center) hold only on the first run.
    """
    named = os.environ.get("OPENPROCURE_E2E_DEMO")
    if not named:
        return None
    buyer_url, supplier_url, data_dir = named.split(",")
    demo = Demo(
        None, buyer_url.rstrip("/"), supplier_url.rstrip("/"), Path(data_dir), Path(data_dir) / "demo.log"
    )
    wait_for_health(f"{demo.buyer_url}/healthz", time.monotonic() + 10)
    wait_for_health(f"{demo.supplier_url}/healthz", time.monotonic() + 10)
    return demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    running = running_demo() or start_demo(tmp_path_factory.mktemp("demo"))
    yield running
    running.stop()


def chromium_path() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    raise AssertionError(
        "Debian's chromium is not installed: `apt-get install chromium` (./run-tests does it)"
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    """A folder named after the test, for step-by-step screenshots."""
    folder = ARTIFACTS / "screenshots" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
