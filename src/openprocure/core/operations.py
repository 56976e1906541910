"""The operator status page of each site: workers, queues, the outbox and the backends in use.

Staff only (``is_staff``: the buyer suite's administrators with access to the Django admin, the
storefront's operators and support representatives). Everything is read from this site's own
database (and Redis on RQ) at each request; nothing is cached.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprocure.core import scheduling
from openprocure.core.choices import OutboxStatus
from openprocure.core.models import OutboxMessage, PeriodicTask, WorkerHeartbeat

DATABASE_NAMES = {
    "sqlite": "SQLite",
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "oracle": "Oracle",
}


@dataclass(frozen=True)
class WorkerRow:
    worker_id: str
    hostname: str
    pid: int
    slots: int
    started_at: datetime
    last_seen_at: datetime
    alive: bool
    scheduler: bool


@dataclass(frozen=True)
class Count_:
    label: Any
    count: int


def workers(now: datetime) -> list[WorkerRow]:
    """Every worker that reported itself in the last day, the scheduler's holder marked."""
    lease = scheduling.current_lease()
    holder = lease.holder if lease is not None and lease.expires_at >= now else ""
    alive_since = now - timedelta(seconds=scheduling.ALIVE_SECONDS)
    return [
        WorkerRow(
            worker_id=row.worker_id,
            hostname=row.hostname,
            pid=row.pid,
            slots=row.slots,
            started_at=row.started_at,
            last_seen_at=row.last_seen_at,
            alive=row.last_seen_at >= alive_since,
            scheduler=row.worker_id == holder,
        )
        for row in WorkerHeartbeat.objects.all()
    ]


def queue_depths(now: datetime) -> list[Count_]:
    """Tasks waiting, scheduled, running and failed, in the task backend's own terms."""
    if scheduling.uses_rq():
        from django_rq import get_queue
        from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

        queue = get_queue("default")
        return [
            Count_(gettext_lazy("Waiting"), queue.count),
            Count_(gettext_lazy("Scheduled for later"), ScheduledJobRegistry(queue=queue).count),
            Count_(gettext_lazy("Running"), StartedJobRegistry(queue=queue).count),
            Count_(gettext_lazy("Failed"), FailedJobRegistry(queue=queue).count),
        ]
    from django_tasks_db.models import DBTaskResult

    results = DBTaskResult.objects.all()
    ready = results.filter(status="READY")
    return [
        Count_(gettext_lazy("Waiting"), ready.exclude(run_after__gt=now).count()),
        Count_(gettext_lazy("Scheduled for later"), ready.filter(run_after__gt=now).count()),
        Count_(gettext_lazy("Running"), results.filter(status="RUNNING").count()),
        Count_(gettext_lazy("Failed"), results.filter(status="FAILED").count()),
    ]


def outbox_counts() -> list[Count_]:
    """Outbox messages by status, every status listed."""
    counts = dict(OutboxMessage.objects.values_list("status").annotate(count=Count("pk")).order_by())
    return [Count_(status.label, counts.get(status.value, 0)) for status in OutboxStatus]


def search_backend() -> str:
    """The catalog search backend class of this site, or "" when it has no catalog.

    A site with a catalog names, in ``OPERATIONS_SEARCH_BACKEND``, a function returning its class
    (core never imports a site's apps).
    """
    path = getattr(settings, "OPERATIONS_SEARCH_BACKEND", "")
    if not path:
        return ""
    backend_class = import_string(path)()
    return f"{backend_class.__module__}.{backend_class.__qualname__}"


def backends() -> list[tuple[Any, str]]:
    return [
        (gettext_lazy("Database"), DATABASE_NAMES.get(connection.vendor, connection.vendor)),
        (gettext_lazy("Task backend"), scheduling.backend_path()),
        (gettext_lazy("Catalog search"), search_backend() or _("none (no catalog on this site)")),
        (gettext_lazy("E-mail"), settings.EMAIL_BACKEND),
        (gettext_lazy("Secret and encryption keys"), key_source()),
    ]


def key_source() -> str:
    """Where this process took its keys from: every host of a site must have the same ones."""
    if os.environ.get("OPENPROCURE_SECRET_KEY") and os.environ.get("OPENPROCURE_ENCRYPTION_KEY"):
        return _("from the environment")
    return _(
        "from this host's data folder: set OPENPROCURE_SECRET_KEY and OPENPROCURE_ENCRYPTION_KEY when "
        "several hosts run this site"
    )


@login_required
def operations_status(request: HttpRequest) -> HttpResponse:
    """The status page: are the workers alive, is work piling up, what is being delivered."""
    if not request.user.is_staff:
        raise PermissionDenied(_("Only staff members may see the operations status of this site."))
    now = timezone.now()
    lease = scheduling.current_lease()
    return render(
        request,
        "core/operations.html",
        {
            "now": now,
            "workers": workers(now),
            "lease": lease if lease is not None and lease.holder and lease.expires_at >= now else None,
            "periodic_tasks": list(PeriodicTask.objects.all()),
            "queue": queue_depths(now),
            "outbox": outbox_counts(),
            "delivering": list(
                OutboxMessage.objects.filter(status=OutboxStatus.DELIVERING).order_by("lease_until", "pk")
            ),
            "backends": backends(),
        },
    )
