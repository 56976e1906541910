"""The checks of a business's procurement system: what they run against, asking for a run, running it.

A run confirms, ships and invoices the business's latest test order in their procurement system
(the buyer-role checks of :mod:`punchout.conformance.buyer`); a worker runs it
(``tasks.run_conformance_checks``) and the report is saved as each check finishes.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.core.audit import record_event
from openprocure.core.models import User
from openprocure.core.status import set_status, set_status_where
from openprocure.core.tunables import tunable
from openprocure.supplier.business.models import Integration
from openprocure.supplier.orders import documents
from openprocure.supplier.orders.choices import CONFORMANCE_TRANSITIONS, ConformanceStatus, EventKind
from openprocure.supplier.orders.models import ConformanceRun, Order, OrderEvent
from punchout.conformance import Check
from punchout.conformance.buyer import BuyerChecks, BuyerTarget
from punchout.conformance.buyer import OrderLine as CheckedLine
from punchout.conformance.identity import Party
from punchout.money import Money, stated_unit_price

logger = logging.getLogger(__name__)


def conformance_target(integration: Integration) -> tuple[Order, BuyerTarget]:
    """The test order and the endpoint the buyer-role checks run against, or a ``ValidationError``
    saying what is missing (the integration is Active, no inbound URL, no secret, no test order)."""
    if not integration.is_test:
        raise ValidationError(
            _(
                "The checks run only while PunchOut is in Test: they confirm, ship and invoice a test order "
                "in your procurement system."
            )
        )
    order_settings = documents.settings_for(integration)
    if not order_settings.buyer_cxml_url:
        raise ValidationError(
            _(
                "No inbound cXML URL of your procurement system is set: ask us to set the URL where we send "
                "confirmations, ship notices and invoices."
            )
        )
    secret = documents.outbound_secret(order_settings)
    if not secret:
        raise ValidationError(
            _(
                "We do not hold the shared secret to send yet: it is kept from the first order your "
                "procurement system sends, or an operator enters it."
            )
        )
    order = Order.objects.filter(integration=integration, is_test=True).order_by("-created_at", "-id").first()
    if order is None:
        raise ValidationError(
            _(
                "Send a test order from your procurement system first: the checks confirm, ship and invoice it."
            )
        )
    lines = tuple(
        CheckedLine(
            number=line.line_number,
            quantity=Decimal(line.quantity),
            unit=line.unit_of_measure or "EA",
            unit_price=Money(
                stated_unit_price(
                    Decimal(line.buyer_unit_price if line.buyer_unit_price is not None else line.unit_price),
                    line.currency,
                ),
                line.currency,
            ),
            part_id=line.supplier_part_id,
        )
        for line in order.lines.filter(is_current=True).order_by("line_number")
    )
    target = BuyerTarget(
        url=order_settings.buyer_cxml_url,
        from_party=Party(settings.CXML_DOMAIN, integration.supplier_identity or settings.CXML_IDENTITY),
        to_party=Party(integration.buyer_domain, integration.buyer_identity),
        secret=secret,
        order_id=order.buyer_order_id,
        order_payload_id=order.payload_id,
        lines=lines,
        payload_domain=settings.PAYLOAD_ID_DOMAIN,
    )
    return order, target


def start_conformance_run(*, integration: Integration, actor: User) -> ConformanceRun:
    """Ask for a run of the checks of the business's procurement system (run by
    ``tasks.run_conformance_checks``); refused while one is waiting or running, or when
    :func:`conformance_target` says what is missing."""
    order, target = conformance_target(integration)
    with transaction.atomic():
        Integration.objects.select_for_update().filter(pk=integration.pk).first()
        if ConformanceRun.objects.filter(
            integration=integration, status__in=[ConformanceStatus.QUEUED, ConformanceStatus.RUNNING]
        ).exists():
            raise ValidationError(
                _("A check of your procurement system is already running: wait for its report.")
            )
        run = ConformanceRun.objects.create(
            integration=integration, order=order, url=target.url, requested_by=actor
        )
        record_event(
            OrderEvent,
            order,
            EventKind.CONFORMANCE_CHECKED,
            actor=actor,
            detail={"run": run.pk, "url": target.url},
        )
    return run


def run_conformance(*, run_id: int) -> ConformanceRun:
    """Run the checks of a waiting run: the report is saved as each check finishes, then whole."""
    run = ConformanceRun.objects.select_related("integration").get(pk=run_id)
    if run.status != ConformanceStatus.QUEUED:
        return run  # another worker took it
    # Failing the run before it starts and taking it are conditional updates: of two workers given
    # the same task (the housekeeping enqueues again a task it thinks lost), one runs it or fails it;
    # a run failed meanwhile stays failed, a run taken meanwhile stays with the worker that took it.
    queued = ConformanceRun.objects.filter(pk=run.pk, status=ConformanceStatus.QUEUED)
    try:
        _order, target = conformance_target(run.integration)
    except ValidationError as error:
        set_status_where(
            queued,
            ConformanceStatus.FAILED,
            table=CONFORMANCE_TRANSITIONS,
            error=" ".join(error.messages),
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        return run
    taken = set_status_where(
        queued, ConformanceStatus.RUNNING, table=CONFORMANCE_TRANSITIONS, started_at=timezone.now()
    )
    run.refresh_from_db()
    if not taken:
        return run
    checks: BuyerChecks | None = None

    def progress(check: Check, done: bool) -> None:
        if checks is not None:
            ConformanceRun.objects.filter(pk=run.pk).update(
                current="" if done else check.title[:200], report=checks.report.to_dict()
            )

    try:
        checks = BuyerChecks(target, progress=progress, deadline=tunable("ORDERS_CONFORMANCE_ANSWER_SECONDS"))
        report = checks.run()
    except Exception as error:
        logger.exception("conformance run %s stopped", run.pk)
        run.error = f"{type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        set_status(
            run, ConformanceStatus.FAILED, table=CONFORMANCE_TRANSITIONS, also=["error", "finished_at"]
        )
        return run
    run.report = report.to_dict()
    run.current = ""
    run.finished_at = timezone.now()
    set_status(
        run, ConformanceStatus.DONE, table=CONFORMANCE_TRANSITIONS, also=["report", "current", "finished_at"]
    )
    return run
