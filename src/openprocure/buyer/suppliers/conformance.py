"""Conformance runs of a supplier connection: the supplier-role checks of the protocol core
(``punchout.conformance.supplier``) played by a worker against the connection, their progress and
their report kept with the connection.

:func:`start_conformance_run` keeps a queued run and enqueues :func:`run_conformance` once committed;
the task calls :func:`execute_conformance_run`.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from openprocure.buyer.suppliers.choices import (
    CONFORMANCE_RUN_TRANSITIONS,
    ConformanceRunStatus,
    ConnectionProtocol,
    DeploymentMode,
)
from openprocure.buyer.suppliers.models import ConformanceRun, PunchOutConnection
from openprocure.buyer.suppliers.services import ConnectionError_, payload_domain, shared_secret
from openprocure.core.journal import MASK, mask_form, mask_secrets
from openprocure.core.models import User
from openprocure.core.status import set_status, set_status_where
from punchout.conformance.identity import Party
from punchout.conformance.report import Check, Report
from punchout.conformance.supplier import SETUP_SECONDS, SupplierTarget, run_supplier_checks

logger = logging.getLogger(__name__)

#: A secret this long or longer is also masked wherever its text shows in a report (a URL, a form);
#: a shorter one only in the places that hold secrets, not to mask every word that contains it.
LITERAL_MASK_MIN = 6


def may_send_test_orders(connection: PunchOutConnection) -> bool:
    """Test orders go only to a connection in test deployment mode (never a real order to a supplier)."""
    return connection.deployment_mode == DeploymentMode.TEST


def start_conformance_run(
    *, connection: PunchOutConnection, actor: User, send_orders: bool = False
) -> ConformanceRun:
    """Keep a new run of the supplier-role checks (queued) and ask a worker to play it once committed.

    Refused (ValidationError) when test orders are asked for a connection not in test mode.
    """
    if send_orders and not may_send_test_orders(connection):
        raise ValidationError(
            _("Test orders are sent only to a connection in test deployment mode."), code="production"
        )
    with transaction.atomic():
        run = ConformanceRun.objects.create(
            connection=connection, send_orders=send_orders, requested_by=actor
        )
        transaction.on_commit(lambda: run_conformance.enqueue(run.pk), robust=True)
    logger.info("conformance run %s of connection %s asked by %s", run.pk, connection.pk, actor.pk)
    return run


def conformance_target(connection: PunchOutConnection, *, send_orders: bool) -> SupplierTarget:
    """What the checks play against: the connection's endpoint, identities and secret (OCI fields on
    an OCI connection, whose call-up URL is its setup URL)."""
    secret = shared_secret(connection)
    oci_connection = connection.protocol == ConnectionProtocol.OCI
    return SupplierTarget(
        url=connection.order_url if oci_connection and connection.order_url else connection.setup_url,
        from_party=Party(connection.from_domain, connection.from_identity),
        to_party=Party(connection.to_domain, connection.to_identity),
        sender=Party(connection.sender_domain, connection.sender_identity),
        secret=secret,
        oci_url=connection.setup_url if oci_connection else "",
        oci_user=connection.oci_username if oci_connection else "",
        oci_password=secret if oci_connection else "",
        send_orders=send_orders and may_send_test_orders(connection),
        payload_domain=payload_domain(),
    )


def _masked_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    fields = mask_form(dict(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit(parts._replace(query=urlencode(fields, safe="*")))


def masked_report(report: Report, secret: str) -> dict[str, Any]:
    """The report as stored and shown: secret elements, password fields and the secret's text masked."""
    for check in report.checks:
        for exchange in check.exchanges:
            exchange.url = _masked_url(exchange.url)
            exchange.request_body = mask_secrets(exchange.request_body)
            exchange.response_body = mask_secrets(exchange.response_body)
    data = report.to_dict()
    if len(secret) < LITERAL_MASK_MIN:
        return data
    text = json.dumps(data, ensure_ascii=False, default=str)
    masked: dict[str, Any] = json.loads(text.replace(json.dumps(secret)[1:-1], MASK))
    return masked


def execute_conformance_run(run_id: int, *, deadline: float | None = None) -> ConformanceRun:
    """Play the run's checks (the worker's task): running → done with the report, or failed.

    A run another worker already took is left alone (returned as it is).
    """
    runs = ConformanceRun.objects.filter(pk=run_id)
    now = timezone.now()
    if not set_status_where(
        runs.filter(status=ConformanceRunStatus.QUEUED),
        ConformanceRunStatus.RUNNING,
        table=CONFORMANCE_RUN_TRANSITIONS,
        started_at=now,
    ):
        return ConformanceRun.objects.get(pk=run_id)
    run = ConformanceRun.objects.select_related("connection__supplier").get(pk=run_id)
    progress: list[dict[str, Any]] = []

    def on_progress(check: Check, done: bool) -> None:
        entry = {"code": check.code, "title": check.title, "outcome": str(check.outcome), "done": done}
        if progress and progress[-1]["code"] == check.code and not progress[-1]["done"]:
            progress[-1] = entry
        else:
            progress.append(entry)
        ConformanceRun.objects.filter(pk=run_id).update(progress=list(progress))

    try:
        target = conformance_target(run.connection, send_orders=run.send_orders)
        report = run_supplier_checks(
            target, progress=on_progress, deadline=SETUP_SECONDS if deadline is None else deadline
        )
    except ConnectionError_ as error:
        return _end_run(run, ConformanceRunStatus.FAILED, error=error.message, progress=progress)
    except Exception as error:
        logger.exception("conformance run %s broke", run_id)
        return _end_run(
            run,
            ConformanceRunStatus.FAILED,
            error=_("The run stopped unexpectedly: %(error)s")
            % {"error": f"{type(error).__name__}: {error}"},
            progress=progress,
        )
    return _end_run(
        run,
        ConformanceRunStatus.DONE,
        report=masked_report(report, target.secret),
        passed=report.passed,
        progress=progress,
    )


def _end_run(
    run: ConformanceRun,
    status: str,
    *,
    progress: list[dict[str, Any]],
    report: dict[str, Any] | None = None,
    passed: bool | None = None,
    error: str = "",
) -> ConformanceRun:
    with transaction.atomic():
        locked = ConformanceRun.objects.select_for_update().get(pk=run.pk)
        locked.finished_at = timezone.now()
        locked.progress = progress
        locked.report = report
        locked.passed = passed
        locked.error = error
        set_status(
            locked,
            status,
            table=CONFORMANCE_RUN_TRANSITIONS,
            also=["finished_at", "progress", "report", "passed", "error"],
        )
    return locked


@task()
def run_conformance(run_id: int) -> str:
    """Play a queued conformance run (see :func:`execute_conformance_run`); returns its status."""
    return execute_conformance_run(run_id).status
