"""The buyer suite's housekeeping: a conformance run or a catalog check left running by a lost
worker is failed through its transition table, saying what to do, with an administrative event; one
left waiting by a lost task has its task enqueued again once, then is failed the same way."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks import default_task_backend

from openprocure.buyer.catalogs import services as catalogs
from openprocure.buyer.catalogs import tasks as catalog_tasks
from openprocure.buyer.catalogs.choices import VersionStatus
from openprocure.buyer.catalogs.models import CatalogEvent, CatalogItem, CatalogProblem, CatalogVersion
from openprocure.buyer.suppliers.choices import ConformanceRunStatus
from openprocure.buyer.suppliers.conformance import execute_conformance_run, run_conformance
from openprocure.buyer.suppliers.models import ConformanceRun, PunchOutConnection, Supplier
from openprocure.core import housekeeping, scheduling
from openprocure.core.models import AdminEvent, User
from tests.buyer.catalog_world import cif_file, item, upload

pytestmark = pytest.mark.django_db

STOPPED = "The worker stopped while this was running; start it again."
LOST = "The task was lost twice before a worker could take it; start it again."
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
WAIT = timedelta(hours=3, seconds=1)


@pytest.fixture
def admin(acme: PunchOutConnection) -> Client:
    client = Client()
    client.force_login(User.objects.get(email="admin@acme.test"))
    return client


def test_the_buyer_suite_registers_its_background_work(acme: PunchOutConnection) -> None:
    assert dict(scheduling.periodic_tasks())["openprocure.core.tasks.housekeeping"] == 300.0
    assert [work.model._meta.label for work in housekeeping.registered()] == [
        "suppliers.ConformanceRun",
        "catalogs.CatalogVersion",
    ]
    assert [(work.waiting, work.waiting_since, work.task) for work in housekeeping.registered()] == [
        ("queued", "created_at", run_conformance),
        ("uploaded", "uploaded_at", catalog_tasks.check_catalog),
    ]


def test_a_conformance_run_left_running_is_failed_and_can_be_run_again(
    acme: PunchOutConnection, admin: Client
) -> None:
    now = timezone.now()
    stuck = ConformanceRun.objects.create(
        connection=acme,
        status=ConformanceRunStatus.RUNNING,
        started_at=now - timedelta(hours=2),
        progress=[{"code": "setup", "title": "PunchOut setup", "outcome": "passed", "done": True}],
    )
    busy = ConformanceRun.objects.create(
        connection=acme, status=ConformanceRunStatus.RUNNING, started_at=now - timedelta(minutes=5)
    )
    assert housekeeping.fail_stuck_work(now=now) == 1
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error, stuck.finished_at, stuck.is_active) == (
        ConformanceRunStatus.FAILED,
        STOPPED,
        now,
        False,
    )
    assert stuck.progress[0]["done"] is True  # what it did before is kept
    busy.refresh_from_db()
    assert busy.status == ConformanceRunStatus.RUNNING
    event = AdminEvent.objects.get(kind="stopped")
    assert (event.subject_type, event.subject_id, event.actor, event.detail) == (
        "suppliers.conformancerun",
        stuck.pk,
        None,
        {
            "from": "running",
            "to": "failed",
            "started_at": (now - timedelta(hours=2)).isoformat(),
            "limit_seconds": 3600.0,
            "reason": STOPPED,
        },
    )
    page = admin.get(f"/suppliers/conformance/{stuck.pk}/").content.decode()
    assert STOPPED in page
    with override_settings(STUCK_WORK_SECONDS=240.0):
        assert housekeeping.fail_stuck_work(now=now) == 1
    busy.refresh_from_db()
    assert busy.status == ConformanceRunStatus.FAILED


def assert_rejected_with_one_problem(version: CatalogVersion, code: str, text: str) -> None:
    """The housekeeping rejected the version: no item kept, one problem (of the file) saying why."""
    version.refresh_from_db()
    assert (version.status, version.item_count, version.problem_count) == (VersionStatus.REJECTED, 0, 1)
    assert CatalogItem.objects.filter(version=version).count() == 0
    [problem] = CatalogProblem.objects.filter(version=version)
    assert (problem.code, problem.line, problem.text) == (code, 0, text)


def test_a_catalog_check_whose_worker_died_is_rejected_saying_to_upload_again(
    acme: PunchOutConnection, admin: Client, monkeypatch: Any
) -> None:
    supplier = Supplier.objects.create(name="Office Supplies Ltd")
    version = upload(admin, supplier, cif_file([item("P-1", "Paper", "4.50"), item("P-2", "Pens", "2.10")]))
    assert version.status == VersionStatus.UPLOADED
    read_rows = catalogs._read_rows

    def killed(*args: Any) -> Any:
        read_rows(*args)  # every item written, then the worker is killed before it says so
        raise SystemExit(137)

    with monkeypatch.context() as patch:
        patch.setattr(catalogs, "_read_rows", killed)
        with pytest.raises(SystemExit):
            catalogs.check_version(version_id=version.pk)
    version.refresh_from_db()
    assert (version.status, CatalogItem.objects.filter(version=version).count()) == (
        VersionStatus.VALIDATING,
        2,
    )
    assert version.started_at is not None

    later = version.started_at + timedelta(hours=1, seconds=1)
    assert housekeeping.run(now=later) == {"stuck": 1, "requeued": 0, "lost": 0}
    assert_rejected_with_one_problem(
        version, "stopped", "The worker stopped while this file was being checked; upload it again."
    )
    assert [
        (event.kind, event.from_status, event.to_status, event.detail)
        for event in CatalogEvent.objects.filter(version=version).order_by("id")
    ] == [
        (
            "uploaded",
            "",
            "uploaded",
            {"file": "catalog.cif", "bytes": version.size, "sha256": version.sha256},
        ),
        ("status_changed", "uploaded", "validating", {}),
        ("status_changed", "validating", "rejected", {"reason": STOPPED}),
    ]
    assert AdminEvent.objects.get(kind="stopped").subject_id == version.pk
    page = admin.get(f"/catalogs/{version.pk}/").content.decode()
    assert "The worker stopped while this file was being checked; upload it again." in page
    french = admin.get(f"/catalogs/{version.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert (
        "Le traitement s’est arrêté pendant la vérification de ce fichier ; téléversez-le à nouveau."
        in french
    )
    # A check that is only waiting for a worker is not stopped work, however old (a lost task is
    # the business of ``requeue_lost_work``).
    waiting = upload(admin, supplier, cif_file([item("P-3", "Stapler", "9.90")]))
    assert housekeeping.fail_stuck_work(now=later + timedelta(days=30)) == 0
    assert CatalogVersion.objects.get(pk=waiting.pk).status == VersionStatus.UPLOADED


def enqueued() -> list[tuple[str, list[Any]]]:
    return [(result.task.name, list(result.args)) for result in default_task_backend.results]


def test_a_conformance_run_whose_task_was_lost_is_queued_again_then_failed(
    acme: PunchOutConnection, admin: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = DUMMY
    now = timezone.now()
    lost = ConformanceRun.objects.create(connection=acme, created_at=now - WAIT)
    recent = ConformanceRun.objects.create(connection=acme, created_at=now - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.run(now=now) == {"stuck": 0, "requeued": 1, "lost": 0}
    assert enqueued() == [("run_conformance", [lost.pk])]
    assert ConformanceRun.objects.get(pk=lost.pk).status == ConformanceRunStatus.QUEUED
    assert list(AdminEvent.objects.values_list("kind", "subject_type", "subject_id", "detail")) == [
        (
            "requeued",
            "suppliers.conformancerun",
            lost.pk,
            {"waiting_since": (now - WAIT).isoformat(), "limit_seconds": 10800.0},
        )
    ]
    later = now + WAIT
    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.run(now=later) == {"stuck": 0, "requeued": 1, "lost": 1}
    assert enqueued() == [("run_conformance", [lost.pk]), ("run_conformance", [recent.pk])]
    lost.refresh_from_db()
    assert (lost.status, lost.error, lost.finished_at, lost.started_at, lost.is_active) == (
        ConformanceRunStatus.FAILED,
        LOST,
        later,
        None,
        False,
    )
    event = AdminEvent.objects.get(kind="lost")
    assert (event.subject_id, event.actor, event.detail) == (
        lost.pk,
        None,
        {
            "from": "queued",
            "to": "failed",
            "waiting_since": (now - WAIT).isoformat(),
            "requeued_at": now.isoformat(),
            "limit_seconds": 10800.0,
            "reason": LOST,
        },
    )
    assert LOST in admin.get(f"/suppliers/conformance/{lost.pk}/").content.decode()
    # The lost task, come late after all, leaves the failed run alone.
    assert execute_conformance_run(lost.pk).status == ConformanceRunStatus.FAILED
    assert ConformanceRun.objects.get(pk=lost.pk).error == LOST


def test_a_catalog_check_whose_task_was_lost_twice_is_rejected_saying_to_upload_again(
    acme: PunchOutConnection, admin: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = DUMMY
    supplier = Supplier.objects.create(name="Office Supplies Ltd")
    version = upload(admin, supplier, cif_file([item("P-1", "Paper", "4.50")]))
    assert enqueued() == [("check_catalog", [version.pk])]  # the task the queue then lost
    again = version.uploaded_at + WAIT
    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.requeue_lost_work(now=again) == {"requeued": 1, "lost": 0}
        assert housekeeping.requeue_lost_work(now=again + timedelta(hours=3)) == {"requeued": 0, "lost": 0}
    assert enqueued() == [("check_catalog", [version.pk])] * 2
    end = again + WAIT
    assert housekeeping.requeue_lost_work(now=end) == {"requeued": 0, "lost": 1}
    assert_rejected_with_one_problem(
        version, "lost", "The file was never checked: its task was lost twice; upload it again."
    )
    assert version.checked_at is not None
    assert [
        (event.kind, event.from_status, event.to_status, event.detail)
        for event in CatalogEvent.objects.filter(version=version, kind="status_changed")
    ] == [("status_changed", "uploaded", "rejected", {"reason": LOST})]
    assert AdminEvent.objects.get(kind="lost").detail["from"] == "uploaded"
    page = admin.get(f"/catalogs/{version.pk}/").content.decode()
    assert "The file was never checked: its task was lost twice; upload it again." in page
    french = admin.get(f"/catalogs/{version.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert (
        "Le fichier n’a jamais été vérifié : sa tâche a été perdue deux fois ; téléversez-le à nouveau."
        in french
    )
    # The lost task, come late after all, leaves the rejected version alone.
    assert catalogs.check_version(version_id=version.pk).status == VersionStatus.REJECTED
    assert CatalogItem.objects.filter(version=version).count() == 0
