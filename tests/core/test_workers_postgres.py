"""Three real ``openprocure worker buyer`` processes on one PostgreSQL database, racing for the outbox.

Each of 60 messages is enqueued three times (the normal task plus two duplicates, as a sweeper or a
restarted backend would produce), so the workers really compete for the same message. The outbox's
claim is one conditional UPDATE: on PostgreSQL the second of two concurrent UPDATEs waits for the
first to commit, re-reads the row and no longer matches the WHERE (the lease is taken), so it
updates nothing. No ``SELECT … FOR UPDATE SKIP LOCKED`` is needed. What the partner received proves it.
"""

from __future__ import annotations

import os
import re
import secrets
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core import processes
from tests.partner_server import PartnerServer

psycopg = pytest.importorskip("psycopg")

DATABASE_URL = os.environ.get("DATABASE_URL", "")
MESSAGES = 60
WORKERS = 3
COPIES = 3  # tasks enqueued per message

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL pointing at PostgreSQL (run-tests' PostgreSQL pass sets it)",
    ),
]

ENQUEUE = """
from openprocure.core import outbox
from openprocure.core.outbox import deliver_outbox_message

for n in range({count}):
    payload_id = f"po-{{n}}@workers.test"
    body = f'<?xml version="1.0"?><cXML payloadID="{{payload_id}}"><Request><OrderRequest/></Request></cXML>'
    message = outbox.enqueue_document(
        kind="OrderRequest", url="{url}", payload_id=payload_id, body=body,
        reference=f"PO-{{n:06}}", partner="MARKETPLACE",
    )
    for _copy in range({copies} - 1):
        deliver_outbox_message.enqueue(message.pk)
"""


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of DATABASE_URL; dropped afterwards."""
    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = f"openprocure_workers_{secrets.token_hex(4)}"
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_three_workers_deliver_each_message_exactly_once(scratch_database: str, tmp_path: Path) -> None:
    # Every task slot of every worker may deliver to the partner at once: the race is the point here.
    env = processes.child_env(
        DATABASE_URL=scratch_database,
        OPENPROCURE_DATA_DIR=str(tmp_path),
        OPENPROCURE_DELIVERIES_PER_DESTINATION="100",
    )
    processes.run(["buyer", "migrate", "--noinput", "-v", "0"], env)
    logs = [tmp_path / f"worker-{number}.log" for number in range(WORKERS)]
    with PartnerServer(delay=0.05) as partner:
        workers = [processes.start(["worker", "buyer", "--interval", "0.1"], env, log) for log in logs]
        try:
            processes.wait_until(
                lambda: all("Starting worker" in log.read_text(errors="replace") for log in logs),
                timeout=120,
                what="the three workers to start",
                logs=logs,
            )
            processes.run(
                ["buyer", "shell", "-c", ENQUEUE.format(count=MESSAGES, url=partner.url, copies=COPIES)], env
            )
            with psycopg.connect(scratch_database, autocommit=True) as db:

                def all_done() -> bool:
                    delivered = db.execute(
                        "SELECT count(*) FROM core_outboxmessage WHERE status = 'delivered'"
                    ).fetchone()[0]
                    waiting = db.execute(
                        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                        "WHERE task_path LIKE %s AND status IN ('READY', 'RUNNING')",
                        ["%.deliver_outbox_message"],
                    ).fetchone()[0]
                    return delivered == MESSAGES and waiting == 0

                processes.wait_until(all_done, timeout=240, what="every message delivered", logs=logs)
        finally:
            for worker in workers:
                processes.stop(worker)

    # The partner saw each payloadID exactly once: nothing delivered twice, nothing lost.
    received = Counter(
        re.search(rb'payloadID="([^"]+)"', request.body).group(1).decode()  # type: ignore[union-attr]
        for request in partner.received
    )
    assert received == {f"po-{n}@workers.test": 1 for n in range(MESSAGES)}

    with psycopg.connect(scratch_database, autocommit=True) as db:
        messages = db.execute(
            "SELECT status, attempts, lease_token, count(*) FROM core_outboxmessage GROUP BY 1, 2, 3"
        ).fetchall()
        attempts = db.execute(
            "SELECT number, outcome, status_code, count(*), count(DISTINCT message_id) "
            "FROM core_deliveryattempt GROUP BY 1, 2, 3"
        ).fetchall()
        tasks = db.execute(
            "SELECT return_value #>> '{}', worker_ids ->> 0 FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE %s AND status = 'SUCCESSFUL'",
            ["%.deliver_outbox_message"],
        ).fetchall()
        failed_tasks = db.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'"
        )
        assert failed_tasks.fetchone()[0] == 0
    assert messages == [("delivered", 1, "", MESSAGES)]
    # One attempt recorded per message, each with the partner's 200.
    assert attempts == [(1, "delivered", 200, MESSAGES, MESSAGES)]
    outcomes = Counter(outcome for outcome, _worker in tasks)
    # Every copy of every task ran; exactly one per message delivered, the others found the lease taken.
    # (The scheduler's sweeper may add copies of its own, so "skipped" is at least the duplicates.)
    assert outcomes["delivered"] == MESSAGES
    assert outcomes["skipped"] >= MESSAGES * (COPIES - 1)
    assert set(outcomes) == {"delivered", "skipped"}
    # All three workers delivered some of the messages: they really ran concurrently. (A worker's
    # task slots have IDs "<worker>-<slot>".)
    assert len({worker.rsplit("-", 1)[0] for outcome, worker in tasks if outcome == "delivered"}) == WORKERS
