"""Benchmark: an authenticated PunchOut setup under an anonymous flood (results in results/flood.md).

Starts the storefront with ``openprocure serve supplier`` (the demo's gunicorn command: 2 sync
workers) on a fresh, seeded data folder, then measures one authenticated partner (Acme Industries,
documented demo secret, from 127.0.0.1) sending PunchOutSetupRequests one after another:

1. **baseline**: the partner alone;
2. **flood**: the partner while 4 anonymous clients (another loopback address, 127.0.0.2, so the
   per-address limit can be seen) post 400 KB hostile documents — 100,000 sibling ``<e/>`` in a
   setup request with no valid credential — to ``/cxml/`` as fast as they are answered.

Goal: the partner's p99 ≤ 200 ms under the flood, every partner answer a PunchOutSetupResponse with
Status 200. The flooders run in their own process, so their work never shares the measuring
client's interpreter; the server, the flooders and the client share the machine's cores.

    .venv/bin/python benchmarks/bench_flood.py [--duration 60] [--flooders 4] [--pause-ms 50]
        [--unlimited]  (also run the flood with the rate limits off, for comparison)
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import platform
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
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
VENV = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "results" / "flood.md"
PARTNER_ADDRESS = "127.0.0.1"
FLOOD_ADDRESS = "127.0.0.2"
HOSTILE_SIBLINGS = 100_000
DEMO_SECRET = "acme-demo-secret"  # noqa: S105 - the documented demo secret (demo mode only)
WRONG_SECRET = "guess"  # noqa: S105 - a wrong secret, on purpose


def setup_body(*, identity: str = "ACME", secret: str = DEMO_SECRET, filler: bytes = b"") -> bytes:
    """A real PunchOutSetupRequest; ``filler`` goes inside its Header (the hostile part)."""
    from punchout import cxml

    document = cxml.CXML(
        message=cxml.PunchOutSetupRequest(
            buyer_cookie="bench-cookie",
            operation=cxml.PunchOutOperation.CREATE,
            browser_form_post_url="http://127.0.0.1:8000/punchout/return/bench",
            extrinsics=[cxml.Extrinsic("UserEmail", "admin@acme.test")],
        ),
        payload_id=cxml.new_payload_id("buyer.bench"),
        timestamp=datetime.now(UTC).replace(microsecond=0),
        header=cxml.make_header(
            from_=[cxml.Credential("NetworkId", identity)],
            to=[cxml.Credential("NetworkId", "MARKETPLACE")],
            sender=[cxml.Credential("NetworkId", identity, secret)],
            user_agent="bench_flood",
        ),
    )
    body = cxml.build(document)
    if filler:
        at = body.index(b"</Header>")
        body = body[:at] + filler + body[at:]
    return body


def hostile_body() -> bytes:
    """About 400 KB: 100,000 sibling ``<e/>`` in a setup request from an unknown sender."""
    return setup_body(identity="NOBODY", secret=WRONG_SECRET, filler=b"<e/>" * HOSTILE_SIBLINGS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the storefront did not become ready")


def cxml_status(body: bytes) -> str:
    marker = body.find(b'<Status code="')
    return body[marker + 14 : marker + 17].decode() if marker >= 0 else "?"


def flood(port: int, clients: int, seconds: float, ready: Any, results: Any) -> None:
    """Run in a process of its own: ``clients`` threads post the hostile body for ``seconds``."""
    body = hostile_body()
    counts: Counter[str] = Counter()
    answered: list[float] = []
    lock = threading.Lock()
    ready.set()
    stop = time.monotonic() + seconds

    def client() -> None:
        mine: Counter[str] = Counter()
        times: list[float] = []
        while time.monotonic() < stop:
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=120, source_address=(FLOOD_ADDRESS, 0)
            )
            started = time.perf_counter()
            try:
                connection.request("POST", "/cxml/", body, {"Content-Type": "text/xml; charset=utf-8"})
                reply = connection.getresponse()
                data = reply.read()
                mine[f"HTTP {reply.status} / cXML {cxml_status(data)}"] += 1
            except (OSError, http.client.HTTPException) as error:
                mine[f"error {type(error).__name__}"] += 1
            finally:
                connection.close()
            times.append((time.perf_counter() - started) * 1000)
        with lock:
            counts.update(mine)
            answered.extend(times)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"counts": dict(counts), "times": answered, "bytes": len(body)})


def partner(port: int, seconds: float, pause: float) -> dict[str, Any]:
    """The authenticated partner: one setup after another (a fresh connection each, as partners do)."""
    latencies: list[float] = []
    bad: Counter[str] = Counter()
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        body = setup_body()
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=120, source_address=(PARTNER_ADDRESS, 0)
        )
        started = time.perf_counter()
        try:
            connection.request("POST", "/cxml/", body, {"Content-Type": "text/xml; charset=utf-8"})
            reply = connection.getresponse()
            data = reply.read()
            if reply.status != 200 or b"<PunchOutSetupResponse>" not in data or cxml_status(data) != "200":
                bad[f"HTTP {reply.status} / cXML {cxml_status(data)}"] += 1
        except (OSError, http.client.HTTPException) as error:
            bad[f"error {type(error).__name__}"] += 1
        finally:
            connection.close()
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(pause)
    latencies.sort()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "errors": sum(bad.values()),
        "bad": dict(bad),
        "p50": q[49],
        "p90": q[89],
        "p99": q[98],
        "max": latencies[-1],
    }


def start_server(
    workdir: Path, port: int, extra: dict[str, str]
) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    env = {
        **os.environ,
        "OPENPROCURE_DATA_DIR": str(workdir),
        "OPENPROCURE_DEMO": "1",
        "OPENPROCURE_LOG_LEVEL": "WARNING",
        "OPENPROCURE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "OPENPROCURE_BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT / "src"),
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    python = str(VENV / "python")
    subprocess.run(
        [python, "-m", "openprocure.cli", "supplier", "migrate", "-v0"], env=env, check=True, cwd=ROOT
    )
    subprocess.run(
        [python, "-m", "openprocure.cli", "supplier", "seed_demo", "--products", "200"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    # The demo's web server command (gunicorn, the demo's workers), access log on stdout.
    server = subprocess.Popen(
        [python, "-m", "openprocure.cli", "serve", "supplier"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_ready(port)
    return server, env


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, 15)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, 9)
        server.wait()


def phase(port: int, *, seconds: float, pause: float, flooders: int) -> dict[str, Any]:
    """The partner for ``seconds``, with ``flooders`` anonymous clients running meanwhile (0: none)."""
    if not flooders:
        return {"partner": partner(port, seconds, pause), "flood": None}
    context = multiprocessing.get_context("spawn")
    ready, results = context.Event(), context.Queue()
    process = context.Process(target=flood, args=(port, flooders, seconds + 2, ready, results))
    process.start()
    ready.wait(60)
    time.sleep(1.0)  # let the flood take hold before measuring
    measured = partner(port, seconds, pause)
    flooded = results.get(timeout=300)
    process.join(60)
    return {"partner": measured, "flood": flooded}


def run(args: argparse.Namespace, extra: dict[str, str]) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-flood-"))
    port = free_port()
    server, _env = start_server(workdir, port, extra)
    try:
        partner(port, 3, args.pause_ms / 1000)  # warm both workers up
        load_before = os.getloadavg()[0]
        baseline = phase(port, seconds=args.duration, pause=args.pause_ms / 1000, flooders=0)
        flooded = phase(port, seconds=args.duration, pause=args.pause_ms / 1000, flooders=args.flooders)
        load_after = os.getloadavg()[0]
    finally:
        stop_server(server)
    with sqlite3.connect(workdir / "supplier" / "db.sqlite3") as db:
        journal = db.execute(
            "select count(*), coalesce(sum(length(raw)), 0) from core_document where remote_addr = ?",
            (FLOOD_ADDRESS,),
        ).fetchone()
    shutil.rmtree(workdir, ignore_errors=True)
    return {
        "baseline": baseline,
        "flood": flooded,
        "journal": journal,
        "load": (load_before, load_after),
    }


def row(name: str, result: dict[str, Any]) -> str:
    p = result["partner"]
    return (
        f"| {name} | {p['requests']} | {p['errors']} | {p['p50']:.1f} | {p['p90']:.1f} | **{p['p99']:.1f}** "
        f"| {p['max']:.1f} |"
    )


def flood_line(name: str, result: dict[str, Any]) -> str:
    flooded = result["flood"]
    times = sorted(flooded["times"])
    answers = ", ".join(f"{count} × {what}" for what, count in sorted(flooded["counts"].items()))
    median = statistics.median(times) if times else 0.0
    return f"- {name}: {sum(flooded['counts'].values())} hostile requests of {flooded['bytes']:,} bytes answered ({answers}); median answer {median:.1f} ms."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per phase")
    parser.add_argument("--flooders", type=int, default=4)
    parser.add_argument("--pause-ms", type=float, default=50, help="the partner's pause between setups")
    parser.add_argument(
        "--unlimited", action="store_true", help="also flood a storefront with rate limits off"
    )
    parser.add_argument("--no-record", action="store_true", help="do not write results/flood.md")
    args = parser.parse_args()
    from openprocure.cli import WEB_THREADS, WEB_WORKERS
    from openprocure.core.settings_base import CXML_MAX_BYTES, RATELIMIT_ANONYMOUS, RATELIMIT_PARTNER

    started = datetime.now(UTC)
    limited = run(args, {})
    unlimited = run(args, {"OPENPROCURE_RATELIMIT": "0"}) if args.unlimited else None
    p99 = limited["flood"]["partner"]["p99"]
    errors = limited["flood"]["partner"]["errors"] + limited["baseline"]["partner"]["errors"]
    passed = p99 <= 200 and errors == 0
    count, size = limited["journal"]
    lines = [
        "# Benchmark: an authenticated PunchOut setup under an anonymous flood",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'} ({os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}).",
        f"`{' '.join(['benchmarks/bench_flood.py', *sys.argv[1:]])}` — `openprocure serve supplier` "
        f"(gunicorn, {WEB_WORKERS} sync workers × {WEB_THREADS} thread), SQLite (WAL) in a fresh seeded data folder; "
        f"{args.duration} s per phase; rate limits {RATELIMIT_ANONYMOUS} failed requests per address, "
        f"{RATELIMIT_PARTNER} accepted requests per partner; body cap {CXML_MAX_BYTES:,} bytes.",
        "",
        f"The partner (Acme Industries, demo secret, from {PARTNER_ADDRESS}) sends one setup at a time, with "
        f"{args.pause_ms:g} ms between them, each on a new connection; every answer must be a "
        "PunchOutSetupResponse with Status 200. During the flood phase, "
        f"{args.flooders} anonymous clients (from {FLOOD_ADDRESS}, in a process of their own) post "
        f"{HOSTILE_SIBLINGS:,} sibling `<e/>` in a setup request with no valid credential, as fast as they are answered.",
        "",
        "| phase | partner setups | errors | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row("baseline (partner alone)", limited["baseline"]),
        row(f"flood ({args.flooders} anonymous clients)", limited["flood"]),
    ]
    if unlimited is not None:
        lines.append(row("flood, rate limits off (`OPENPROCURE_RATELIMIT=0`)", unlimited["flood"]))
    lines += [
        "",
        f"Goal (p99 ≤ 200 ms under the flood, no partner error): **{'met' if passed else 'NOT met'}**.",
        "",
        flood_line("Flood", limited["flood"]),
    ]
    if unlimited is not None:
        lines.append(flood_line("Flood with the rate limits off", unlimited["flood"]))
    lines += [
        f"- Journal rows kept from the flooding address: {count} ({size / 1e6:.1f} MB of raw documents).",
        f"- Machine load average (1 min) before / after: {limited['load'][0]:.2f} / {limited['load'][1]:.2f} "
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
