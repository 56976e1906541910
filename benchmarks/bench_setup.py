"""Benchmark: PunchOutSetupRequest under load against a running storefront (results in results/setup.md).

Starts gunicorn on a free 127.0.0.1 port with a fresh, seeded data folder (demo businesses), then
drives ``POST /cxml/`` with a real setup request (Acme Industries, documented demo secret) from
20 concurrent clients for 60 s. Goal: zero errors and p99 ≤ 100 ms. Every answer must be a
PunchOutSetupResponse with Status 200; each one opened a session, journaled request and answer.

Uses ``wrk`` (``apt-get install wrk``) when present, else a bounded pool of Python threads with
keep-alive connections (the Python client shares the two cores with the server, so it reads higher).

    .venv/bin/python benchmarks/bench_setup.py [--duration 60] [--clients 20] [--workers 4] [--tool auto]
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
VENV = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "results" / "setup.md"


def setup_body() -> bytes:
    from punchout import cxml

    document = cxml.CXML(
        message=cxml.PunchOutSetupRequest(
            buyer_cookie="bench-cookie",
            operation=cxml.PunchOutOperation.CREATE,
            browser_form_post_url="http://127.0.0.1:8000/punchout/return/bench",
            extrinsics=[
                cxml.Extrinsic("UserEmail", "admin@acme.test"),
                cxml.Extrinsic("UserBusinessUnit", "Bench"),
            ],
        ),
        payload_id=cxml.new_payload_id("buyer.bench"),
        timestamp=datetime.now(UTC).replace(microsecond=0),
        header=cxml.make_header(
            from_=[cxml.Credential("NetworkId", "ACME")],
            to=[cxml.Credential("NetworkId", "MARKETPLACE")],
            sender=[cxml.Credential("NetworkId", "ACME", "acme-demo-secret")],
            user_agent="bench_setup",
        ),
    )
    return cxml.build(document)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(env: dict[str, str]) -> None:
    python = str(VENV / "python")
    subprocess.run([python, "-m", "django", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [python, "-m", "django", "seed_demo", "--products", "200"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


def check_answer(body: bytes) -> bool:
    return b"<PunchOutSetupResponse>" in body and b'<Status code="200"' in body


WRK_SCRIPT = """
local body_file = io.open(os.getenv("BENCH_BODY"), "rb")
wrk.method = "POST"
wrk.body = body_file:read("*a")
body_file:close()
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "<PunchOutSetupResponse>", 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total_bad = 0
  for _, t in ipairs(threads) do total_bad = total_bad + t:get("bad") end
  io.write(string.format("BAD_ANSWERS %d\\n", total_bad))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("PCT %g %.3f\\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("MAX %.3f\\nCOUNT %d\\nERRS %d\\n", latency.max / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
"""


def run_wrk(port: int, body: bytes, duration: int, clients: int, workdir: Path) -> dict[str, float]:
    script = workdir / "setup.lua"
    script.write_text(WRK_SCRIPT)
    body_path = workdir / "body.xml"
    body_path.write_bytes(body)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/cxml/",
        ],
        env={**os.environ, "BENCH_BODY": str(body_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pct = {float(p): float(v) for p, v in re.findall(r"^PCT ([\d.]+) ([\d.]+)$", out, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    return {
        "requests": int(re.search(r"^COUNT (\d+)$", out, re.M)[1]),
        "errors": int(re.search(r"^ERRS (\d+)$", out, re.M)[1])
        + int(re.search(r"^BAD_ANSWERS (\d+)$", out, re.M)[1]),
        "rps": rps,
        "p50": pct[50.0],
        "p90": pct[90.0],
        "p99": pct[99.0],
        "p999": pct[99.9],
        "max": float(re.search(r"^MAX ([\d.]+)$", out, re.M)[1]),
    }


def run_threads(port: int, body: bytes, duration: int, clients: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request("POST", "/cxml/", body, {"Content-Type": "text/xml; charset=utf-8"})
                reply = conn.getresponse()
                data = reply.read()
                ok = reply.status == 200 and check_answer(data)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append((time.perf_counter() - start) * 1000)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    q = statistics.quantiles(latencies, n=1000)
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / duration,
        "p50": q[499],
        "p90": q[899],
        "p99": q[989],
        "p999": q[998],
        "max": latencies[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn worker processes (default: the demo's)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads per worker (default: the demo's); above 1 gunicorn uses gthread workers with keep-alive",
    )
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-record", action="store_true", help="do not write results/setup.md")
    args = parser.parse_args()
    from openprocure.cli import WEB_THREADS, WEB_WORKERS, gunicorn_command

    args.workers = WEB_WORKERS if args.workers is None else args.workers
    args.threads = WEB_THREADS if args.threads is None else args.threads
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")

    workdir = Path(tempfile.mkdtemp(prefix="bench-setup-"))
    port = free_port()
    env = {
        **os.environ,
        "OPENPROCURE_DATA_DIR": str(workdir),
        "OPENPROCURE_DEMO": "1",
        "OPENPROCURE_LOG_LEVEL": "WARNING",
        "OPENPROCURE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": "openprocure.supplier.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    prepare(env)
    # The storefront exactly as `openprocure demo` starts it (gthread when threads > 1).
    command = gunicorn_command(
        "supplier", bind=f"127.0.0.1:{port}", workers=args.workers, threads=args.threads
    )
    command[0] = str(VENV / "python")
    server = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_ready(port)
        body = setup_body()
        with urllib.request.urlopen(
            urllib.request.Request(
                f"http://127.0.0.1:{port}/cxml/", data=body, headers={"Content-Type": "text/xml"}
            )
        ) as reply:
            first = reply.read()
        if not check_answer(first):
            raise SystemExit(f"the setup request was refused:\n{first.decode()}")
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        result = (
            run_wrk(port, body, args.duration, args.clients, workdir)
            if tool == "wrk"
            else run_threads(port, body, args.duration, args.clients)
        )
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    with sqlite3.connect(workdir / "supplier" / "db.sqlite3") as db:
        sessions = db.execute("select count(*) from punchout_punchoutsession").fetchone()[0]
        journal = db.execute("select count(*) from core_document").fetchone()[0]
    shutil.rmtree(workdir, ignore_errors=True)

    passed = result["errors"] == 0 and result["p99"] <= 100
    lines = [
        "# Benchmark: PunchOutSetupRequest under load",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}).",
        f"`{' '.join(['benchmarks/bench_setup.py', *sys.argv[1:]])}` — gunicorn, {args.workers} workers × {args.threads} thread(s), "
        f"SQLite (WAL) in a fresh seeded data folder; load from `{tool}` with {args.clients} concurrent clients "
        f"for {args.duration} s ({elapsed:.0f} s measured).",
        "",
        "Each request is the same real PunchOutSetupRequest (Acme Industries, demo secret, UserEmail and",
        "UserBusinessUnit): credential check, user lookup, session and one-shot start URL created, request",
        "and answer journaled. Every answer is checked to be a PunchOutSetupResponse with Status 200.",
        "",
        "| requests | errors | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | goal |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {result['requests']} | {result['errors']} | {result['rps']:.0f} | {result['p50']:.1f} | {result['p90']:.1f} "
        f"| {result['p99']:.1f} | {result['p999']:.1f} | {result['max']:.1f} | {'met' if passed else 'NOT met'} (0 errors, p99 ≤ 100 ms) |",
        "",
        f"Sessions in the database afterwards: {sessions}; journal entries: {journal} (request + answer each).",
        f"Machine load average (1 min) before / after the run: {load_before:.2f} / {load_after:.2f} "
        "(other work on the machine shares the same cores and inflates the numbers).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_record:
        RESULTS.write_text(report)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
