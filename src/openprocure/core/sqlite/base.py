"""Django's SQLite backend with writers queued in order instead of sleeping in SQLite's busy handler.

SQLite lets one connection write at a time. A connection that finds the file locked sleeps in
SQLite's busy handler (1, 2, 5, 10, 15, 20, 25, … ms between attempts), so under a server with
several processes and threads, writers slept far longer than the lock was held: the slowest
requests waited hundreds of milliseconds for a lock held for one. Python's ``sqlite3`` cannot set
another busy handler, so writers queue before they reach SQLite:

- the threads of one process on a Python lock (woken the moment it is free);
- the processes on an advisory lock file beside the database (``<name>-writer.lock``), polled every
  quarter of a millisecond.

The lock is taken at ``BEGIN IMMEDIATE`` and freed at the commit or rollback, and taken around a
single write statement outside a transaction. Waiting is bounded by the database ``timeout``
option: after that the writer goes on to SQLite, which raises "database is locked" as it would
have anyway. Programs that write without this backend (the ``sqlite3`` shell) still meet SQLite's
own locking, so nothing depends on every writer taking part.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

from django.db.backends.sqlite3 import base

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_POLL_SECONDS = 0.00025


class WriterQueue:
    """One writer at a time across the threads and processes using one database file."""

    _queues: dict[str, WriterQueue] = {}
    _queues_lock = threading.Lock()

    def __init__(self, path: str | None) -> None:
        self.thread_lock = threading.Lock()
        self.path = path
        self.fd: int | None = None
        self.pid = os.getpid()

    @classmethod
    def for_database(cls, name: str) -> WriterQueue:
        in_memory = name == ":memory:" or "mode=memory" in name
        key = "" if in_memory else os.path.abspath(name)
        with cls._queues_lock:
            if key not in cls._queues:
                cls._queues[key] = cls(None if in_memory else f"{key}-writer.lock")
            return cls._queues[key]

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if not self.thread_lock.acquire(timeout=timeout):
            return False
        if self.path is None:
            return True
        try:
            if self.fd is None or self.pid != os.getpid():
                # A forked child must not share its parent's open file: flock would treat them as one.
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                self.pid = os.getpid()
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        self.thread_lock.release()
                        return False
                    time.sleep(_POLL_SECONDS)
        except BaseException:
            self.thread_lock.release()
            raise

    def release(self) -> None:
        try:
            if self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.thread_lock.release()


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    """Outside a transaction, one write statement is a transaction of its own: it queues too."""

    writers: WriterQueue
    timeout: float

    def _queued(self, method: Any, query: str, params: Any) -> Any:
        acquired = self.writers.acquire(self.timeout)
        try:
            return method(query, params)
        finally:
            if acquired:
                self.writers.release()

    def execute(self, query: str, params: Any = None) -> Any:
        if self.connection.in_transaction or not query.lstrip()[:7].upper().startswith(_WRITES):
            return super().execute(query, params)
        return self._queued(super().execute, query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if self.connection.in_transaction:
            return super().executemany(query, param_list)
        return self._queued(super().executemany, query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    """Joins the writer queue when a write transaction begins; leaves it when the transaction ends."""

    _holds_write_lock = False

    _queue: WriterQueue | None = None

    def _writer_queue(self) -> WriterQueue:
        if self._queue is None:
            self._queue = WriterQueue.for_database(str(self.settings_dict["NAME"]))
        return self._queue

    def _timeout(self) -> float:
        return float(self.settings_dict["OPTIONS"].get("timeout", 5))

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=SQLiteCursorWrapper)
        cursor.writers = self._writer_queue()
        cursor.timeout = self._timeout()
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        mode = getattr(self, "transaction_mode", None)  # set from OPTIONS by Django's backend
        if mode == "IMMEDIATE" and not self._holds_write_lock:
            self._holds_write_lock = self._writer_queue().acquire(self._timeout())
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private method of Django's SQLite backend, absent from the stubs
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            self._writer_queue().release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private method of Django's SQLite backend, absent from the stubs
        finally:
            self._release_write_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private method of Django's SQLite backend, absent from the stubs
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private method of Django's SQLite backend, absent from the stubs
        finally:
            self._release_write_lock()
