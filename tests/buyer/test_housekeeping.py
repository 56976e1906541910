"""The buyer suite's housekeeping: a conformance run or a catalog check left running by a lost
worker is failed through its transition table, saying what to do, with an administrative event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from openprocure.buyer.catalogs import services as catalogs
from openprocure.buyer.catalogs.choices import VersionStatus
from openprocure.buyer.catalogs.models import CatalogEvent, CatalogItem, CatalogProblem, CatalogVersion
from openprocure.buyer.suppliers.choices import ConformanceRunStatus
from openprocure.buyer.suppliers.models import ConformanceRun, PunchOutConnection, Supplier
from openprocure.core import housekeeping, scheduling
from openprocure.core.models import AdminEvent, User
from tests.buyer.catalog_world import cif_file, item, upload

pytestmark = pytest.mark.django_db

STOPPED = "The worker stopped while this was running; start it again."


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
    assert housekeeping.run(now=later) == {"stuck": 1}
    version.refresh_from_db()
    assert (version.status, version.item_count, version.problem_count) == (VersionStatus.REJECTED, 0, 1)
    assert CatalogItem.objects.filter(version=version).count() == 0
    [problem] = CatalogProblem.objects.filter(version=version)
    assert (problem.code, problem.line, problem.text) == (
        "stopped",
        0,
        "The worker stopped while this file was being checked; upload it again.",
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
    # A check that is only waiting for a worker is never failed, however old.
    waiting = upload(admin, supplier, cif_file([item("P-3", "Stapler", "9.90")]))
    assert housekeeping.fail_stuck_work(now=later + timedelta(days=30)) == 0
    assert CatalogVersion.objects.get(pk=waiting.pk).status == VersionStatus.UPLOADED
