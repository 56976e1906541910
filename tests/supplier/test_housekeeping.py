"""The storefront's housekeeping: a catalog export or a procurement-system check left running by a
lost worker is failed, saying to start it again; exported files are deleted after their retention,
the export staying as the record that says so."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from openprocure.core import housekeeping, scheduling, tasks
from openprocure.core.models import AdminEvent
from openprocure.supplier.catalog import export, services
from openprocure.supplier.catalog import tasks as catalog_tasks
from openprocure.supplier.catalog.choices import ExportStatus
from openprocure.supplier.catalog.models import CatalogExport
from openprocure.supplier.orders import services as orders
from openprocure.supplier.orders import tasks as orders_tasks
from openprocure.supplier.orders.choices import ConformanceStatus
from openprocure.supplier.orders.models import ConformanceRun
from openprocure.supplier.orders.services import create_api_key
from tests.supplier.worlds import PASSWORD

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
STOPPED = "The worker stopped while this was running; start it again."
LOST = "The task was lost twice before a worker could take it; start it again."
WAIT = timedelta(hours=3)


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def lost_export(acme, monkeypatch) -> CatalogExport:
    """An export whose worker died while writing its file (the process ended without its cleanup)."""
    admin = acme.business.memberships.get(is_administrator=True).user
    made = services.start_export(business=acme.business, format="cif", since=None, actor=admin)

    def killed(business, out, **kwargs):
        out.write(b"CIF_I_V3.0\n")
        raise SystemExit(137)

    with monkeypatch.context() as patch:
        patch.setattr(export, "write", killed)
        with pytest.raises(SystemExit):
            services.run_export(export_id=made.pk)
    made.refresh_from_db()
    assert made.status == ExportStatus.RUNNING
    return made


def stopped_events() -> list[tuple[str, int, dict]]:
    return [
        (event.subject_type, event.subject_id, event.detail)
        for event in AdminEvent.objects.filter(kind="stopped").order_by("id")
    ]


def test_the_housekeeping_is_a_periodic_task_of_every_site():
    assert dict(scheduling.periodic_tasks())["openprocure.core.tasks.housekeeping"] == 300.0
    with override_settings(HOUSEKEEPING_SECONDS=60.0):
        assert dict(scheduling.periodic_tasks())["openprocure.core.tasks.housekeeping"] == 60.0
    assert [work.model._meta.label for work in housekeeping.registered()] == [
        "catalog.CatalogExport",
        "orders.ConformanceRun",
    ]
    assert [(work.waiting, work.waiting_since, work.task) for work in housekeeping.registered()] == [
        ("queued", "created_at", catalog_tasks.run_catalog_export),
        ("queued", "created_at", orders_tasks.run_conformance_checks),
    ]


def enqueued() -> list[tuple[str, list]]:
    return [(result.task.name, list(result.args)) for result in default_task_backend.results]


def test_an_export_whose_task_was_lost_is_queued_again_once_then_failed_saying_why(
    acme, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    admin = acme.business.memberships.get(is_administrator=True).user
    lost = services.start_export(business=acme.business, format="cif", since=None, actor=admin)
    asked = lost.created_at
    quiet = {
        "stuck": 0,
        "requeued": 0,
        "lost": 0,
        "openprocure.supplier.catalog.services.delete_expired_exports": 0,
    }
    # A busy queue is not a lost task: within three hours it is left waiting.
    assert housekeeping.run(now=asked + WAIT) == quiet
    again = asked + WAIT + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.run(now=again) == {**quiet, "requeued": 1}
    assert enqueued() == [("run_catalog_export", [lost.pk])]
    event = AdminEvent.objects.get(kind="requeued")
    assert (event.subject_type, event.subject_id, event.actor, event.created_at, event.detail) == (
        "catalog.catalogexport",
        lost.pk,
        None,
        again,
        {"waiting_since": asked.isoformat(), "limit_seconds": 10800.0},
    )
    assert event.label == "Queued again: its task was lost"
    # Enqueued again once: later rounds within the second period do nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.run(now=again + WAIT) == quiet
    assert len(enqueued()) == 1
    assert CatalogExport.objects.get().status == ExportStatus.QUEUED
    # Still waiting after the second period: failed, saying why.
    end = again + WAIT + timedelta(seconds=1)
    assert housekeeping.run(now=end) == {**quiet, "lost": 1}
    lost.refresh_from_db()
    assert (lost.status, lost.error, lost.finished_at, lost.started_at) == (
        ExportStatus.FAILED,
        LOST,
        end,
        None,
    )
    event = AdminEvent.objects.get(kind="lost")
    assert (event.subject_id, event.actor, event.label, event.detail) == (
        lost.pk,
        None,
        "Failed: its task was lost twice",
        {
            "from": "queued",
            "to": "failed",
            "waiting_since": asked.isoformat(),
            "requeued_at": again.isoformat(),
            "limit_seconds": 10800.0,
            "reason": LOST,
        },
    )
    assert housekeeping.run(now=end + WAIT * 2) == quiet
    assert len(enqueued()) == 1
    # A worker that gets the task after all leaves the failed export as it is.
    assert services.run_export(export_id=lost.pk).status == ExportStatus.FAILED
    assert (CatalogExport.objects.get().error, CatalogExport.objects.get().file_name) == (LOST, "")


def test_the_task_queued_again_runs_the_export_and_the_waiting_limit_is_a_tunable(
    acme, products, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    admin = acme.business.memberships.get(is_administrator=True).user
    lost = services.start_export(business=acme.business, format="cif", since=None, actor=admin)
    with override_settings(STUCK_QUEUED_SECONDS=60.0):
        assert housekeeping.requeue_lost_work(now=lost.created_at + timedelta(seconds=60)) == {
            "requeued": 0,
            "lost": 0,
        }
        with django_capture_on_commit_callbacks(execute=True):
            assert housekeeping.requeue_lost_work(now=lost.created_at + timedelta(seconds=61)) == {
                "requeued": 1,
                "lost": 0,
            }
        lost.refresh_from_db()
        assert (lost.status, lost.done, lost.error) == (ExportStatus.DONE, lost.total, "")
        assert (settings.DATA_DIR / "catalog-exports" / lost.file_name).read_bytes().startswith(b"CIF_I_V3.0")
        # Done, it is never failed however late the next round.
        assert housekeeping.requeue_lost_work(now=lost.created_at + timedelta(days=1)) == {
            "requeued": 0,
            "lost": 0,
        }
    assert CatalogExport.objects.get().status == ExportStatus.DONE


@override_settings(STUCK_QUEUED_SECONDS=600.0)
def test_a_procurement_system_check_whose_task_was_lost_twice_is_failed(
    acme, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    now = timezone.now()
    lost = ConformanceRun.objects.create(
        integration=acme, url="https://acme.example/cxml", created_at=now - timedelta(seconds=601)
    )
    fresh = ConformanceRun.objects.create(integration=acme, url="https://acme.example/cxml", created_at=now)
    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.requeue_lost_work(now=now) == {"requeued": 1, "lost": 0}
    assert enqueued() == [("run_conformance_checks", [lost.pk])]
    later = now + timedelta(seconds=601)
    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.requeue_lost_work(now=later) == {"requeued": 1, "lost": 1}
    assert enqueued() == [("run_conformance_checks", [lost.pk]), ("run_conformance_checks", [fresh.pk])]
    lost.refresh_from_db()
    assert (lost.status, lost.error, lost.current, lost.finished_at) == (
        ConformanceStatus.FAILED,
        LOST,
        "",
        later,
    )
    assert [
        (event.kind, event.subject_id)
        for event in AdminEvent.objects.filter(subject_type="orders.conformancerun").order_by("id")
    ] == [("requeued", lost.pk), ("requeued", fresh.pk), ("lost", lost.pk)]
    # The task of the lost run, come late, does not run a failed check.
    assert orders.run_conformance(run_id=lost.pk).status == ConformanceStatus.FAILED
    lost.refresh_from_db()
    assert (lost.status, lost.error, lost.started_at) == (ConformanceStatus.FAILED, LOST, None)


def test_an_export_left_running_by_a_lost_worker_is_failed_saying_to_start_it_again(
    client, acme, products, settings, monkeypatch
):
    settings.TASKS = IMMEDIATE
    stuck = lost_export(acme, monkeypatch)
    started = stuck.started_at
    # Within the hour it may still be writing: left alone.
    assert housekeeping.run(now=started + timedelta(minutes=59)) == {
        "stuck": 0,
        "requeued": 0,
        "lost": 0,
        "openprocure.supplier.catalog.services.delete_expired_exports": 0,
    }
    assert CatalogExport.objects.get().status == ExportStatus.RUNNING
    later = started + timedelta(hours=1, seconds=1)
    assert housekeeping.run(now=later)["stuck"] == 1
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error, stuck.finished_at, stuck.file_name) == (
        ExportStatus.FAILED,
        STOPPED,
        later,
        "",
    )
    assert stopped_events() == [
        (
            "catalog.catalogexport",
            stuck.pk,
            {
                "from": "running",
                "to": "failed",
                "started_at": started.isoformat(),
                "limit_seconds": 3600.0,
                "reason": STOPPED,
            },
        )
    ]
    event = AdminEvent.objects.get(kind="stopped")
    assert (event.actor, event.label) == (None, "Stopped: its worker was lost")
    # A second round finds nothing more to do.
    assert housekeeping.run(now=later)["stuck"] == 0
    assert AdminEvent.objects.filter(kind="stopped").count() == 1
    # The page says why, and the administrator starts it again.
    client.login(username="admin@acme.test", password=PASSWORD)
    url = reverse("catalog-export", kwargs={"business_id": acme.business_id})
    shown = client.get(url).content.decode()
    assert STOPPED in shown
    client.post(url + "?export", {"format": "cif", "since": ""})
    assert list(CatalogExport.objects.order_by("id").values_list("status", flat=True)) == ["failed", "done"]


@override_settings(STUCK_WORK_SECONDS=60.0)
def test_a_procurement_system_check_left_running_is_failed_by_the_periodic_task(acme, settings):
    settings.TASKS = IMMEDIATE
    now = timezone.now()
    stuck = ConformanceRun.objects.create(
        integration=acme,
        url="https://acme.example/cxml",
        status=ConformanceStatus.RUNNING,
        started_at=now - timedelta(seconds=61),
        current="Confirmation of the test order",
    )
    recent = ConformanceRun.objects.create(
        integration=acme, url="https://acme.example/cxml", status=ConformanceStatus.RUNNING, started_at=now
    )
    queued = ConformanceRun.objects.create(integration=acme, url="https://acme.example/cxml")
    result = tasks.housekeeping.enqueue()
    assert result.return_value == {
        "stuck": 1,
        "requeued": 0,
        "lost": 0,
        "openprocure.supplier.catalog.services.delete_expired_exports": 0,
    }
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error, stuck.current) == (ConformanceStatus.FAILED, STOPPED, "")
    assert stuck.finished_at is not None
    assert [(type_, pk, detail["limit_seconds"]) for type_, pk, detail in stopped_events()] == [
        ("orders.conformancerun", stuck.pk, 60.0)
    ]
    recent.refresh_from_db()
    queued.refresh_from_db()
    assert (recent.status, queued.status) == (ConformanceStatus.RUNNING, ConformanceStatus.QUEUED)


def age(path, days: float) -> None:
    moment = (timezone.now() - timedelta(days=days)).timestamp()
    os.utime(path, (moment, moment))


def test_exported_files_are_deleted_after_their_retention_and_the_export_says_so(
    client, acme, products, settings
):
    settings.TASKS = IMMEDIATE
    admin = acme.business.memberships.get(is_administrator=True).user
    _row, key = create_api_key(business=acme.business, by=admin, name="ERP")
    headers = {"Authorization": f"Bearer {key}"}
    old = services.run_export(
        export_id=services.start_export(business=acme.business, format="cif", since=None, actor=admin).pk
    )
    recent = services.run_export(
        export_id=services.start_export(business=acme.business, format="bmecat", since=None, actor=admin).pk
    )
    now = timezone.now().replace(microsecond=0)
    CatalogExport.objects.filter(pk=old.pk).update(finished_at=now - timedelta(days=30, seconds=1))
    CatalogExport.objects.filter(pk=recent.pk).update(finished_at=now - timedelta(days=29))
    folder = settings.DATA_DIR / "catalog-exports"
    old_file, recent_file = folder / old.file_name, folder / recent.file_name
    # A file no export names (its worker was lost before recording it), as old and newer.
    orphan, fresh_orphan = folder / "catalog-1-99-0badf00d.cif", folder / "catalog-1-98-0badf00d.cif"
    orphan.write_bytes(b"CIF_I_V3.0\n")
    fresh_orphan.write_bytes(b"CIF_I_V3.0\n")
    age(orphan, 31)
    age(fresh_orphan, 2)

    assert housekeeping.run(now=now) == {
        "stuck": 0,
        "requeued": 0,
        "lost": 0,
        "openprocure.supplier.catalog.services.delete_expired_exports": 2,
    }
    assert sorted(path.name for path in folder.iterdir()) == sorted([recent_file.name, fresh_orphan.name])
    assert not old_file.exists()
    old.refresh_from_db()
    assert (old.status, old.file_name, old.file_deleted_at) == (ExportStatus.DONE, "", now)
    recent.refresh_from_db()
    assert (recent.file_name, recent.file_deleted_at) == (recent_file.name, None)
    event = AdminEvent.objects.get(kind="expired")
    assert (event.subject_type, event.subject_id, event.actor, event.detail["file"]) == (
        "catalog.catalogexport",
        old.pk,
        None,
        old_file.name,
    )
    assert event.label == "File deleted after its retention"
    # Nothing more to delete on the next round.
    assert housekeeping.run(now=now)["openprocure.supplier.catalog.services.delete_expired_exports"] == 0

    # The page says the file was deleted (no link); the recent one still downloads.
    client.login(username="admin@acme.test", password=PASSWORD)
    shown = client.get(reverse("catalog-export", kwargs={"business_id": acme.business_id})).content.decode()
    assert f"File deleted on {timezone.localtime(now):%-d %b %Y}: export the catalog again." in shown
    assert reverse("catalog-export-download", kwargs={"export_id": old.pk}) not in shown
    assert f'href="{reverse("catalog-export-download", kwargs={"export_id": recent.pk})}"' in shown
    assert client.get(reverse("catalog-export-download", kwargs={"export_id": old.pk})).status_code == 404
    french = client.get(
        reverse("catalog-export", kwargs={"business_id": acme.business_id}), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert (
        f"Fichier supprimé le {timezone.localtime(now):%d/%m/%Y} : exportez à nouveau le catalogue." in french
    )
    # Through the API: no file URL, the date of deletion, and a 404 saying why.
    body = client.get(f"/api/catalog-exports/{old.pk}", headers=headers).json()
    assert (body["status"], body["file_url"], body["file_deleted_at"]) == (
        "done",
        "",
        now.isoformat().replace("+00:00", "Z"),
    )
    gone = client.get(f"/api/catalog-exports/{old.pk}/file", headers=headers)
    assert (gone.status_code, gone.json()) == (
        404,
        {"detail": "The file of this export was deleted after its retention: ask for a new export."},
    )
    kept = client.get(f"/api/catalog-exports/{recent.pk}/file", headers=headers)
    assert kept.status_code == 200
    assert b"".join(kept.streaming_content) == recent_file.read_bytes()


@override_settings(CATALOG_EXPORT_RETENTION_DAYS=1)
def test_the_retention_is_a_tunable(acme, products):
    admin = acme.business.memberships.get(is_administrator=True).user
    made = services.run_export(
        export_id=services.start_export(business=acme.business, format="cif", since=None, actor=admin).pk
    )
    assert services.delete_expired_exports(now=made.finished_at + timedelta(hours=23)) == 0
    assert services.delete_expired_exports(now=made.finished_at + timedelta(days=1, seconds=1)) == 1
    made.refresh_from_db()
    assert made.file_name == ""
