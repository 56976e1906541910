"""Every change to a recurring schedule: create it, skip the next occurrence, and the worker's run.

An occurrence is a copy of the schedule's requisition (``requisitions.services.copy_for_schedule``,
the same copy as "Copy into a new draft"), priced again and submitted for approval in the requester's
name; ``approvals`` approves it at once when it stays within the approved envelope (see
:func:`within_approved_envelope`). The requester is told of each occurrence by e-mail and on the
schedule's history.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openprocure.buyer.catalogs.services import item_in_force
from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.buyer.recurring.choices import (
    SCHEDULE_TRANSITIONS,
    Period,
    ScheduleEventKind,
    ScheduleStatus,
)
from openprocure.buyer.recurring.models import Occurrence, RecurringSchedule, ScheduleEvent
from openprocure.buyer.requisitions.choices import EventKind, RequisitionStatus
from openprocure.buyer.requisitions.models import Requisition, RequisitionEvent, RequisitionLine
from openprocure.buyer.requisitions.services import (
    RequisitionError,
    copy_for_schedule,
    reprice_line,
    submit_requisition,
)
from openprocure.core import mail
from openprocure.core.audit import new_event, record_event
from openprocure.core.exceptions import ServiceError
from openprocure.core.formatting import format_unit_price
from openprocure.core.models import User
from openprocure.core.status import set_status
from openprocure.core.tunables import tunable

#: A schedule is made from a requisition whose lines were approved: their envelope is known.
SCHEDULABLE_STATUSES = frozenset(
    {RequisitionStatus.APPROVED, RequisitionStatus.ORDERED, RequisitionStatus.CLOSED}
)


class ScheduleError(ServiceError):
    """A change the rules do not allow; ``message`` says what was wrong."""


# -- dates ------------------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` on, on the same day of the month or the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _on_weekday(day: date, weekday: int) -> date:
    """The first ``weekday`` (0 = Monday) on or after ``day``."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def occurrence_date(*, period: str, every: int, weekday: int, starts_on: date, index: int) -> date:
    """The date of occurrence ``index`` (from 0): weekly, the first weekday on or after the start, then
    every ``every`` weeks; monthly, the first weekday on or after the start's day of the month, every
    ``every`` months (counted from the start, so the dates never drift)."""
    if period == Period.WEEKS:
        return _on_weekday(starts_on, weekday) + timedelta(weeks=every * index)
    return _on_weekday(_add_months(starts_on, every * index), weekday)


def _next_date(schedule: RecurringSchedule, index: int) -> date:
    return occurrence_date(
        period=schedule.period,
        every=schedule.every,
        weekday=schedule.weekday,
        starts_on=schedule.starts_on,
        index=index,
    )


# -- the envelope -----------------------------------------------------------------------------------


def envelope_of(requisition: Requisition) -> dict[str, Any]:
    """The approved envelope of ``requisition``: its currency, total, and each line with its price."""
    return {
        "currency": requisition.currency,
        "total": str(requisition.compute_total()),
        "lines": [
            {"key": line.terms(with_price=False), "unit_price": str(line.unit_price)}
            for line in requisition.lines.order_by("line_number")
        ],
    }


def envelope_problem(envelope: dict[str, Any], requisition: Requisition, *, tolerance_pct: Decimal) -> str:
    """Why ``requisition`` leaves ``envelope`` ("" when it stays within): another currency, a line
    added, removed or changed, a price or the total moved by more than ``tolerance_pct`` percent."""
    lines = list(requisition.lines.order_by("line_number"))
    if requisition.currency != envelope.get("currency"):
        return _("The currency changed.")
    approved = envelope.get("lines", [])
    if [line.terms(with_price=False) for line in lines] != [row["key"] for row in approved]:
        return _("The lines changed.")
    for line, row in zip(lines, approved, strict=True):
        if _beyond(Decimal(row["unit_price"]), Decimal(line.unit_price), tolerance_pct):
            return _("The price of line %(line)s moved from %(old)s to %(new)s, beyond %(pct)s %%.") % {
                "line": line.line_number,
                "old": format_unit_price(Decimal(row["unit_price"]), line.currency),
                "new": format_unit_price(line.unit_price, line.currency),
                "pct": tolerance_pct,
            }
    if _beyond(Decimal(envelope["total"]), requisition.compute_total(), tolerance_pct):
        return _("The total moved beyond %(pct)s %%.") % {"pct": tolerance_pct}
    return ""


def _beyond(approved: Decimal, now: Decimal, tolerance_pct: Decimal) -> bool:
    if approved == 0:
        return now != 0
    return abs(now - approved) * 100 > abs(approved) * tolerance_pct


def within_approved_envelope(requisition: Requisition) -> str:
    """Registered in ``approvals.hooks.WITHIN_APPROVED_ENVELOPE``: the reason an occurrence is approved
    at once (its lines unchanged, its prices and total within the tolerance), else ""."""
    occurrence = Occurrence.objects.filter(requisition=requisition).select_related("schedule").first()
    if occurrence is None:
        return ""
    tolerance = Decimal(str(tunable("RECURRING_PRICE_TOLERANCE_PCT")))
    unknown = list(
        requisition.events.filter(kind=EventKind.NOTE, detail__price_unknown=True).values_list(
            "reason", flat=True
        )
    )
    problem = unknown[0] if unknown else ""
    problem = problem or envelope_problem(occurrence.schedule.envelope, requisition, tolerance_pct=tolerance)
    if problem:
        record_event(
            RequisitionEvent, requisition, EventKind.NOTE, detail={"envelope": "left"}, reason=problem
        )
        return ""
    occurrence.within_envelope = True
    occurrence.save(update_fields=["within_envelope"])
    return _("Within the approved envelope of %(source)s: same lines, prices within %(pct)s %%.") % {
        "source": occurrence.schedule.source.number,
        "pct": tolerance,
    }


#: The header Extrinsic of an occurrence's OrderRequest: the schedule's id, so the supplier knows the
#: order recurs (the storefront consolidates a business's recurring orders on its delivery day).
RECURRING_EXTRINSIC = "recurring"


def order_extrinsics(*, requisition: Requisition) -> list[tuple[str, str]]:
    """Registered in ``purchasing.hooks.order_extrinsics``: ``recurring`` with the schedule's id for
    the order of an occurrence, nothing for other orders."""
    schedule_id = (
        Occurrence.objects.filter(requisition_id=requisition.pk).values_list("schedule_id", flat=True).first()
    )
    return [] if schedule_id is None else [(RECURRING_EXTRINSIC, str(schedule_id))]


# -- writes -----------------------------------------------------------------------------------------


def create_schedule(
    *,
    requisition: Requisition,
    actor: User,
    period: str,
    every: int,
    weekday: int,
    starts_on: date,
    ends_on: date,
) -> RecurringSchedule:
    """Turn an approved (or ordered) requisition into a schedule; its requester or a procurement
    administrator may. The first occurrence is the first date of the schedule on or after ``starts_on``."""
    with transaction.atomic():
        source = Requisition.objects.select_for_update().get(pk=requisition.pk)
        if actor.pk != source.requester_id and not is_procurement_admin(actor):
            raise ScheduleError(
                _("Only the requester or a procurement administrator can make requisition %(number)s recur.")
                % {"number": source.number}
            )
        if source.status not in SCHEDULABLE_STATUSES:
            raise ScheduleError(
                _(
                    "Requisition %(number)s is %(status)s: only an approved, ordered or closed "
                    "requisition can recur."
                )
                % {"number": source.number, "status": source.get_status_display()}
            )
        first = occurrence_date(period=period, every=every, weekday=weekday, starts_on=starts_on, index=0)
        if first > ends_on:
            raise ScheduleError(_("The end date comes before the first occurrence."))
        schedule = RecurringSchedule.objects.create(
            source=source,
            created_by=actor,
            period=period,
            every=every,
            weekday=weekday,
            starts_on=starts_on,
            ends_on=ends_on,
            next_on=first,
            envelope=envelope_of(source),
        )
        record_event(
            ScheduleEvent,
            schedule,
            ScheduleEventKind.CREATED,
            actor=actor,
            detail={"source": source.number, "first": first.isoformat(), "ends_on": ends_on.isoformat()},
        )
    return schedule


def _advance(schedule: RecurringSchedule) -> None:
    """Move the locked ``schedule`` to its next occurrence, or end it past the end date."""
    schedule.next_index += 1
    following = _next_date(schedule, schedule.next_index)
    if following > schedule.ends_on:
        schedule.next_on = None
        _move(schedule, ScheduleStatus.ENDED, None, _("No occurrence is left before the end date."))
    else:
        schedule.next_on = following
        schedule.save(update_fields=["next_index", "next_on"])


def _lock_active(schedule: RecurringSchedule) -> RecurringSchedule:
    locked = RecurringSchedule.objects.select_for_update().select_related("source").get(pk=schedule.pk)
    if locked.status != ScheduleStatus.ACTIVE:
        raise ScheduleError(
            _("This schedule is %(status)s: it makes no more occurrences.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _lock_open(schedule: RecurringSchedule, actor: User) -> RecurringSchedule:
    """The locked ``schedule`` when it is active or paused and ``actor`` may change it."""
    locked = RecurringSchedule.objects.select_for_update().select_related("source").get(pk=schedule.pk)
    if locked.status not in (ScheduleStatus.ACTIVE, ScheduleStatus.PAUSED):
        raise ScheduleError(
            _("This schedule is %(status)s: it makes no more occurrences.")
            % {"status": locked.get_status_display()}
        )
    if actor.pk != locked.source.requester_id and not is_procurement_admin(actor):
        raise ScheduleError(_("Only the requester or a procurement administrator can change this schedule."))
    return locked


def skip_next(*, schedule: RecurringSchedule, actor: User) -> RecurringSchedule:
    """Skip the next occurrence (its requester or a procurement administrator)."""
    with transaction.atomic():
        locked = _lock_active(schedule)
        if actor.pk != locked.source.requester_id and not is_procurement_admin(actor):
            raise ScheduleError(
                _("Only the requester or a procurement administrator can skip an occurrence.")
            )
        assert locked.next_on is not None  # an active schedule always has a next date
        skipped_on = locked.next_on
        Occurrence.objects.create(schedule=locked, index=locked.next_index, due_on=skipped_on, skipped=True)
        record_event(
            ScheduleEvent,
            locked,
            ScheduleEventKind.SKIPPED,
            actor=actor,
            detail={"due_on": skipped_on.isoformat()},
        )
        _advance(locked)
    return locked


def undoable_skip(schedule: RecurringSchedule, *, today: date | None = None) -> Occurrence | None:
    """The skipped occurrence a skip-undo would bring back: the one just before the next, not yet past."""
    if schedule.status not in (ScheduleStatus.ACTIVE, ScheduleStatus.PAUSED) or schedule.next_index == 0:
        return None
    today = today or timezone.localdate()
    return (
        Occurrence.objects.filter(
            schedule=schedule, index=schedule.next_index - 1, skipped=True, due_on__gte=today
        )
        .order_by("pk")
        .first()
    )


def undo_skip(*, schedule: RecurringSchedule, actor: User, today: date | None = None) -> date:
    """Bring back the occurrence skipped last, while its day has not passed; returns its day."""
    with transaction.atomic():
        locked = _lock_open(schedule, actor)
        skipped = undoable_skip(locked, today=today)
        if skipped is None:
            raise ScheduleError(
                _("There is no skipped occurrence to bring back: its day has passed or none was skipped.")
            )
        skipped.delete()
        locked.next_index = skipped.index
        locked.next_on = skipped.due_on
        locked.save(update_fields=["next_index", "next_on"])
        record_event(
            ScheduleEvent,
            locked,
            ScheduleEventKind.UNSKIPPED,
            actor=actor,
            detail={"due_on": skipped.due_on.isoformat()},
        )
    return skipped.due_on


def _move(locked: RecurringSchedule, to: str, actor: User | None, reason: str = "") -> None:
    """Move the locked schedule to status ``to`` (its next occurrence saved with it), with the event."""
    before = locked.status
    set_status(
        locked,
        to,
        table=SCHEDULE_TRANSITIONS,
        also=["next_index", "next_on"],
        event=new_event(
            ScheduleEvent,
            locked,
            ScheduleEventKind.STATUS_CHANGED,
            actor=actor,
            detail={"from": before, "to": to},
            reason=reason,
        ),
    )


def pause_schedule(*, schedule: RecurringSchedule, actor: User) -> RecurringSchedule:
    """Stop making occurrences until the schedule is resumed."""
    with transaction.atomic():
        locked = _lock_open(schedule, actor)
        if locked.status != ScheduleStatus.ACTIVE:
            raise ScheduleError(_("This schedule is already paused."))
        _move(locked, ScheduleStatus.PAUSED, actor)
    return locked


def resume_schedule(
    *, schedule: RecurringSchedule, actor: User, today: date | None = None
) -> RecurringSchedule:
    """Make occurrences again from today on: those whose day passed while paused are skipped (recorded),
    never made late; the schedule ends when none is left before its end date."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock_open(schedule, actor)
        if locked.status != ScheduleStatus.PAUSED:
            raise ScheduleError(_("This schedule is not paused."))
        missed = []
        while locked.next_on is not None and locked.next_on < today and locked.next_on <= locked.ends_on:
            missed.append(
                Occurrence(schedule=locked, index=locked.next_index, due_on=locked.next_on, skipped=True)
            )
            locked.next_index += 1
            locked.next_on = _next_date(locked, locked.next_index)
        Occurrence.objects.bulk_create(missed)
        reason = (
            ngettext(
                "%(count)s occurrence fell while it was paused: skipped.",
                "%(count)s occurrences fell while it was paused: skipped.",
                len(missed),
            )
            % {"count": len(missed)}
            if missed
            else ""
        )
        if locked.next_on is None or locked.next_on > locked.ends_on:
            locked.next_on = None
            _move(
                locked, ScheduleStatus.ENDED, actor, reason or _("No occurrence is left before the end date.")
            )
        else:
            _move(locked, ScheduleStatus.ACTIVE, actor, reason)
    return locked


def cancel_schedule(*, schedule: RecurringSchedule, actor: User) -> RecurringSchedule:
    """Stop the schedule for good (its requester or a procurement administrator)."""
    with transaction.atomic():
        locked = _lock_open(schedule, actor)
        locked.next_on = None
        _move(locked, ScheduleStatus.CANCELLED, actor)
    return locked


def schedules_for(user: User, *, everyone: bool = False) -> Any:
    """The schedules of ``user``'s requisitions, or every schedule for a procurement administrator who
    asks for ``everyone``; soonest next occurrence first, then the ended ones."""
    rows = RecurringSchedule.objects.select_related("source__requester")
    if not (everyone and is_procurement_admin(user)):
        rows = rows.filter(source__requester=user)
    return rows.order_by(F("next_on").asc(nulls_last=True), "-pk")


def create_due_occurrences(*, today: date | None = None) -> int:
    """The worker's run: every active schedule's occurrences due on ``today`` or before, oldest first."""
    today = today or timezone.localdate()
    made = 0
    due = list(
        RecurringSchedule.objects.filter(status=ScheduleStatus.ACTIVE, next_on__lte=today)
        .order_by("next_on", "pk")
        .values_list("pk", flat=True)
    )
    for pk in due:
        while _occur(pk, today):
            made += 1
    return made


def _occur(pk: int, today: date) -> bool:
    """Make the next occurrence of schedule ``pk`` if it is still due; False when there is none."""
    with transaction.atomic():
        schedule = (
            RecurringSchedule.objects.select_for_update().select_related("source__requester").get(pk=pk)
        )
        if schedule.status != ScheduleStatus.ACTIVE or schedule.next_on is None or schedule.next_on > today:
            return False
        due_on = schedule.next_on
        requisition = copy_for_schedule(requisition=schedule.source, schedule=str(schedule.pk))
        occurrence = Occurrence.objects.create(
            schedule=schedule, index=schedule.next_index, due_on=due_on, requisition=requisition
        )
        notes = _reprice(requisition, due_on)
        requester = schedule.source.requester
        outcome = ""
        try:
            with transaction.atomic():
                submit_requisition(requisition, requester, reason=_("Recurring requisition"))
        except RequisitionError as error:
            outcome = error.message  # stays a draft: the requester finishes it
        requisition.refresh_from_db()
        occurrence.refresh_from_db()
        record_event(
            ScheduleEvent,
            schedule,
            ScheduleEventKind.OCCURRED,
            detail={
                "requisition": requisition.number,
                "due_on": due_on.isoformat(),
                "status": requisition.status,
                "within_envelope": occurrence.within_envelope,
                "notes": notes,
            },
            reason=outcome,
        )
        _advance(schedule)
        _tell_requester(schedule, requisition, due_on, notes=notes, refusal=outcome)
    return True


#: How many of the latest lines for a part are read to find one in the same unit and price basis.
_KNOWN_PRICE_CANDIDATES = 20


def latest_known_price(line: RequisitionLine) -> RequisitionLine | None:
    """The latest line the suite holds for ``line``'s supplier part (same supplier, part and
    auxiliary ID, currency, unit and price basis), from the cart that came back last (else the
    requisition made last), other than ``line``'s own requisition; None when the part is unknown."""
    if line.supplier_id is None:
        return None
    candidates = (
        RequisitionLine.objects.filter(
            is_free_text=False,
            supplier_id=line.supplier_id,
            supplier_part_id=line.supplier_part_id,
            supplier_part_auxiliary_id=line.supplier_part_auxiliary_id,
            currency=line.currency,
            unit_of_measure=line.unit_of_measure,
        )
        .exclude(requisition_id=line.requisition_id)
        .select_related("requisition")
        .order_by(
            Coalesce("punchout_session__returned_at", "requisition__created_at").desc(),
            "-requisition__created_at",
            "-pk",
        )[:_KNOWN_PRICE_CANDIDATES]
    )
    # Decimals are compared in Python: SQLite stores them as REAL.
    basis = Decimal(line.price_basis_quantity)
    return next((known for known in candidates if Decimal(known.price_basis_quantity) == basis), None)


def _catalog_moment(due_on: date) -> datetime:
    """When an occurrence's catalog lines are priced: now, or the end of its day when it is made late."""
    end_of_day = timezone.make_aware(datetime.combine(due_on, time.max))
    return min(timezone.now(), end_of_day)


def _reprice(requisition: Requisition, due_on: date) -> list[dict[str, str]]:
    """Price the occurrence's lines again (the supplier is not asked from the worker): a hosted
    catalog line from the catalog version in force on ``due_on`` (the tier for its quantity), a
    PunchOut line from the latest price the suite knows for its part; a free-text line keeps its
    price. Returns each line's outcome as data (told with :func:`kept_price_note` in the reader's
    language)."""
    notes = []
    at = _catalog_moment(due_on)
    for line in requisition.lines.select_related("supplier").order_by("line_number"):
        if line.is_free_text:
            continue
        row = {"line": str(line.line_number), "price": str(line.unit_price), "currency": line.currency}
        new_price: Decimal | None = None
        if line.from_catalog:
            row, new_price = _catalog_price(line, row, at)
        else:
            known = latest_known_price(line)
            if known is None:
                row["unknown"] = "1"
            elif Decimal(known.unit_price) != Decimal(line.unit_price):
                row = {**row, "was": str(line.unit_price), "price": str(known.unit_price)}
                row["source"] = known.requisition.number
                new_price = Decimal(known.unit_price)
        if new_price is not None:
            reprice_line(line=line, unit_price=new_price, reason=kept_price_note(row))
        else:
            record_event(
                RequisitionEvent,
                requisition,
                EventKind.NOTE,
                detail={"repriced": False, "price_unknown": bool(row.get("unknown")), **row},
                reason=kept_price_note(row),
            )
        notes.append(row)
    return notes


def _catalog_price(
    line: RequisitionLine, row: dict[str, str], at: datetime
) -> tuple[dict[str, str], Decimal | None]:
    """A hosted catalog line's outcome: the price of its item in the version in force at ``at`` for
    its quantity on that day (a new price, or None when it stays), or ``unknown`` when the item is not
    there any more (or is sold in another currency or unit now, or has no price valid that day)."""
    row = {**row, "supplier": str(line.supplier or "")}
    item = None
    if line.supplier_id is not None:
        item = item_in_force(
            supplier_id=line.supplier_id,
            supplier_part_id=line.supplier_part_id,
            supplier_part_auxiliary_id=line.supplier_part_auxiliary_id,
            at=at,
        )
    day = timezone.localdate(at)
    price = item.price_for(Decimal(line.quantity), on=day) if item is not None else None
    if item is not None and item.unit_price is not None and price is None:
        return {
            **row,
            "unknown": "1",
            "catalog": str(item.version.number),
            "no_price_on": day.isoformat(),
        }, None
    if (
        item is None
        or price is None
        or item.currency != line.currency
        or (item.unit_of_measure or "EA") != line.unit_of_measure
    ):
        return {**row, "unknown": "1", "catalog": "gone"}, None
    row["catalog"] = str(item.version.number)
    if price == Decimal(line.unit_price):
        return row, None
    return {**row, "was": str(line.unit_price), "price": str(price)}, price


def kept_price_note(row: dict[str, str]) -> str:
    """The sentence saying how a line of an occurrence was priced (active language)."""
    if row.get("catalog"):
        return _catalog_note(row)
    if row.get("unknown"):
        return _(
            "Line %(line)s keeps its last price, %(price)s, but no price is known for its part: the "
            "occurrence goes through approval."
        ) % {"line": row["line"], "price": format_unit_price(Decimal(row["price"]), row["currency"])}
    if row.get("was"):
        return _(
            "Line %(line)s is priced at %(price)s, the latest price known for it (%(source)s); it was %(was)s."
        ) % {
            "line": row["line"],
            "price": format_unit_price(Decimal(row["price"]), row["currency"]),
            "source": row["source"],
            "was": format_unit_price(Decimal(row["was"]), row["currency"]),
        }
    return _("Line %(line)s keeps its last price, %(price)s: the supplier was not asked.") % {
        "line": row["line"],
        "price": format_unit_price(Decimal(row["price"]), row["currency"]),
    }


def _catalog_note(row: dict[str, str]) -> str:
    """How a hosted catalog line of an occurrence was priced (active language)."""
    values = {
        "line": row["line"],
        "price": format_unit_price(Decimal(row["price"]), row["currency"]),
        "supplier": row["supplier"],
        "version": row["catalog"],
    }
    if row.get("no_price_on"):
        return _(
            "Line %(line)s keeps its last price, %(price)s, but the catalog of %(supplier)s in force (version "
            "%(version)s) has no price for its item valid on %(day)s: the occurrence goes through approval."
        ) % {**values, "day": date_format(date.fromisoformat(row["no_price_on"]), "DATE_FORMAT")}
    if row.get("unknown"):
        return (
            _(
                "Line %(line)s keeps its last price, %(price)s, but its item is no longer in the catalog "
                "of %(supplier)s: the occurrence goes through approval."
            )
            % values
        )
    if row.get("was"):
        return _(
            "Line %(line)s is priced at %(price)s, from the catalog of %(supplier)s in force (version "
            "%(version)s); it was %(was)s."
        ) % {**values, "was": format_unit_price(Decimal(row["was"]), row["currency"])}
    return (
        _(
            "Line %(line)s keeps its price, %(price)s, from the catalog of %(supplier)s in force (version "
            "%(version)s)."
        )
        % values
    )


def _tell_requester(
    schedule: RecurringSchedule,
    requisition: Requisition,
    due_on: date,
    *,
    notes: list[dict[str, str]],
    refusal: str,
) -> None:
    """E-mail the requester (in their language) and record that they were told."""
    requester = requisition.requester
    record_event(
        ScheduleEvent,
        schedule,
        ScheduleEventKind.REQUESTER_NOTIFIED,
        detail={"requisition": requisition.number, "requisition_id": requisition.pk},
    )
    if not requester.email:
        return
    with translation.override(requester.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Recurring requisition %(number)s created") % {"number": requisition.number}
        parts = [
            _("Hello,"),
            "",
            _("Requisition %(number)s was created for %(day)s from %(source)s, and is %(status)s.")
            % {
                "number": requisition.number,
                "day": date_format(due_on, "DATE_FORMAT"),
                "source": schedule.source.number,
                "status": requisition.get_status_display(),
            },
        ]
        if refusal:
            parts += ["", _("It could not be submitted: %(reason)s") % {"reason": refusal}]
        if notes:
            parts += ["", *[f"- {kept_price_note(note)}" for note in notes]]
        link = settings.PUBLIC_URL + reverse("requisitions:detail", args=[requisition.pk])
        parts += ["", _("Requisition %(number)s: %(link)s") % {"number": requisition.number, "link": link}]
        page = settings.PUBLIC_URL + reverse("recurring:detail", args=[schedule.pk])
        parts += [_("The schedule, where you can skip the next one: %(link)s") % {"link": page}]
    mail.send_after_commit(subject, "\n".join(parts), [requester.email])


def latest_notices(user: Any, *, limit: int = 5) -> list[dict[str, Any]]:
    """The latest occurrences ``user`` was told of, for their home page (in the active language)."""
    events = ScheduleEvent.objects.filter(
        kind=ScheduleEventKind.REQUESTER_NOTIFIED, schedule__source__requester=user
    ).order_by("-created_at", "-id")[:limit]
    return [
        {
            "when": event.created_at,
            "text": _("Recurring requisition %(number)s created")
            % {"number": event.detail.get("requisition", "")},
            "requisition_id": event.detail.get("requisition_id"),
            "schedule_id": event.schedule_id,
        }
        for event in events
    ]
