"""Order intake and delivery against real processes: gunicorn and the site's worker on a file database.

The in-memory test database cannot take concurrent writers, so these tests seed a temporary data
folder (the benchmark's seeding: one Active business, punched-out carts), serve it with gunicorn,
and read the results with sqlite3.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from punchout import cxml
from tests.partner_server import PartnerServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SEED = """
import sys
from django.db import connection
from benchmarks.bench_orders import build_orders, seed
from openprocure.supplier.orders.models import OrderSettings
carts = seed(4)
OrderSettings.objects.update(buyer_cxml_url=sys.argv[1])
for number, (payload_id, body) in enumerate(build_orders([cart[:1] for cart in carts])):
    open(f"order-{number}.xml", "wb").write(body)
"""


def _env(data: str) -> dict[str, str]:
    # The live storefront runs on its own SQLite file, which the test reads directly.
    base = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return dict(
        base,
        OPENPROCURE_DATA_DIR=data,
        DJANGO_SETTINGS_MODULE="openprocure.supplier.settings",
        PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
        OPENPROCURE_LOG_LEVEL="WARNING",
        # The fake buyer listens on loopback, which a production storefront refuses to reach.
        OPENPROCURE_PARTNER_ALLOWED_NETWORKS="127.0.0.0/8,::1",
    )


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Storefront:
    def __init__(self, data: str, port: int, partner: PartnerServer) -> None:
        self.data, self.port, self.partner = data, port, partner
        self.url = f"http://127.0.0.1:{port}"

    def order(self, number: int) -> bytes:
        return (Path(self.data) / f"order-{number}.xml").read_bytes()

    def query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(Path(self.data) / "supplier" / "db.sqlite3", timeout=20) as db:
            return db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def storefront() -> Iterator[Storefront]:
    data = tempfile.mkdtemp(prefix="op-orders-live-")
    with PartnerServer() as partner:
        env = _env(data)
        subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + SEED, partner.url],
            env=env,
            cwd=data,
            check=True,
            timeout=600,
        )
        port = _port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "openprocure.supplier.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=data,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.3)
            yield Storefront(data, port, partner)
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_concurrent_copies_of_one_order_create_it_once(storefront: Storefront) -> None:
    body = storefront.order(0)
    payload_id = cxml.parse(body).document.payload_id
    codes: list[object] = []

    def post() -> None:
        response = requests.post(
            storefront.url + "/cxml/", data=body, headers={"Content-Type": "text/xml"}, timeout=60
        )
        codes.append(
            cxml.parse(response.content).document.status.code
            if response.status_code == 200
            else response.status_code
        )

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 8
    assert storefront.query("SELECT count(*) FROM orders_order WHERE payload_id = ?", payload_id) == [(1,)]
    assert storefront.query(
        "SELECT count(*) FROM orders_orderrequestreceipt WHERE payload_id = ?", payload_id
    ) == [(1,)]
    assert storefront.query("SELECT count(*) FROM core_outboxmessage WHERE kind = 'ConfirmationRequest'") == [
        (1,)
    ]


def test_concurrent_resends_of_one_order_under_new_payload_ids_all_get_its_answer(
    storefront: Storefront,
) -> None:
    body = storefront.order(2)
    first_payload = cxml.parse(body).document.payload_id
    bodies = [body.replace(first_payload.encode(), f"resend-{n}@buyer.example".encode()) for n in range(8)]
    answers: list[object] = []

    def post(copy: bytes) -> None:
        response = requests.post(
            storefront.url + "/cxml/", data=copy, headers={"Content-Type": "text/xml"}, timeout=60
        )
        if response.status_code != 200:
            answers.append(response.status_code)
            return
        status = cxml.parse(response.content).document.status
        answers.append((status.code, status.message))

    threads = [threading.Thread(target=post, args=(copy,)) for copy in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [(order_id, number)] = storefront.query(
        "SELECT buyer_order_id, number FROM orders_order WHERE payload_id LIKE 'resend-%'"
    )
    # Every copy got the one answer of the accepted order, never ORDER_EXISTS.
    assert len(answers) == 8
    assert len(set(answers)) == 1, answers
    code, message = answers[0]  # type: ignore[misc]
    assert code == 200
    assert number in message
    assert storefront.query(
        "SELECT status_code, code, order_id IS NOT NULL, count(*) FROM orders_orderrequestreceipt "
        "WHERE payload_id LIKE 'resend-%' GROUP BY 1, 2, 3"
    ) == [(200, "", 1, 8)]
    assert storefront.query("SELECT count(*) FROM orders_order WHERE buyer_order_id = ?", order_id) == [(1,)]


def _worker(storefront: Storefront) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "openprocure.cli", "supplier", "worker", "--interval", "0.2"],
        env=_env(storefront.data),
        cwd=storefront.data,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(condition, timeout: float = 90.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_killed_mid_delivery_loses_nothing_and_duplicates_nothing(storefront: Storefront) -> None:
    body = storefront.order(1)
    response = requests.post(
        storefront.url + "/cxml/", data=body, headers={"Content-Type": "text/xml"}, timeout=60
    )
    assert cxml.parse(response.content).document.status.code == 200
    order_payload = cxml.parse(body).document.payload_id
    [(number,)] = storefront.query("SELECT number FROM orders_order WHERE payload_id = ?", order_payload)
    [(message_id, payload_id)] = storefront.query(
        "SELECT id, payload_id FROM core_outboxmessage WHERE reference = ?", number
    )
    # Only this order's confirmation is in play (the other test's documents are withdrawn).
    with sqlite3.connect(Path(storefront.data) / "supplier" / "db.sqlite3", timeout=20) as db:
        db.execute("UPDATE core_outboxmessage SET status = 'cancelled' WHERE id != ?", (message_id,))
    partner = storefront.partner
    partner.received.clear()
    partner.delay = 8.0
    first = _worker(storefront)
    try:
        assert _wait(lambda: len(partner.received) == 1), "the first worker never reached the partner"
        os.killpg(first.pid, signal.SIGKILL)
    finally:
        first.wait(timeout=30)
    # Nothing was recorded for the killed try: the message still waits (its claim may or may not
    # have been committed before the kill), neither lost nor marked delivered.
    [(status, attempts)] = storefront.query(
        "SELECT status, attempts FROM core_outboxmessage WHERE id = ?", message_id
    )
    assert (status in {"pending", "delivering"}, attempts) == (True, 0)
    # A held lease outlives the dead worker; let it expire (and the retry fall due) instead of waiting.
    with sqlite3.connect(Path(storefront.data) / "supplier" / "db.sqlite3", timeout=20) as db:
        db.execute(
            "UPDATE core_outboxmessage SET lease_until = '2000-01-01 00:00:00', "
            "next_attempt_at = '2000-01-01 00:00:00' WHERE id = ?",
            (message_id,),
        )
    partner.delay = 0.0
    second = _worker(storefront)
    try:
        assert _wait(
            lambda: (
                storefront.query("SELECT status FROM core_outboxmessage WHERE id = ?", message_id)
                == [("delivered",)]
            )
        )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    assert storefront.query("SELECT status, attempts FROM core_outboxmessage WHERE id = ?", message_id) == [
        ("delivered", 1)
    ]
    assert storefront.query("SELECT count(*) FROM core_deliveryattempt WHERE message_id = ?", message_id) == [
        (1,)
    ]
    # The partner saw the same document twice (the killed try and the finished one): same payloadID,
    # so it recognises the repeat; nothing else was sent.
    seen = [cxml.parse(r.body).document.payload_id for r in partner.received]
    assert seen == [payload_id, payload_id]
