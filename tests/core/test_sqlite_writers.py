"""The SQLite backend's writer queue: many threads and processes write to one file, none waits for nothing."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.db.utils import ConnectionHandler

from openprocure.core.sqlite.base import WriterQueue


@pytest.fixture(autouse=True)
def writer_database(tmp_path: Path, django_db_blocker: Any) -> Iterator[None]:
    """A file database named ``w`` on this project's backend, beside the test database."""
    configured = ConnectionHandler(
        {
            "default": {
                "ENGINE": "openprocure.core.sqlite",
                "NAME": str(tmp_path / "db.sqlite3"),
                "OPTIONS": {
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 20,
                },
            }
        }
    ).settings["default"]
    connections.settings["w"] = configured
    with django_db_blocker.unblock():
        yield
    connections["w"].close()
    del connections["w"]
    del connections.settings["w"]


def create_schema(path: Path) -> None:
    with connections["w"].cursor() as cursor:
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
        cursor.execute("INSERT INTO counter (id, value) VALUES (1, 0)")
        cursor.execute(
            "CREATE TABLE entry (id INTEGER PRIMARY KEY, writer TEXT NOT NULL, n INTEGER NOT NULL)"
        )


def increment(path: Path, writer: str, times: int) -> None:
    """Read-modify-write in a transaction, plus one write outside any transaction, ``times`` times."""
    connection = connections["w"]
    for n in range(times):
        with transaction.atomic(using="w"), connection.cursor() as cursor:
            value = cursor.execute("SELECT value FROM counter WHERE id = 1").fetchone()[0]
            cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [value + 1])
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO entry (writer, n) VALUES (%s, %s)", [writer, n])
    connection.close()


def totals(path: Path) -> tuple[int, int, int]:
    with connections["w"].cursor() as cursor:
        value = cursor.execute("SELECT value FROM counter").fetchone()[0]
        entries = cursor.execute("SELECT count(*) FROM entry").fetchone()[0]
        distinct = cursor.execute("SELECT count(DISTINCT writer || ':' || n) FROM entry").fetchone()[0]
    return value, entries, distinct


def test_threads_of_one_process_write_in_turn_and_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    create_schema(path)
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            increment(path, name, 40)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(f"t{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert totals(path) == (320, 320, 320)
    assert (tmp_path / "db.sqlite3-writer.lock").exists()


def _process(path: str, name: str) -> None:
    increment(Path(path), name, 60)


def test_processes_write_in_turn_and_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    create_schema(path)
    # Fork after this process has used the queue: each child must take the file lock on its own.
    WriterQueue.for_database(str(path)).acquire(1)
    WriterQueue.for_database(str(path)).release()
    # SQLite connections must not cross a fork: each process opens its own.
    connections["w"].close()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_process, args=(str(path), f"p{i}")) for i in range(3)]
    for process in processes:
        process.start()
    increment(path, "parent", 60)
    for process in processes:
        process.join(60)
    assert [process.exitcode for process in processes] == [0, 0, 0]
    assert totals(path) == (240, 240, 240)


def test_a_rolled_back_transaction_frees_the_queue(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    create_schema(path)
    with pytest.raises(RuntimeError), transaction.atomic(using="w"):
        connections["w"].cursor().execute("UPDATE counter SET value = 99 WHERE id = 1")
        raise RuntimeError("the handler failed")
    queue = WriterQueue.for_database(str(path))
    assert queue.acquire(0.5) is True
    queue.release()
    assert totals(path) == (0, 0, 0)


def test_a_writer_waits_at_most_the_timeout_then_goes_on(tmp_path: Path) -> None:
    queue = WriterQueue.for_database(str(tmp_path / "db.sqlite3"))
    assert queue.acquire(1) is True
    outcome: dict[str, Any] = {}

    def other_thread() -> None:
        started = time.monotonic()
        outcome["acquired"] = queue.acquire(0.2)
        outcome["waited"] = time.monotonic() - started

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    queue.release()
    assert outcome["acquired"] is False
    assert 0.19 <= outcome["waited"] < 1.0
    # Freed, the queue is available at once.
    assert queue.acquire(0.01) is True
    queue.release()


def test_another_process_holding_the_file_lock_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    context = multiprocessing.get_context("fork")
    holding, release = context.Event(), context.Event()

    def hold() -> None:
        child_queue = WriterQueue.for_database(str(path))
        child_queue.acquire(1)
        holding.set()
        release.wait(10)
        child_queue.release()

    child = context.Process(target=hold)
    child.start()
    assert holding.wait(10)
    queue = WriterQueue.for_database(str(path))
    assert queue.acquire(0.2) is False
    release.set()
    assert queue.acquire(5) is True
    queue.release()
    child.join(10)
    assert child.exitcode == 0
