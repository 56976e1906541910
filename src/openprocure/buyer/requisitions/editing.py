"""Changes a requester makes to a draft: free-text lines, a line's quantity, price or delivery,
its accounting splits, and the requisition's details (ship-to and coding followed by every line).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from openprocure.buyer.organization.models import Address, CostCenter, GLAccount
from openprocure.buyer.requisitions import limits
from openprocure.buyer.requisitions.choices import EventKind, SplitMode
from openprocure.buyer.requisitions.drafting import (
    RequisitionError,
    SplitInput,
    _changing_lines,
    _line_defaults,
    _lock,
    _next_line_number,
    _require_editable,
)
from openprocure.buyer.requisitions.models import (
    AccountingSplit,
    Requisition,
    RequisitionEvent,
    RequisitionLine,
)
from openprocure.core.audit import record_event
from openprocure.core.formatting import format_money, format_number
from openprocure.core.models import User
from punchout.money import quantize_money


def add_free_text_line(
    *,
    requisition: Requisition,
    actor: User,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    currency: str = "",
    unit_of_measure: str = "EA",
    supplier: Any = None,
    unspsc: str = "",
    need_by: date | None = None,
    justification: str = "",
) -> RequisitionLine:
    """A line for something no catalog sells (a service, a one-off purchase), described by the requester."""
    if not description.strip():
        raise RequisitionError(_("Describe what you need to buy."))
    if quantity <= 0:
        raise RequisitionError(_("The quantity must be greater than zero."))
    if unit_price < 0:
        raise RequisitionError(_("The unit price cannot be negative."))
    problem = limits.line_problem(
        quantity=quantity,
        unit_price=unit_price,
        currency=currency or requisition.currency,
        credit_allowed=True,  # a free-text line may be free (zero); negatives are refused above
    )
    if problem:
        raise RequisitionError(problem[:1].upper() + problem[1:])
    with _changing_lines(requisition, actor) as change:
        requisition = change.requisition
        defaults = _line_defaults(requisition)
        line = RequisitionLine.objects.create(
            requisition=requisition,
            line_number=_next_line_number(requisition),
            supplier=supplier,
            description=description.strip(),
            quantity=quantity,
            unit_of_measure=unit_of_measure or "EA",
            unit_price=unit_price,
            currency=currency or requisition.currency,
            unspsc=unspsc,
            need_by=need_by or requisition.need_by,
            justification=justification,
            is_free_text=True,
            **defaults,
        )
        change.detail = {"added_free_text": line.line_number}
        change.reason = _("Free-text line added")
    return line


#: Fields any line may change, and the ones only a free-text line may change (catalog lines keep
#: the supplier's price and description: change them by editing the cart at the supplier).
_LINE_FIELDS = {"quantity", "need_by", "ship_to", "justification", "cost_center", "gl_account"}


_FREE_TEXT_FIELDS = {"description", "unit_price", "unit_of_measure", "unspsc", "supplier"}


def update_line(*, line: RequisitionLine, actor: User, **changes: Any) -> RequisitionLine:
    """Change a line's quantity, need-by date, ship-to, justification or (free text) description/price."""
    allowed = _LINE_FIELDS | (_FREE_TEXT_FIELDS if line.is_free_text else set())
    unknown = set(changes) - allowed
    if unknown:
        raise RequisitionError(
            _("These fields cannot be changed on this line: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    if "quantity" in changes and Decimal(changes["quantity"]) <= 0:
        raise RequisitionError(_("The quantity must be greater than zero."))
    if "unit_price" in changes and Decimal(changes["unit_price"]) < 0:
        raise RequisitionError(_("The unit price cannot be negative."))
    problem = limits.line_problem(
        quantity=changes.get("quantity", line.quantity),
        unit_price=changes.get("unit_price", line.unit_price),
        currency=line.currency,
        price_basis_quantity=line.price_basis_quantity,
        credit_allowed=bool(line.connection and line.connection.allows_credit_lines) or line.is_free_text,
    )
    if problem:
        raise RequisitionError(problem[:1].upper() + problem[1:])
    with _changing_lines(line.requisition, actor) as change:
        line = RequisitionLine.objects.get(pk=line.pk)
        before = {name: str(getattr(line, name)) for name in changes}
        for name, value in changes.items():
            setattr(line, name, value)
        line.save()
        if line.split_mode == SplitMode.AMOUNT and line.splits.exists():
            # Amount splits no longer add up once the quantity or price changed: ask again.
            line.splits.all().delete()
        change.detail = {
            "line": line.line_number,
            "before": before,
            "after": {k: str(v) for k, v in changes.items()},
        }
    return line


def reprice_line(*, line: RequisitionLine, unit_price: Decimal, reason: str) -> RequisitionLine:
    """Give a draft's PunchOut line a price the suite knows (the worker, for an occurrence of a recurring
    requisition: the latest price the supplier gave for the part); recorded with ``reason``."""
    with _changing_lines(line.requisition, None) as change:
        line = RequisitionLine.objects.get(pk=line.pk)
        before = str(line.unit_price)
        line.unit_price = unit_price
        line.save(update_fields=["unit_price"])
        change.detail = {
            "line": line.line_number,
            "before": {"unit_price": before},
            "after": {"unit_price": str(unit_price)},
        }
        change.reason = reason
    return line


def remove_line(*, line: RequisitionLine, actor: User) -> None:
    """Remove one line from an editable requisition."""
    with _changing_lines(line.requisition, actor) as change:
        RequisitionLine.objects.filter(pk=line.pk).delete()
        change.detail = {"removed_line": line.line_number, "part": line.supplier_part_id}


def validate_splits(*, line: RequisitionLine, mode: str, splits: Sequence[SplitInput]) -> None:
    """Raise :class:`RequisitionError` unless the splits add up to 100 % or to the line amount."""
    if not splits:
        raise RequisitionError(_("Give at least one cost center."))
    if mode == SplitMode.PERCENTAGE:
        values = [split.percentage for split in splits]
        if any(value is None or value <= 0 for value in values):
            raise RequisitionError(_("Every split needs a percentage greater than zero."))
        total = sum((Decimal(v) for v in values if v is not None), Decimal("0"))
        if total != Decimal("100"):
            raise RequisitionError(
                _("The percentages add up to %(total)s %%; they must add up to 100 %%.")
                % {"total": format_number(total)}
            )
    elif mode == SplitMode.AMOUNT:
        values = [split.amount for split in splits]
        if any(value is None or value <= 0 for value in values):
            raise RequisitionError(_("Every split needs an amount greater than zero."))
        total = quantize_money(
            sum((Decimal(v) for v in values if v is not None), Decimal("0")), line.currency
        )
        if total != line.amount:
            raise RequisitionError(
                _("The amounts add up to %(total)s; they must add up to the line amount, %(amount)s.")
                % {
                    "total": format_money(total, line.currency),
                    "amount": format_money(line.amount, line.currency),
                }
            )
    else:
        raise RequisitionError(_("Choose a split by percentage or by amount."))
    seen = set()
    for split in splits:
        key = (split.cost_center.pk, split.gl_account.pk if split.gl_account else None)
        if key in seen:
            raise RequisitionError(_("The same cost center and GL account appear twice; merge them."))
        seen.add(key)


def set_accounting(
    *, line: RequisitionLine, actor: User, mode: str = SplitMode.PERCENTAGE, splits: Sequence[SplitInput]
) -> list[AccountingSplit]:
    """Charge a line to one or several cost centers / GL accounts (replacing the previous splits)."""
    validate_splits(line=line, mode=mode, splits=splits)
    with transaction.atomic():
        requisition = _lock(line.requisition)
        _require_editable(requisition, actor)
        line = RequisitionLine.objects.get(pk=line.pk)
        line.splits.all().delete()
        created = [
            AccountingSplit.objects.create(
                line=line,
                cost_center=split.cost_center,
                gl_account=split.gl_account,
                percentage=split.percentage if mode == SplitMode.PERCENTAGE else None,
                amount=split.amount if mode == SplitMode.AMOUNT else None,
            )
            for split in splits
        ]
        line.split_mode = mode
        # The first split is the line's main accounting (shown in lists, used when nothing is split).
        line.cost_center = splits[0].cost_center
        line.gl_account = splits[0].gl_account
        line.save(update_fields=["split_mode", "cost_center", "gl_account"])
        record_event(
            RequisitionEvent,
            requisition,
            EventKind.ACCOUNTING_CHANGED,
            actor=actor,
            detail={
                "line": line.line_number,
                "mode": mode,
                "splits": [
                    {
                        "cost_center": split.cost_center.code,
                        "gl_account": split.gl_account.code if split.gl_account else "",
                        "share": str(split.percentage if mode == SplitMode.PERCENTAGE else split.amount),
                    }
                    for split in splits
                ],
            },
        )
    return created


def set_ship_to(*, requisition: Requisition, actor: User, ship_to: Address | None) -> Requisition:
    """Change where the whole requisition is delivered (every line follows)."""
    with _changing_lines(requisition, actor, total=False) as change:
        locked = change.requisition
        locked.ship_to = ship_to
        locked.save(update_fields=["ship_to", "updated_at"])
        locked.lines.update(ship_to=ship_to)
        change.detail = {"ship_to": str(ship_to or "")}
    return locked


def update_header(
    *,
    requisition: Requisition,
    actor: User,
    title: str,
    justification: str,
    need_by: date | None,
    ship_to: Address | None,
    cost_center: CostCenter | None,
    gl_account: GLAccount | None,
) -> Requisition:
    """Change the requisition's details. Its ship-to and coding apply to every line: a new ship-to
    is where each line is delivered, a new coding charges each line there (replacing its splits);
    lines whose need-by date was the requisition's follow a new one."""
    with transaction.atomic():
        locked = _lock(requisition)
        _require_editable(locked, actor)
        before = {
            "title": locked.title,
            "justification": locked.justification,
            "need_by": str(locked.need_by or ""),
            "ship_to": locked.ship_to.code if locked.ship_to else "",
            "cost_center": locked.cost_center.code if locked.cost_center else "",
            "gl_account": locked.gl_account.code if locked.gl_account else "",
        }
        after = {
            "title": title,
            "justification": justification,
            "need_by": str(need_by or ""),
            "ship_to": ship_to.code if ship_to else "",
            "cost_center": cost_center.code if cost_center else "",
            "gl_account": gl_account.code if gl_account else "",
        }
        changed = [name for name in before if before[name] != after[name]]
        if not changed:
            return locked
        lines = locked.lines.all()
        if "need_by" in changed:
            lines.filter(need_by=locked.need_by).update(need_by=need_by)
        if "ship_to" in changed:
            lines.update(ship_to=ship_to)
        if "cost_center" in changed or "gl_account" in changed:
            AccountingSplit.objects.filter(line__requisition=locked).delete()
            lines.update(cost_center=cost_center, gl_account=gl_account, split_mode=SplitMode.PERCENTAGE)
        locked.title, locked.justification, locked.need_by = title, justification, need_by
        locked.ship_to, locked.cost_center, locked.gl_account = ship_to, cost_center, gl_account
        locked.save(
            update_fields=[
                "title",
                "justification",
                "need_by",
                "ship_to",
                "cost_center",
                "gl_account",
                "updated_at",
            ]
        )
        record_event(
            RequisitionEvent,
            locked,
            EventKind.HEADER_CHANGED,
            actor=actor,
            detail={
                "before": {name: before[name] for name in changed},
                "after": {name: after[name] for name in changed},
            },
        )
    return locked
