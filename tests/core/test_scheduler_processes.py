"""Two real ``openprocure worker buyer`` processes share one scheduler, on every backend.

Both workers run against one database (SQLite; PostgreSQL when ``DATABASE_URL`` names one; RQ on
Redis with SQLite). Only the worker holding the scheduler lease enqueues periodic tasks, so each
period runs once installation-wide. The scheduler's worker is then killed with SIGKILL: nothing of
its process group survives it (RQ's worker processes and work horses die with it), and once the
lease expires the other worker schedules, without running again what already ran.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import signal
import sqlite3
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.core import processes

pytestmark = pytest.mark.slow

# The spend refresh, made to run every 5 s (OPENPROCURE_SPEND_REFRESH_SECONDS below).
SYNC = "openprocure.buyer.spend.tasks.refresh_monthly_spend"
SYNC_INTERVAL = 5.0
# Periodic tasks whose period is longer than this whole test: each runs exactly once.
ONCE = ("openprocure.buyer.approvals.tasks.remind_and_escalate",)
LEASE_SECONDS = "2"
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\w+) (\S+) (.*)$")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of DATABASE_URL; dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (run-tests' PostgreSQL pass sets it)")
    psycopg = pytest.importorskip("psycopg")
    parts = urllib.parse.urlsplit(url)
    name = f"openprocure_scheduler_{secrets.token_hex(4)}"
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_backend(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[dict[str, str], Any]:
    """The workers' environment and a function running one SQL query on their database."""
    variables = {
        "OPENPROCURE_DATA_DIR": str(tmp_path),
        "OPENPROCURE_SCHEDULER_LEASE_SECONDS": LEASE_SECONDS,
        "OPENPROCURE_WORKER_CONCURRENCY": "2",
        "OPENPROCURE_SPEND_REFRESH_SECONDS": f"{SYNC_INTERVAL:g}",
    }
    if backend == "postgres":
        import psycopg

        url = request.getfixturevalue("postgres_url")
        variables["DATABASE_URL"] = url

        def query(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(url, autocommit=True) as db:
                return db.execute(sql).fetchall()  # type: ignore[arg-type]

        return processes.child_env(**variables), query
    if backend == "rq":
        if not processes.redis_reachable():
            pytest.skip("Redis is not reachable on 127.0.0.1:6379")
        import redis

        url = "redis://127.0.0.1:6379/6"  # a database of its own (test_worker_slots takes 7, test_tasks_rq 8 to 15)
        redis.Redis.from_url(url).flushdb()
        request.addfinalizer(lambda: redis.Redis.from_url(url).flushdb())
        variables |= {"OPENPROCURE_TASKS_BACKEND": "django_tasks_rq.RQBackend", "OPENPROCURE_REDIS_URL": url}

    def query(sql: str) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(tmp_path / "buyer" / "db.sqlite3", timeout=20)) as db:
            return db.execute(sql).fetchall()

    return processes.child_env(**variables), query


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def log_lines(logs: list[Path]) -> list[tuple[datetime, str, str, str]]:
    """(time, level, logger, message) of every log line of the workers, in time order."""
    lines = []
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            if match := LOG_LINE.match(line):
                when = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f")
                lines.append((when, match.group(2), match.group(3), match.group(4)))
    return sorted(lines)


def enqueued_runs(lines: list[tuple[datetime, str, str, str]]) -> Counter[str]:
    """Runs the scheduler enqueued, by task."""
    return Counter(
        message.rsplit(" ", 1)[1]
        for _, _, logger, message in lines
        if logger == "openprocure.scheduler" and message.startswith("enqueued periodic task ")
    )


def succeeded_runs(lines: list[tuple[datetime, str, str, str]]) -> Counter[str]:
    """Task runs that ended successfully, by task (periodic ones only: a sweep may enqueue others)."""
    return Counter(
        match.group(1)
        for _, _, logger, message in lines
        if logger == "django_tasks" and (match := re.search(r"path=(\S+) state=SUCCESSFUL", message))
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgres", "rq"])
def test_two_workers_one_scheduler_and_a_killed_scheduler_is_replaced(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env, query = setup_backend(backend, tmp_path, request)
    processes.run(["buyer", "migrate", "--noinput", "-v", "0"], env)
    logs = [tmp_path / "worker-0.log", tmp_path / "worker-1.log"]
    workers = [processes.start(["worker", "buyer", "--interval", "0.2"], env, log) for log in logs]

    def runs(path: str) -> int:
        rows = dict(query("SELECT path, runs FROM core_periodictask"))
        return int(rows.get(path, 0))

    def holder() -> str:
        rows = query("SELECT holder FROM core_schedulerlease")
        return str(rows[0][0]) if rows else ""

    def wait(condition: Callable[[], bool], what: str) -> None:
        processes.wait_until(condition, timeout=120, what=what, logs=logs)

    try:

        def quiet(sync_runs: int) -> Callable[[], bool]:
            """``sync_runs`` runs of the spend refresh, and every task enqueued so far has run."""

            def condition() -> bool:
                lines = log_lines(logs)
                return runs(SYNC) >= sync_runs and enqueued_runs(lines) == succeeded_runs(lines)

            return condition

        # Killed between two tasks (a task killed mid-run would stay "running" in the database).
        wait(quiet(3), "three runs of the spend refresh, and no task running")
        scheduler_pid = int(holder().split(":")[1])
        [killed] = [worker for worker in workers if worker.pid == scheduler_pid]
        [survivor] = [worker for worker in workers if worker is not killed]
        assert sorted(int(row[0]) for row in query("SELECT pid FROM core_workerheartbeat")) == sorted(
            worker.pid for worker in workers
        )

        os.kill(killed.pid, signal.SIGKILL)  # the worker's main process only, as the OOM killer would
        killed.wait()
        wait(lambda: not group_alive(killed.pid), "every process of the killed worker to be gone")

        # The lease runs out and the other worker takes it; the schedule goes on from where it was.
        wait(
            lambda: holder().split(":")[1:2] == [str(survivor.pid)],
            "the other worker to become the scheduler",
        )
        runs_at_takeover = runs(SYNC)
        wait(quiet(runs_at_takeover + 2), "two more runs of the spend refresh, and no task running")
    finally:
        for worker in workers:
            processes.stop(worker)

    # A worker that stops cleanly gives the lease up and says goodbye; the killed one could not.
    assert holder() == ""
    assert [int(row[0]) for row in query("SELECT pid FROM core_workerheartbeat")] == [killed.pid]

    lines = log_lines(logs)
    enqueued, succeeded = enqueued_runs(lines), succeeded_runs(lines)
    # The database counted as many runs as the schedulers logged, and each ran (the last one may have
    # been enqueued just before the workers were stopped).
    sync_runs = runs(SYNC)
    assert enqueued[SYNC] == sync_runs, lines
    assert succeeded[SYNC] in (sync_runs, sync_runs - 1), lines
    # The tasks whose period is longer than the test ran exactly once, across two schedulers.
    assert [(enqueued[path], succeeded[path], runs(path)) for path in ONCE] == [(1, 1, 1)]
    # One period, one run: runs of the spend refresh are a period apart (less the scheduler's tick of
    # 1 s and some slack), never two in one period as two schedulers would give.
    times = [
        when
        for when, _, logger, message in lines
        if logger == "openprocure.scheduler" and message.endswith(SYNC)
    ]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert len(gaps) == sync_runs - 1
    assert min(gaps) >= SYNC_INTERVAL - 2
    # Nothing failed and nothing was logged as an error.
    assert [line for line in lines if line[1] in ("ERROR", "CRITICAL")] == []
    assert not any("state=FAILED" in message for *_, message in lines)
    if backend == "rq":
        import redis
        from rq.registry import FailedJobRegistry

        connection = redis.Redis.from_url(env["OPENPROCURE_REDIS_URL"])
        assert FailedJobRegistry("default", connection=connection).count == 0
    else:
        # None failed, none was left half-run; a periodic task enqueued just before the workers stopped
        # may still be waiting (READY), as the last spend refresh may above.
        assert query(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('FAILED', 'RUNNING')"
        ) == [(0,)]
    # The lease was taken twice: by the first scheduler, then by the survivor.
    takeovers = [
        message for _, _, logger, message in lines if message.endswith("is now the scheduler of this site")
    ]
    assert len(takeovers) == 2
    assert f":{survivor.pid}:" in takeovers[1]
