"""Run the real ``openprocure`` command in child processes, configured only by environment variables."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

OPENPROCURE = [sys.executable, "-m", "openprocure.cli"]
ROOT = Path(__file__).resolve().parents[2]

# Variables of the test process that must not leak into a child: the child is configured only by
# what each test passes.
_NOT_INHERITED = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "OPENPROCURE_DATA_DIR",
    "OPENPROCURE_TASKS_BACKEND",
    "OPENPROCURE_REDIS_URL",
    "OPENPROCURE_BIND",
)


def child_env(**variables: str) -> dict[str, str]:
    """The environment of a child ``openprocure`` process: ours minus site configuration, plus ``variables``."""
    env = {name: value for name, value in os.environ.items() if name not in _NOT_INHERITED}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")]))
    # The tests' fake partners listen on loopback, which a production site refuses to reach.
    env["OPENPROCURE_PARTNER_ALLOWED_NETWORKS"] = "127.0.0.0/8,::1"
    env.update(variables)
    return env


def run(args: list[str], env: dict[str, str], *, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``openprocure ARGS…`` to completion; fail with its output when it fails."""
    done = subprocess.run(
        [*OPENPROCURE, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    assert done.returncode == 0, f"openprocure {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``openprocure ARGS…`` in its own process group, output into ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [*OPENPROCURE, *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes], *, timeout: float = 20) -> None:
    """SIGTERM the process group (a warm shutdown), then SIGKILL what is left."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, logs: Sequence[Path] = ()
) -> None:
    """Poll ``condition`` until true; on timeout fail with the children's logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(site: str, data_dir: Path, **variables: str) -> Iterator[tuple[str, Path]]:
    """``openprocure serve SITE`` on a free port with a migrated database: yields (base URL, its log)."""
    port = free_port()
    env = child_env(OPENPROCURE_DATA_DIR=str(data_dir), OPENPROCURE_BIND=f"127.0.0.1:{port}", **variables)
    run([site, "migrate", "--noinput", "-v", "0"], env)
    log = data_dir / f"serve-{site}.log"
    server = start(["serve", site], env, log)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert server.poll() is None, log.read_text(errors="replace")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                return bool(response.status == 200)
        except OSError:  # refused, reset or timed out while the workers start
            return False

    try:
        wait_until(healthy, timeout=120, what=f"{site} to answer /healthz", logs=[log])
        yield url, log
    finally:
        stop(server)


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 2).close()
    except OSError:
        return False
    return True


def closed_port() -> int:
    """A local port where nothing listens: SMTP connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
