"""A partner that drips its answer delays only its own documents, on the database backend and on RQ.

A real ``openprocure worker buyer`` with two task slots delivers two messages stored at the same
moment: one to a partner that sends its answer a byte every 50 ms (about 20 s for the whole answer,
each byte long before any socket timeout), one to a partner that answers at once. The healthy
partner's document is delivered while the slow one's attempt is still running; the slow attempt
ends at the deadline (4 s here) as a transient failure; each partner received each attempt once.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.core import processes
from tests.core.processes import redis_reachable
from tests.partner_server import PartnerServer

pytestmark = pytest.mark.slow

STORE = """
from openprocure.core import outbox
for number, url in enumerate(["{slow}", "{fast}"]):
    payload_id = f"po-{{number}}@buyer.test"
    outbox.enqueue_document(
        kind="OrderRequest", url=url, payload_id=payload_id, reference=f"PO-{{number}}",
        body=f'<?xml version="1.0"?><cXML payloadID="{{payload_id}}"><Request><OrderRequest/></Request></cXML>',
    )
"""


def backend_env(backend: str, tmp_path: Path) -> dict[str, str]:
    variables = {
        "OPENPROCURE_DATA_DIR": str(tmp_path),
        "OPENPROCURE_DELIVERY_DEADLINE_SECONDS": "4",
        "OPENPROCURE_WORKER_CONCURRENCY": "2",
    }
    if backend == "rq":
        if not redis_reachable():
            pytest.skip("Redis is not reachable on 127.0.0.1:6379")
        import redis

        url = "redis://127.0.0.1:6379/7"  # a database of its own (test_tasks_rq takes 8 to 15)
        redis.Redis.from_url(url).flushdb()
        variables |= {"OPENPROCURE_TASKS_BACKEND": "django_tasks_rq.RQBackend", "OPENPROCURE_REDIS_URL": url}
    return processes.child_env(**variables)


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_a_partner_that_drips_its_answer_delays_only_its_own_documents(backend: str, tmp_path: Path) -> None:
    env = backend_env(backend, tmp_path)
    processes.run(["buyer", "migrate", "--noinput", "-v", "0"], env)
    database = sqlite3.connect(tmp_path / "buyer" / "db.sqlite3", timeout=20)
    log = tmp_path / "worker.log"

    def attempts() -> list[tuple[str, int, str, str, str]]:
        return database.execute(
            "SELECT m.payload_id, a.number, a.outcome, a.detail, a.finished_at FROM core_deliveryattempt a "
            "JOIN core_outboxmessage m ON m.id = a.message_id ORDER BY m.payload_id, a.number"
        ).fetchall()

    try:
        with PartnerServer(drip=0.05) as slow, PartnerServer() as fast:
            processes.run(["buyer", "shell", "-c", STORE.format(slow=slow.url, fast=fast.url)], env)
            worker = processes.start(["worker", "buyer", "--interval", "0.1"], env, log)
            try:
                processes.wait_until(
                    lambda: {row[0] for row in attempts()} == {"po-0@buyer.test", "po-1@buyer.test"},
                    timeout=90,
                    what="an attempt at each message",
                    logs=[log],
                )
            finally:
                processes.stop(worker)
            slow_requests, fast_requests = len(slow.received), len(fast.received)
        rows = attempts()
        host = slow.url.split("/")[2]
        slow_rows = [row for row in rows if row[0] == "po-0@buyer.test"]
        assert slow_rows[0][1:4] == (
            1,
            "transient",
            f"{host} did not answer in full within 4 s (the deadline of one delivery attempt); "
            "the connection was cut",
        )
        [(_payload, number, outcome, _detail, fast_finished)] = [
            row for row in rows if row[0] == "po-1@buyer.test"
        ]
        assert (number, outcome) == (1, "delivered")
        # The healthy partner's document did not wait for the slow partner's attempt to end.
        assert fast_finished < slow_rows[0][4]
        # Every request a partner received is a recorded attempt: nothing was sent twice.
        assert (slow_requests, fast_requests) == (len(slow_rows), 1)
        assert database.execute(
            "SELECT payload_id, status FROM core_outboxmessage ORDER BY payload_id"
        ).fetchall()[1] == ("po-1@buyer.test", "delivered")
        assert "lease lost" not in log.read_text(errors="replace")
    finally:
        database.close()
        if backend == "rq":
            import redis

            redis.Redis.from_url(env["OPENPROCURE_REDIS_URL"]).flushdb()
