"""The operator status page (``/operations/``): who may open it, and exactly what it shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import formats, timezone
from lxml import html

from openprocure.core import scheduling
from openprocure.core.models import OutboxMessage, PeriodicTask, SchedulerLease, User, WorkerHeartbeat
from tests.core.operations_world import URL, rows

pytestmark = pytest.mark.django_db


def client_for(email: str, *, staff: bool) -> Client:
    client = Client()
    client.force_login(User.objects.create_user(email, password="unused password", is_staff=staff))
    return client


def shown(when: object) -> str:
    return str(formats.date_format(timezone.localtime(when), "DATETIME_FORMAT"))  # type: ignore[arg-type]


def test_anonymous_people_are_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/operations/")


def test_people_who_are_not_staff_are_refused() -> None:
    response = client_for("requester@example.com", staff=False).get(URL)
    assert response.status_code == 403
    assert "Only staff members may see the operations status of this site." in response.content.decode()
    assert b'id="workers"' not in response.content


def test_the_page_shows_workers_queue_outbox_and_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENPROCURE_SECRET_KEY", raising=False)
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="web1:101:abcdef",
        hostname="web1",
        pid=101,
        backend="x",
        slots=4,
        started_at=now,
        last_seen_at=now,
    )
    silent_since = now - timedelta(seconds=scheduling.ALIVE_SECONDS + 5)
    WorkerHeartbeat.objects.create(
        worker_id="web2:202:ghijkl",
        hostname="web2",
        pid=202,
        backend="x",
        slots=2,
        started_at=silent_since,
        last_seen_at=silent_since,
    )
    lease_end = now + timedelta(seconds=20)
    SchedulerLease.objects.create(name="scheduler", holder="web1:101:abcdef", expires_at=lease_end)
    PeriodicTask.objects.create(path="openprocure.core.tasks.sweep_outbox", next_run_at=lease_end, runs=3)
    body = '<?xml version="1.0"?><cXML/>'
    OutboxMessage.objects.create(
        kind="OrderRequest", url="https://a.example/cxml/", payload_id="p1", body=body
    )
    running_until = now + timedelta(seconds=60)
    OutboxMessage.objects.create(
        kind="OrderRequest",
        url="https://a.example/cxml/",
        destination="a.example",
        payload_id="p2",
        reference="PO-2",
        body=body,
        status="delivering",
        attempts=1,
        lease_until=running_until,
    )
    stuck_since = now - timedelta(minutes=5)
    OutboxMessage.objects.create(
        kind="ConfirmationRequest",
        url="https://b.example/cxml/",
        destination="b.example",
        payload_id="p3",
        reference="PO-3",
        body=body,
        status="delivering",
        attempts=2,
        lease_until=stuck_since,
    )

    response = client_for("ops@example.com", staff=True).get(URL)

    assert response.status_code == 200
    page = response.content
    tree = html.fromstring(page)
    assert " ".join(tree.get_element_by_id("scheduler").text_content().split()) == (
        f"Scheduler: worker web1:101:abcdef (lease renewed until {shown(lease_end)})."
    )
    assert rows(page, "workers") == [
        ["web1:101:abcdef", "web1", "101", "4", shown(now), shown(now), "Alive, scheduler"],
        ["web2:202:ghijkl", "web2", "202", "2", shown(silent_since), shown(silent_since), "Not responding"],
    ]
    assert rows(page, "periodic-tasks") == [
        ["openprocure.core.tasks.sweep_outbox", "3", "—", shown(lease_end)]
    ]
    assert rows(page, "queue") == [
        ["Waiting", "0"],
        ["Scheduled for later", "0"],
        ["Running", "0"],
        ["Failed", "0"],
    ]
    assert rows(page, "outbox") == [
        ["Waiting for delivery", "1"],
        ["Being delivered", "2"],
        ["Delivered", "0"],
        ["Will retry", "0"],
        ["Failed", "0"],
        ["Cancelled", "0"],
    ]
    assert rows(page, "delivering") == [
        [
            "ConfirmationRequest PO-3 (p3)",
            "b.example",
            "2",
            f"Expired at {shown(stuck_since)}: its worker stopped; the sweeper will send it again.",
        ],
        ["OrderRequest PO-2 (p2)", "a.example", "1", f"Until {shown(running_until)}"],
    ]
    assert rows(page, "backends") == [
        ["Database", {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]],
        ["Task backend", "django_tasks_db.backend.DatabaseBackend"],
        ["Catalog search", "none (no catalog on this site)"],
        ["E-mail", "django.core.mail.backends.locmem.EmailBackend"],
        [
            "Secret and encryption keys",
            "from this host's data folder: set OPENPROCURE_SECRET_KEY and OPENPROCURE_ENCRYPTION_KEY when "
            "several hosts run this site",
        ],
    ]


def test_keys_from_the_environment_are_named_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENPROCURE_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("OPENPROCURE_ENCRYPTION_KEY", "y" * 50)
    response = client_for("ops@example.com", staff=True).get(URL)
    assert rows(response.content, "backends")[4] == ["Secret and encryption keys", "from the environment"]


def test_without_a_scheduler_the_page_says_so_in_french() -> None:
    client = client_for("ops@example.com", staff=True)
    response = client.get(URL, headers={"accept-language": "fr"})
    assert response.status_code == 200
    tree = html.fromstring(response.content)
    assert tree.get_element_by_id("scheduler").text_content().startswith("Aucun worker")


def test_staff_see_the_page_in_their_menu() -> None:
    staff = client_for("ops@example.com", staff=True).get("/").content.decode()
    other = client_for("someone@example.com", staff=False).get("/").content.decode()
    assert 'href="/operations/"' in staff
    assert 'href="/operations/"' not in other
