"""Every change to a requisition: create from a cart, lines, accounting, submit, cancel, status moves.

Each function opens a transaction, locks the requisition row, checks the rules, changes state and
records a :class:`RequisitionEvent` with who, when and why.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.organization.models import Address, CostCenter, GLAccount, RestrictedCategory
from openprocure.buyer.organization.services import profile_for
from openprocure.buyer.requisitions import coding, hooks, limits
from openprocure.buyer.requisitions.choices import (
    EDITABLE_STATUSES,
    REQUISITION_TRANSITIONS,
    EventKind,
    RequisitionStatus,
    SplitMode,
)
from openprocure.buyer.requisitions.models import (
    AccountingSplit,
    Requisition,
    RequisitionEvent,
    RequisitionLine,
)
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.audit import new_event, record_event
from openprocure.core.formatting import format_money, format_number
from openprocure.core.models import User
from openprocure.core.status import follow, restore_status_many, set_status, set_status_many
from punchout.money import quantize_money


class RequisitionError(Exception):
    """A change the rules do not allow; ``message`` says what was wrong and what to do next."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


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


# -- helpers -------------------------------------------------------------------------------------


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


def _new_number(requisition: Requisition) -> str:
    return f"REQ-{requisition.pk:06d}"


# -- creating ------------------------------------------------------------------------------------


def create_requisition(*, requester: User, title: str = "", currency: str = "") -> Requisition:
    """An empty draft requisition (free-text lines are added afterwards)."""
    profile = profile_for(requester)
    currency = currency or (profile.company.default_currency if profile else "EUR")
    with transaction.atomic():
        requisition = Requisition.objects.create(
            number=f"tmp-{uuid.uuid4().hex[:24]}",  # fits the 32-character column until numbered
            requester=requester,
            title=title,
            currency=currency,
            ship_to=profile.default_ship_to if profile else None,
            cost_center=profile.default_cost_center if profile else None,
        )
        requisition.number = _new_number(requisition)
        requisition.save(update_fields=["number"])
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


# -- status --------------------------------------------------------------------------------------


def _submission_problems(requisition: Requisition) -> list[str]:
    lines = list(requisition.lines.select_related("cost_center").prefetch_related("splits"))
    profile = profile_for(requisition.requester)
    return _line_problems(lines, *_restrictions(profile))


def _restrictions(profile: Any) -> tuple[set[str], list[RestrictedCategory]]:
    """The requester's role codes and their company's restricted categories."""
    if profile is None:
        return set(), []
    return profile.role_codes(), list(RestrictedCategory.objects.filter(company=profile.company))


def _suppliers_refusing_free_text(lines: Sequence[RequisitionLine]) -> dict[int, str]:
    """Suppliers of the free-text lines whose order connection refuses lines not from its cart
    (``PunchOutConnection.accepts_free_text``): supplier ID → name."""

    supplier_ids = {line.supplier_id for line in lines if line.is_free_text and line.supplier_id}
    if not supplier_ids:
        return {}
    refusing: dict[int, str] = {}
    # The connection orders go through: the first active cXML connection with an order URL.
    seen: set[int] = set()
    for connection in (
        PunchOutConnection.objects.filter(supplier_id__in=supplier_ids, is_active=True, protocol="cxml")
        .exclude(order_url="")
        .select_related("supplier")
        .order_by("pk")
    ):
        if connection.supplier_id in seen:
            continue
        seen.add(connection.supplier_id)
        if not connection.accepts_free_text:
            refusing[connection.supplier_id] = connection.supplier.name
    return refusing


def _line_problems(
    lines: Sequence[RequisitionLine], roles: set[str], restrictions: Sequence[RestrictedCategory]
) -> list[str]:
    if not lines:
        return [_("Add at least one line before submitting.")]
    problems = []
    refusing = _suppliers_refusing_free_text(lines)
    for line in lines:
        if line.is_free_text and line.supplier_id in refusing:
            problems.append(
                _(
                    "Line %(n)s is a free-text line, but %(supplier)s accepts only lines from its catalog: "
                    "choose the item in its shop (or another supplier), or remove the line."
                )
                % {"n": line.line_number, "supplier": refusing[line.supplier_id]}
            )
        if line.cost_center_id is None and not line.splits.all():
            problems.append(_("Line %(n)s has no cost center: set its accounting.") % {"n": line.line_number})
        for restriction in restrictions:
            if line.unspsc.startswith(restriction.unspsc_prefix) and restriction.role not in roles:
                problems.append(
                    _("Line %(n)s is in category %(code)s, which only a %(role)s may requisition.")
                    % {"n": line.line_number, "code": line.unspsc, "role": restriction.get_role_display()}
                )
    return problems


def submit_requisition(requisition: Requisition, actor: User, *, reason: str = "") -> Requisition:
    """Send a draft (or returned) requisition for approval; a second submit is refused cleanly.

    Runs the ``hooks.on_submitted`` callables inside the same transaction (approval chain creation).
    """
    with transaction.atomic():
        locked = _lock(requisition)
        refusal = _submit_refusal(locked, actor)
        if refusal:
            raise RequisitionError(refusal)
        problems = _submission_problems(locked)
        if problems:
            raise RequisitionError(" ".join(problems))
        total = locked.compute_total()
        set_status(
            locked,
            RequisitionStatus.SUBMITTED,
            table=REQUISITION_TRANSITIONS,
            also=["updated_at"],
            values={"submitted_at": timezone.now(), "total_amount": total},
            event=new_event(
                RequisitionEvent,
                locked,
                EventKind.STATUS_CHANGED,
                actor=actor,
                detail={"total": str(total), "currency": locked.currency},
                reason=reason,
                from_status=locked.status,
                to_status=RequisitionStatus.SUBMITTED,
            ),
        )
        hooks.on_submitted(locked)
    return locked


def _submit_refusal(requisition: Requisition, actor: User) -> str:
    """Why ``actor`` may not submit ``requisition`` now (empty when they may)."""
    if requisition.status == RequisitionStatus.SUBMITTED:
        return _("Requisition %(number)s was already submitted.") % {"number": requisition.number}
    if actor.pk != requisition.requester_id:
        return _("Only the requester can submit requisition %(number)s.") % {"number": requisition.number}
    if requisition.status not in EDITABLE_STATUSES:
        return _("Requisition %(number)s is %(status)s and cannot be submitted.") % {
            "number": requisition.number,
            "status": requisition.get_status_display(),
        }
    return ""


#: How many requisitions one transaction of a batch action handles: large enough for bulk statements
#: to pay off, small enough that other writers never wait long for the database.
BATCH_SIZE = 500


@dataclass
class BatchOutcome:
    """What a batch action did: the requisition numbers that went through, and why others did not."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (requisition number, reason)


def batch_queryset() -> Any:
    """Requisitions with what submitting and approving read: requester profile, lines and their splits."""
    return Requisition.objects.select_related("requester__buyer_profile", "ship_to").prefetch_related(
        Prefetch(
            "lines",
            queryset=RequisitionLine.objects.select_related("cost_center", "gl_account")
            .prefetch_related(
                Prefetch(
                    "splits", queryset=AccountingSplit.objects.select_related("cost_center", "gl_account")
                )
            )
            .order_by("line_number"),
        )
    )


def submit_many(*, requisition_ids: Sequence[int], actor: User, reason: str = "") -> BatchOutcome:
    """Submit many of the actor's requisitions with bulk statements, one transaction per batch.

    The same rules as :func:`submit_requisition`; a requisition that cannot be submitted (or that the
    ``hooks.on_submitted_many`` callables refuse: a blocking budget, an unresolvable chain) is left
    as it was and reported with the reason, while the others go through.
    """
    ids = list(dict.fromkeys(int(pk) for pk in requisition_ids))
    roles, restrictions = _restrictions(profile_for(actor))
    outcome = BatchOutcome()
    for start in range(0, len(ids), BATCH_SIZE):
        with transaction.atomic():
            _submit_chunk(ids[start : start + BATCH_SIZE], actor, reason, roles, restrictions, outcome)
    return outcome


def _submit_chunk(
    ids: list[int],
    actor: User,
    reason: str,
    roles: set[str],
    restrictions: Sequence[RestrictedCategory],
    outcome: BatchOutcome,
) -> None:
    rows = {r.pk: r for r in batch_queryset().select_for_update(of=("self",)).filter(pk__in=ids)}
    candidates: list[Requisition] = []
    for pk in ids:
        requisition = rows.get(pk)
        if requisition is None:
            outcome.refused.append((str(pk), _("This requisition does not exist.")))
            continue
        problems = [_submit_refusal(requisition, actor)]
        if not problems[0]:
            problems = _line_problems(list(requisition.lines.all()), roles, restrictions)
        if problems:
            outcome.refused.append((requisition.number, " ".join(problems)))
            continue
        candidates.append(requisition)
    if not candidates:
        return
    now = timezone.now()
    submitted_before = {requisition.pk: requisition.submitted_at for requisition in candidates}
    changed: list[Requisition] = []
    for requisition in candidates:
        total = requisition.compute_total()
        if total != Decimal(requisition.total_amount):  # kept up to date by every line change, normally
            changed.append(requisition)
        requisition.total_amount = total
    events = [
        new_event(
            RequisitionEvent,
            requisition,
            EventKind.STATUS_CHANGED,
            actor=actor,
            detail={"total": str(requisition.total_amount), "currency": requisition.currency},
            created_at=now,
            reason=reason,
            from_status=requisition.status,
            to_status=RequisitionStatus.SUBMITTED,
        )
        for requisition in candidates
    ]
    # Plain UPDATEs, one per distinct value (bulk_update's CASE per row costs more than it saves).
    previous = set_status_many(
        candidates,
        RequisitionStatus.SUBMITTED,
        table=REQUISITION_TRANSITIONS,
        values={"submitted_at": now, "updated_at": now},
        events=events,
    )
    for total, pks in _group_by(changed, lambda r: r.total_amount).items():
        Requisition.objects.filter(pk__in=pks).update(total_amount=total)
    refused = hooks.on_submitted_many(candidates)
    if refused:
        # The callables wrote nothing for these: put them back as they were, without a trace.
        back = [r for r in candidates if r.pk in refused]
        restore_status_many(
            back, previous, values={r.pk: {"submitted_at": submitted_before[r.pk]} for r in back}
        )
        RequisitionEvent.objects.filter(pk__in=[e.pk for e in events if e.requisition_id in refused]).delete()
    for requisition in candidates:
        if requisition.pk in refused:
            outcome.refused.append((requisition.number, refused[requisition.pk]))
        else:
            outcome.done.append(requisition.number)


def _group_by(requisitions: Sequence[Requisition], key: Any) -> dict[Any, list[int]]:
    groups: dict[Any, list[int]] = {}
    for requisition in requisitions:
        groups.setdefault(key(requisition), []).append(requisition.pk)
    return groups


def change_status_many(
    *,
    requisitions: Sequence[Requisition],
    target: str,
    actor: User | None,
    reasons: dict[int, str] | None = None,
    data: dict[int, dict[str, Any]] | None = None,
) -> None:
    """:func:`change_status` for many requisitions with bulk statements (rows locked, moves checked).

    Raises ``IllegalTransition`` (nothing changed) when one of them may not move to ``target``.
    """
    if not requisitions:
        return
    now = timezone.now()
    with transaction.atomic():
        ids = [r.pk for r in requisitions]
        locked = {
            pk: status
            for pk, status in Requisition.objects.select_for_update()
            .filter(pk__in=ids)
            .values_list("pk", "status")
        }
        # The rows as they are now, locked (the objects passed in may be stale).
        current = [Requisition(pk=pk, status=locked[pk]) for pk in ids]
        set_status_many(
            current,
            target,
            table=REQUISITION_TRANSITIONS,
            values={"updated_at": now},
            events=[
                new_event(
                    RequisitionEvent,
                    requisition,
                    EventKind.STATUS_CHANGED,
                    actor=actor,
                    detail=(data or {}).get(requisition.pk, {}),
                    created_at=now,
                    reason=(reasons or {}).get(requisition.pk, ""),
                    from_status=locked[requisition.pk],
                    to_status=target,
                )
                for requisition in requisitions
            ],
        )
        moved = {row.pk: row for row in current}
        for requisition in requisitions:
            follow(requisition, moved[requisition.pk])
            requisition.updated_at = now


def change_status(
    *,
    requisition: Requisition,
    target: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Requisition:
    """Move a requisition along the transition table (approved, rejected, returned, ordered, closed…).

    For other apps (approvals, purchasing): the row is locked, the move checked, an event recorded.
    """
    with transaction.atomic():
        locked = _lock(requisition)
        set_status(
            locked,
            target,
            table=REQUISITION_TRANSITIONS,
            also=["updated_at"],
            event=new_event(
                RequisitionEvent,
                locked,
                EventKind.STATUS_CHANGED,
                actor=actor,
                detail=data or {},
                reason=reason,
                from_status=locked.status,
                to_status=target,
            ),
        )
    return locked


def cancel_requisition(*, requisition: Requisition, actor: User, reason: str = "") -> Requisition:
    """Withdraw a requisition that has not been ordered yet."""
    if actor.pk != requisition.requester_id:
        raise RequisitionError(
            _("Only the requester can cancel requisition %(number)s.") % {"number": requisition.number}
        )
    return change_status(
        requisition=requisition, target=RequisitionStatus.CANCELLED, actor=actor, reason=reason
    )


#: Statuses whose requisition may be copied into a new draft: it ended without an order (rejected,
#: cancelled), was sent back for changes, or is a past purchase (ordered, closed) bought again; the
#: copy starts again without the approval history.
COPYABLE_STATUSES = frozenset(
    {
        RequisitionStatus.REJECTED,
        RequisitionStatus.CANCELLED,
        RequisitionStatus.RETURNED,
        RequisitionStatus.ORDERED,
        RequisitionStatus.CLOSED,
    }
)

#: The copyable statuses of a past purchase, whose copy is offered as "Reorder".
REORDER_STATUSES = frozenset({RequisitionStatus.ORDERED, RequisitionStatus.CLOSED})

#: Line fields that describe the item, quantity and price as the supplier's cart gave them (supplier
#: IDs byte for byte): a copy and a purchase-order line keep them as they are.
ITEM_FIELDS = (
    "supplier_part_id",
    "supplier_part_auxiliary_id",
    "description",
    "quantity",
    "unit_of_measure",
    "unit_price",
    "price_basis_quantity",
    "unspsc",
    "manufacturer_name",
    "manufacturer_part_id",
    "extrinsics",
    "classifications",
)

#: Line fields a copy keeps as they are (the item, the supplier and cart it came from, accounting).
_COPIED_LINE_FIELDS = (
    "line_number",
    "supplier_id",
    "connection_id",
    "punchout_session_id",
    *ITEM_FIELDS,
    "from_catalog",
    "currency",
    "lead_time_days",
    "cost_center_id",
    "gl_account_id",
    "split_mode",
    "need_by",
    "ship_to_id",
    "justification",
    "is_free_text",
)


def copy_requisition(
    *, requisition: Requisition, actor: User, line_ids: Sequence[int] | None = None
) -> Requisition:
    """A new draft holding a past requisition's title, justification, need-by date, ship-to and lines
    with their accounting (a rejected, cancelled or returned one started again, an ordered or closed
    one bought again); its approval history stays with the old one.

    Both requisitions record the copy in their history (copied from / copied to). ``line_ids`` copies
    only those lines (a purchase order's, reordered from the order's page).
    """
    with transaction.atomic():
        source = _lock(requisition)
        if actor.pk != source.requester_id:
            raise RequisitionError(
                _("Only the requester can copy requisition %(number)s.") % {"number": source.number}
            )
        if source.status not in COPYABLE_STATUSES:
            raise RequisitionError(
                _(
                    "Requisition %(number)s is %(status)s: only a rejected, cancelled, returned, "
                    "ordered or closed requisition can be copied into a new draft."
                )
                % {"number": source.number, "status": source.get_status_display()}
            )
        return _copy(source, actor=actor, detail={}, line_ids=line_ids)


def copy_for_schedule(*, requisition: Requisition, schedule: str) -> Requisition:
    """A new draft copied from ``requisition`` for an occurrence of a recurring schedule (named by
    ``schedule``), made by the worker for the requester: the same copy as :func:`copy_requisition`,
    whatever the source's status now."""
    with transaction.atomic():
        source = _lock(requisition)
        return _copy(source, actor=None, detail={"schedule": schedule})


def _copy(
    source: Requisition, *, actor: User | None, detail: dict[str, Any], line_ids: Sequence[int] | None = None
) -> Requisition:
    """Copy the locked ``source`` (all its lines, or those of ``line_ids``) into a new numbered draft of
    its requester and record it on both."""
    copy = Requisition.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:24]}",  # fits the 32-character column until numbered
        requester=source.requester,
        title=source.title,
        currency=source.currency,
        justification=source.justification,
        need_by=source.need_by,
        ship_to=source.ship_to,
        cost_center=source.cost_center,
        gl_account=source.gl_account,
    )
    copy.number = _new_number(copy)
    copy.save(update_fields=["number"])
    chosen = source.lines.all() if line_ids is None else source.lines.filter(pk__in=line_ids)
    lines = list(chosen.prefetch_related("splits").order_by("line_number"))
    for line in lines:
        new_line = RequisitionLine.objects.create(
            requisition=copy, **{name: getattr(line, name) for name in _COPIED_LINE_FIELDS}
        )
        AccountingSplit.objects.bulk_create(
            [
                AccountingSplit(
                    line=new_line,
                    cost_center_id=split.cost_center_id,
                    gl_account_id=split.gl_account_id,
                    percentage=split.percentage,
                    amount=split.amount,
                )
                for split in line.splits.all()
            ]
        )
    _refresh_total(copy)
    record_event(
        RequisitionEvent,
        copy,
        EventKind.CREATED,
        actor=actor,
        to_status=RequisitionStatus.DRAFT,
        detail={"copied_from": source.number, "lines": len(lines), **detail},
        reason=_("Copied from %(number)s") % {"number": source.number},
    )
    record_event(
        RequisitionEvent,
        source,
        EventKind.NOTE,
        actor=actor,
        detail={"copied_to": copy.number, **detail},
        reason=_("Copied to %(number)s") % {"number": copy.number},
    )
    return copy


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
