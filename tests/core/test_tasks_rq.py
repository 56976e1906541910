"""The same task code on RQ with Redis: ``OPENPROCURE_TASKS_BACKEND=django_tasks_rq.RQBackend``.

An outbox message is stored by a real ``openprocure buyer`` process (its delivery task goes to Redis,
not to the database), then a real ``openprocure worker buyer`` — which starts ``rqworker`` for this
backend — delivers it to a partner that first answers 503: the retry, scheduled by the outbox with
``run_after``, is moved to the queue by RQ's scheduler and delivered.
"""

from __future__ import annotations

import random
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core import processes
from tests.core.processes import redis_reachable
from tests.partner_server import PartnerServer, cxml_response

redis = pytest.importorskip("redis", reason="the RQ backend's packages are not installed")

pytestmark = pytest.mark.slow

STORE = """
from openprocure.core import outbox
outbox.enqueue_document(
    kind="OrderRequest", url="{url}", payload_id="po-rq-1@buyer.test",
    body='<?xml version="1.0"?><cXML payloadID="po-rq-1@buyer.test"><Request><OrderRequest/></Request></cXML>',
    reference="PO-2026-000042", partner="MARKETPLACE",
)
"""


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of its own on 127.0.0.1:6379, emptied before and after the test."""
    if not redis_reachable():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    url = f"redis://127.0.0.1:6379/{random.randint(8, 15)}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


def test_an_outbox_delivery_runs_on_rq(redis_url: str, tmp_path: Path) -> None:
    env = processes.child_env(
        OPENPROCURE_DATA_DIR=str(tmp_path),
        OPENPROCURE_TASKS_BACKEND="django_tasks_rq.RQBackend",
        OPENPROCURE_REDIS_URL=redis_url,
    )
    processes.run(["buyer", "migrate", "--noinput", "-v", "0"], env)
    database = sqlite3.connect(tmp_path / "buyer" / "db.sqlite3", timeout=20)
    log = tmp_path / "worker.log"
    with PartnerServer() as partner:
        partner.script((503, cxml_response(503, "Service Unavailable", "come back later")))
        processes.run(["buyer", "shell", "-c", STORE.format(url=partner.url)], env)
        # The delivery task waits in Redis, not in the database backend's table.
        assert redis.Redis.from_url(redis_url).llen("rq:queue:default") == 1
        assert database.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult").fetchone() == (0,)

        worker = processes.start(["worker", "buyer"], env, log)
        try:

            def delivered() -> bool:
                row = database.execute("SELECT status FROM core_outboxmessage").fetchone()
                return row == ("delivered",)

            processes.wait_until(delivered, timeout=120, what="the message delivered by RQ", logs=[log])
        finally:
            processes.stop(worker)

    assert [request.body.count(b'payloadID="po-rq-1@buyer.test"') for request in partner.received] == [1, 1]
    assert database.execute("SELECT status, attempts FROM core_outboxmessage").fetchall() == [
        ("delivered", 2)
    ]
    assert database.execute(
        "SELECT number, outcome, status_code FROM core_deliveryattempt ORDER BY number"
    ).fetchall() == [(1, "transient", 503), (2, "delivered", 200)]
    assert database.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult").fetchone() == (0,)
    text = log.read_text(errors="replace")
    assert "openprocure.core.outbox.deliver_outbox_message" in text
    database.close()


def test_a_broker_that_is_down_never_loses_a_stored_message(tmp_path: Path) -> None:
    """Redis unreachable: the message is stored and the caller succeeds; the sweeper sends it later."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    env = processes.child_env(
        OPENPROCURE_DATA_DIR=str(tmp_path),
        OPENPROCURE_TASKS_BACKEND="django_tasks_rq.RQBackend",
        OPENPROCURE_REDIS_URL=f"redis://127.0.0.1:{closed}/0",
    )
    processes.run(["buyer", "migrate", "--noinput", "-v", "0"], env)
    processes.run(["buyer", "shell", "-c", STORE.format(url="http://127.0.0.1:9/cxml/")], env)
    database = sqlite3.connect(tmp_path / "buyer" / "db.sqlite3", timeout=20)
    assert database.execute("SELECT payload_id, status, attempts FROM core_outboxmessage").fetchall() == [
        ("po-rq-1@buyer.test", "pending", 0)
    ]
    database.close()
