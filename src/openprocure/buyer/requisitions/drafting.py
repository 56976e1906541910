"""A requisition while it is drafted: the rules every change of its lines follows (the row locked,
the requisition editable by its requester, the total kept, an event recorded), and creating one,
empty or from a returned PunchOut cart, whose later carts add or replace lines.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from openprocure.buyer.organization.models import CostCenter, GLAccount
from openprocure.buyer.organization.services import profile_for
from openprocure.buyer.requisitions import coding, limits
from openprocure.buyer.requisitions.choices import EDITABLE_STATUSES, EventKind, RequisitionStatus, SplitMode
from openprocure.buyer.requisitions.models import (
    AccountingSplit,
    Requisition,
    RequisitionEvent,
    RequisitionLine,
)
from openprocure.core.audit import record_event
from openprocure.core.exceptions import ServiceError
from openprocure.core.models import User


class RequisitionError(ServiceError):
    """A change the rules do not allow; ``message`` says what was wrong and what to do next."""


@dataclass
class CartLine:
    """One line of a returned cart, protocol-neutral (cXML ItemIn or OCI NEW_ITEM)."""

    supplier_part_id: str
    quantity: Decimal
    unit_price: Decimal
    currency: str
    description: str = ""
    supplier_part_auxiliary_id: str = ""
    unit_of_measure: str = "EA"
    price_basis_quantity: Decimal = Decimal("1")
    unspsc: str = ""
    manufacturer_name: str = ""
    manufacturer_part_id: str = ""
    lead_time_days: int | None = None
    extrinsics: dict[str, Any] = field(default_factory=dict)
    classifications: list[dict[str, str]] = field(default_factory=list)
    #: An item of a hosted catalog (priced from the catalog in force when a schedule makes it again).
    from_catalog: bool = False


@dataclass
class SplitInput:
    """One accounting split as entered: cost center, GL account, and a percentage or an amount."""

    cost_center: CostCenter
    gl_account: GLAccount | None = None
    percentage: Decimal | None = None
    amount: Decimal | None = None


def _lock(requisition: Requisition) -> Requisition:
    """The requisition re-read with its row locked (call inside a transaction)."""
    return Requisition.objects.select_for_update().get(pk=requisition.pk)


def _require_editable(requisition: Requisition, actor: User | None) -> None:
    if requisition.status not in EDITABLE_STATUSES:
        raise RequisitionError(
            _(
                "Requisition %(number)s is %(status)s: lines can only change while it is a draft or returned for changes."
            )
            % {"number": requisition.number, "status": requisition.get_status_display()}
        )
    if actor is not None and actor.pk != requisition.requester_id:
        raise RequisitionError(
            _("Only the requester can change requisition %(number)s.") % {"number": requisition.number}
        )


def _refresh_total(requisition: Requisition) -> None:
    """Store the new total; a total too large for the domain undoes the change (call in a transaction)."""
    total = requisition.compute_total()
    problem = limits.total_problem(total)
    if problem:
        raise RequisitionError(problem)
    requisition.total_amount = total
    requisition.save(update_fields=["total_amount", "updated_at"])


@dataclass
class _LinesChange:
    """What a change of an editable requisition's lines records in its event."""

    requisition: Requisition
    detail: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


@contextmanager
def _changing_lines(
    requisition: Requisition, actor: User | None, *, total: bool = True
) -> Iterator[_LinesChange]:
    """Lock an editable requisition for a change of its lines; after the change, store the new total
    (unless ``total`` is false) and record a ``LINES_CHANGED`` event with what the caller put in the
    yielded change, all in one transaction."""
    with transaction.atomic():
        locked = _lock(requisition)
        _require_editable(locked, actor)
        change = _LinesChange(locked)
        yield change
        if total:
            _refresh_total(locked)
        record_event(
            RequisitionEvent,
            locked,
            EventKind.LINES_CHANGED,
            actor=actor,
            detail=change.detail,
            reason=change.reason,
        )


def _next_line_number(requisition: Requisition) -> int:
    last = requisition.lines.order_by("-line_number").values_list("line_number", flat=True).first()
    return (last or 0) + 1


def _line_defaults(requisition: Requisition) -> dict[str, Any]:
    """What a new line starts with: the requisition's ship-to and coding (the requester's defaults
    for a requisition made before it had its own coding)."""
    profile = profile_for(requisition.requester)
    defaults: dict[str, Any] = {
        "cost_center": requisition.cost_center,
        "gl_account": requisition.gl_account,
        "ship_to": requisition.ship_to,
    }
    if profile is not None:
        defaults["cost_center"] = defaults["cost_center"] or profile.default_cost_center
        defaults["ship_to"] = defaults["ship_to"] or profile.default_ship_to
    return defaults


def _create_lines(
    requisition: Requisition,
    lines: Iterable[CartLine],
    *,
    supplier: Any = None,
    connection: Any = None,
    session: Any = None,
) -> list[RequisitionLine]:
    defaults = _line_defaults(requisition)
    number = _next_line_number(requisition)
    created = []
    for cart_line in lines:
        created.append(
            RequisitionLine.objects.create(
                requisition=requisition,
                line_number=number,
                supplier=supplier,
                connection=connection,
                punchout_session=session,
                supplier_part_id=cart_line.supplier_part_id,
                supplier_part_auxiliary_id=cart_line.supplier_part_auxiliary_id,
                description=cart_line.description,
                quantity=cart_line.quantity,
                unit_of_measure=cart_line.unit_of_measure or "EA",
                unit_price=cart_line.unit_price,
                currency=cart_line.currency or requisition.currency,
                price_basis_quantity=cart_line.price_basis_quantity or Decimal("1"),
                unspsc=cart_line.unspsc,
                manufacturer_name=cart_line.manufacturer_name,
                manufacturer_part_id=cart_line.manufacturer_part_id,
                lead_time_days=cart_line.lead_time_days,
                extrinsics=cart_line.extrinsics,
                classifications=cart_line.classifications,
                from_catalog=cart_line.from_catalog,
                need_by=requisition.need_by,
                **defaults,
            )
        )
        number += 1
    return created


def _add_cart(
    requisition: Requisition,
    lines: Sequence[CartLine],
    supplier: Any,
    connection: Any,
    session: Any,
    warnings: Sequence[dict[str, Any]],
) -> list[RequisitionLine]:
    """Create the lines of a returned cart and keep its warnings with the requisition's."""
    created = _create_lines(requisition, lines, supplier=supplier, connection=connection, session=session)
    requisition.warnings = [*requisition.warnings, *warnings]
    requisition.save(update_fields=["warnings"])
    return created


def _new_draft(**values: Any) -> Requisition:
    """A new draft requisition with ``values``, numbered from its primary key (``REQ-000042``; call
    inside a transaction)."""
    requisition = Requisition.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:24]}",  # fits the 32-character column until numbered
        **values,
    )
    requisition.number = f"REQ-{requisition.pk:06d}"
    requisition.save(update_fields=["number"])
    return requisition


def _copy_splits(line: RequisitionLine, splits: Iterable[AccountingSplit]) -> None:
    """Give ``line`` the same accounting splits as ``splits`` (another line's): cost center, GL
    account, and percentage or amount."""
    AccountingSplit.objects.bulk_create(
        [
            AccountingSplit(
                line=line,
                cost_center_id=split.cost_center_id,
                gl_account_id=split.gl_account_id,
                percentage=split.percentage,
                amount=split.amount,
            )
            for split in splits
        ]
    )


def create_requisition(*, requester: User, title: str = "", currency: str = "") -> Requisition:
    """An empty draft requisition (free-text lines are added afterwards)."""
    profile = profile_for(requester)
    currency = currency or (profile.company.default_currency if profile else "EUR")
    with transaction.atomic():
        requisition = _new_draft(
            requester=requester,
            title=title,
            currency=currency,
            ship_to=profile.default_ship_to if profile else None,
            cost_center=profile.default_cost_center if profile else None,
        )
        record_event(
            RequisitionEvent,
            requisition,
            EventKind.CREATED,
            actor=requester,
            to_status=RequisitionStatus.DRAFT,
        )
    return requisition


def create_requisition_from_cart(
    *,
    requester: User,
    lines: Sequence[CartLine],
    supplier: Any = None,
    connection: Any = None,
    session: Any = None,
    warnings: Sequence[dict[str, Any]] = (),
    title: str = "",
) -> Requisition:
    """A draft requisition holding the lines of a returned PunchOut cart, with the cart's warnings."""
    currency = next((line.currency for line in lines if line.currency), "")
    with transaction.atomic():
        requisition = create_requisition(
            requester=requester, title=title or (str(supplier) if supplier else ""), currency=currency
        )
        with _changing_lines(requisition, requester) as change:
            created = _add_cart(change.requisition, lines, supplier, connection, session, warnings)
            change.detail = {"added": len(created), "warnings": len(warnings)}
            change.reason = _("Cart returned from %(supplier)s") % {"supplier": supplier or "?"}
    return change.requisition


def add_cart_lines(
    *,
    requisition: Requisition,
    actor: User,
    lines: Sequence[CartLine],
    supplier: Any = None,
    connection: Any = None,
    session: Any = None,
    warnings: Sequence[dict[str, Any]] = (),
) -> list[RequisitionLine]:
    """Add a returned cart's lines to an existing draft requisition."""
    with _changing_lines(requisition, actor) as change:
        created = _add_cart(change.requisition, lines, supplier, connection, session, warnings)
        change.detail = {"added": len(created)}
    return created


@dataclass
class EditedCart:
    """What the cart of an ``edit`` PunchOut did: the lines it created, the lines whose accounting
    changed because of it (event-detail dicts, told with :func:`coding.change_message`) and the lines
    whose price the supplier changed (told with :func:`coding.price_message`)."""

    lines: list[RequisitionLine]
    coding_changes: list[dict[str, Any]] = field(default_factory=list)
    price_changes: list[dict[str, Any]] = field(default_factory=list)


#: Line fields a line still in the re-punched cart keeps from before: what the requester set on it.
_KEPT_ON_REPUNCH = ("cost_center_id", "gl_account_id", "split_mode", "need_by", "ship_to_id", "justification")


def replace_lines(
    *,
    requisition: Requisition,
    actor: User,
    line_ids: Sequence[int],
    lines: Sequence[CartLine],
    supplier: Any = None,
    connection: Any = None,
    session: Any = None,
    warnings: Sequence[dict[str, Any]] = (),
) -> EditedCart:
    """The cart of an ``edit`` PunchOut replaces the lines that were sent; an empty cart removes them.

    A line still in the cart (same supplier part ID and auxiliary ID, matched in line order) keeps its
    accounting, delivery and justification; a new line gets the requisition's ship-to and coding.
    When a line's accounting cannot stay (a split by amount whose line amount changed, or a part that
    came back under another auxiliary ID), the change is returned and written in the history.
    """
    with transaction.atomic():
        requisition = _lock(requisition)
        _require_editable(requisition, actor)
        old_lines = list(
            requisition.lines.filter(pk__in=line_ids)
            .select_related("cost_center", "gl_account")
            .prefetch_related("splits__cost_center", "splits__gl_account")
            .order_by("line_number")
        )
        removed = [line.supplier_part_id for line in old_lines]
        previous: dict[tuple[str, str], list[tuple[RequisitionLine, list[AccountingSplit]]]] = {}
        for old in old_lines:
            key = (old.supplier_part_id, old.supplier_part_auxiliary_id)
            previous.setdefault(key, []).append((old, list(old.splits.all())))
        shares_before = {old.pk: coding.shares_of(old) for old in old_lines}
        requisition.lines.filter(pk__in=line_ids).delete()
        created = _add_cart(requisition, lines, supplier, connection, session, warnings)
        unmatched: list[RequisitionLine] = []
        changes: list[dict[str, Any]] = []
        prices: list[dict[str, Any]] = []
        for line in created:
            matches = previous.get((line.supplier_part_id, line.supplier_part_auxiliary_id))
            if not matches:
                unmatched.append(line)
                continue
            old, splits = matches.pop(0)
            if Decimal(old.unit_price) != Decimal(line.unit_price) or old.currency != line.currency:
                prices.append(coding.price_change(line, old))
            if old.split_mode == SplitMode.AMOUNT and splits and old.amount != line.amount:
                changes.append(_coding_change(line, old, shares_before[old.pk], coding.AMOUNT_CHANGED))
                continue
            for name in _KEPT_ON_REPUNCH:
                setattr(line, name, getattr(old, name))
            line.save(update_fields=[name.removesuffix("_id") for name in _KEPT_ON_REPUNCH])
            _copy_splits(line, splits)
        # A part that came back under another auxiliary ID is a new item to the supplier: it gets the
        # requisition's coding, which the requester is told about when it differs from what it had.
        left = [old for pairs in previous.values() for old, _splits in pairs]
        for line in unmatched:
            gone = next((o for o in left if o.supplier_part_id == line.supplier_part_id), None)
            if gone is None:
                continue
            left.remove(gone)
            if shares_before[gone.pk] != coding.shares_of(line):
                changes.append(_coding_change(line, gone, shares_before[gone.pk], coding.ITEM_CHANGED))
        _refresh_total(requisition)
        detail: dict[str, Any] = {"removed": removed, "added": [line.supplier_part_id for line in created]}
        if changes:
            detail["coding_changed"] = changes
        if prices:
            detail["price_changed"] = prices
        record_event(
            RequisitionEvent,
            requisition,
            EventKind.LINES_CHANGED if not changes else EventKind.ACCOUNTING_CHANGED,
            actor=actor,
            detail=detail,
            reason=_("Cart edited at %(supplier)s") % {"supplier": supplier or "?"},
        )
    return EditedCart(created, changes, prices)


def _coding_change(
    line: RequisitionLine, old: RequisitionLine, before: list[dict[str, str]], cause: str
) -> dict[str, Any]:
    """One line whose accounting a re-punch changed, as kept in the history (codes and numbers)."""
    return {
        "line": line.line_number,
        "part": line.supplier_part_id,
        "cause": cause,
        "currency": line.currency,
        "amount_before": str(old.amount),
        "amount_after": str(line.amount),
        "before": before,
        "after": coding.shares_of(line),
    }
