"""Every write of fulfilment: ship (whole, partial, consolidated, automatic), deliver, invoice, charge.

When a shipment leaves: the order lines count what shipped, the default payment method is charged
(a Charge on our ledger) for the shipped value, a ShipNoticeRequest goes to the buyer, and an
invoice is issued per shipment or, when the order is complete, per order (a business setting) —
sent as an InvoiceDetailRequest unless the business turned e-invoicing off. Test orders never get
here: they are refused before anything ships.

Issuing and correcting invoices is :mod:`.invoicing`; the buyer's status of its orders and of our
invoices is kept by :mod:`.buyer_status`. This module re-exports their names, so callers import
``services`` alone.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from openprocure.core import mail
from openprocure.core.audit import record_event
from openprocure.core.links import web_url
from openprocure.core.models import User
from openprocure.core.status import set_status
from openprocure.core.tunables import tunable
from openprocure.supplier.business.choices import InvoiceGrouping
from openprocure.supplier.business.models import Business, PaymentMethod, ShippingAddress
from openprocure.supplier.business.services import staff_role
from openprocure.supplier.fulfilment.buyer_status import (
    STATUS_PATH,
    StatusNotRecorded,
    disputed_invoices,
    record_buyer_status,
)
from openprocure.supplier.fulfilment.choices import (
    RETURN_REQUEST_TRANSITIONS,
    SHIPMENT_TRANSITIONS,
    ReturnRequestStatus,
    ShipmentStatus,
)
from openprocure.supplier.fulfilment.documents import ship_notice_request
from openprocure.supplier.fulfilment.invoicing import (
    CorrectedLine,
    _issue_invoice,
    _number,
    correctable,
    issue_corrective,
    require_invoicing_staff,
)
from openprocure.supplier.fulfilment.models import (
    Charge,
    GoodsReturn,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShipmentLine,
)
from openprocure.supplier.orders import documents
from openprocure.supplier.orders.choices import ORDER_TRANSITIONS, EventKind, OrderStatus
from openprocure.supplier.orders.consolidation import next_weekday
from openprocure.supplier.orders.models import Order, OrderEvent, OrderLine
from openprocure.supplier.punchout import pricing
from punchout import amounts

__all__ = [
    "AUTO_SHIPPABLE",
    "SHIPPABLE",
    "STATUS_PATH",
    "ConsolidationGroup",
    "CorrectedLine",
    "ReturnedQuantity",
    "ShipRequest",
    "StatusNotRecorded",
    "auto_fulfil",
    "business_charges",
    "consolidation_groups",
    "correctable",
    "decline_return_request",
    "disputed_invoices",
    "issue_corrective",
    "mark_delivered",
    "next_delivery_day",
    "queue",
    "record_buyer_status",
    "record_return",
    "request_return",
    "require_invoicing_staff",
    "require_staff",
    "returned_quantities",
    "ship",
    "shipment_amounts",
]

logger = logging.getLogger(__name__)

SHIPPABLE = [OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED]
#: The orders the automatic fulfilment ships: those of the operators' queue.
AUTO_SHIPPABLE = [OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED]


def require_staff(user: User | None) -> None:
    """Operators (and the automatic task, user None) ship; nobody else."""
    if user is not None and staff_role(user) is None:
        raise PermissionDenied(_("Only our operators may ship orders."))


def _locked_lines(**orders: Any) -> dict[int, OrderLine]:
    """The current lines of the orders ``orders`` names (``order=`` or ``order__in=``), locked in
    primary key order and keyed by it."""
    return {
        line.pk: line
        for line in OrderLine.objects.select_for_update().filter(is_current=True, **orders).order_by("pk")
    }


def next_delivery_day(weekday: int, *, today: date | None = None) -> date:
    """The next date (today included) falling on ``weekday`` (0 = Monday)."""
    return next_weekday(weekday, on_or_after=today or timezone.localdate())


@dataclass(frozen=True)
class ShipRequest:
    """How much of one order line to ship."""

    line_id: int
    quantity: int


def ship(
    *,
    order_ids: list[int],
    carrier: str,
    tracking_number: str,
    by: User | None,
    quantities: list[ShipRequest] | None = None,
    tracking_url: str = "",
    automatic: bool = False,
    shown_open: Mapping[int, int] | None = None,
) -> Shipment:
    """Ship order lines (all that can ship, or the given quantities) in one shipment.

    Several orders ship together only when they belong to one business and go to one address (a
    consolidated delivery). ``shown_open``: ``{line id: quantity left to ship}`` as the person's
    page showed it; a line whose quantity has changed since (the form posted twice, or someone
    shipped meanwhile) ships nothing.
    """
    require_staff(by)
    carrier, tracking_number, tracking_url = carrier.strip(), tracking_number.strip(), tracking_url.strip()
    if not carrier or not tracking_number:
        raise ValidationError(_("Give the carrier and the tracking number of the parcel."))
    if tracking_url and web_url(tracking_url) is None:
        raise ValidationError(
            _("The tracking link must be a web address that starts with http:// or https://.")
        )
    with transaction.atomic():
        orders = list(
            # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins.
            Order.objects.select_for_update(of=("self",))
            .select_related("integration", "business", "payment_method", "shipping_address")
            .filter(pk__in=order_ids)
            .order_by("pk")
        )
        if not orders or len(orders) != len(set(order_ids)):
            raise ValidationError(_("Choose the orders to ship."))
        if any(order.is_test for order in orders):
            raise ValidationError(_("A test order never ships."))
        if (
            len({order.business_id for order in orders}) > 1
            or len({order.shipping_address_id for order in orders}) > 1
        ):
            raise ValidationError(_("Only orders of one business to one address ship together."))
        if any(order.status not in SHIPPABLE for order in orders):
            raise ValidationError(_("A cancelled or delivered order cannot ship."))
        today = timezone.localdate()
        for order in orders:
            if order.held_until is not None and order.held_until > today:
                raise ValidationError(
                    _("Order %(order)s is held for consolidated delivery on %(day)s: it ships that day.")
                    % {"order": order.number, "day": formats.date_format(order.held_until, "DATE_FORMAT")}
                )
        lines = _locked_lines(order__in=orders)
        for line_id, shown in (shown_open or {}).items():
            changed = lines.get(line_id)
            if changed is not None and changed.open_quantity != shown:
                raise ValidationError(
                    _(
                        "Line %(line)s changed since this page was shown: %(open)s left to ship now, not "
                        "%(shown)s. Nothing shipped: check the quantities and ship again."
                    )
                    % {"line": changed.line_number, "open": changed.open_quantity, "shown": shown}
                )
        wanted: dict[int, int] = {}
        if quantities is None:
            for line in lines.values():
                ready = max(0, line.accepted_quantity - line.shipped_quantity)
                if ready:
                    wanted[line.pk] = ready
        else:
            for request in quantities:
                order_line = lines.get(request.line_id)
                if request.quantity < 0:
                    # Never read as 0: the person meant something, and the rest must not ship by it.
                    raise ValidationError(
                        _("Line %(line)s: a quantity to ship cannot be negative (%(quantity)s).")
                        % {
                            "line": order_line.line_number if order_line else request.line_id,
                            "quantity": request.quantity,
                        }
                    )
                if request.quantity == 0:
                    continue
                if order_line is None:
                    raise ValidationError(_("A line to ship is not part of these orders."))
                if request.quantity > order_line.open_quantity:
                    raise ValidationError(
                        _("Line %(line)s of %(order)s has only %(open)s left to ship.")
                        % {
                            "line": order_line.line_number,
                            "order": order_line.order.number,
                            "open": order_line.open_quantity,
                        }
                    )
                wanted[order_line.pk] = request.quantity
        if not wanted:
            raise ValidationError(_("Nothing to ship: every accepted quantity has shipped."))
        first = orders[0]
        address = first.shipping_address
        expected = None
        if address is not None and address.preferred_delivery_day is not None:
            expected = next_delivery_day(address.preferred_delivery_day)
        held = [order.held_until for order in orders if order.held_until is not None]
        if held:
            expected = max(today, *held)
        shipment = Shipment.objects.create(
            business=first.business,
            shipment_id=_number("SH"),
            shipping_address=address,
            carrier=carrier[:100],
            tracking_number=tracking_number[:100],
            tracking_url=tracking_url[:500],
            consolidated=len(orders) > 1,
            automatic=automatic,
            shipped_by=by,
            expected_delivery=expected,
        )
        ShipmentLine.objects.bulk_create(
            [
                ShipmentLine(shipment=shipment, order_line_id=pk, quantity=quantity)
                for pk, quantity in wanted.items()
            ]
        )
        for pk, quantity in wanted.items():
            line = lines[pk]
            from_backorder = max(0, line.shipped_quantity + quantity - line.accepted_quantity)
            line.shipped_quantity += quantity
            if from_backorder:
                # A backordered quantity shipped: it came back in stock.
                line.accepted_quantity += from_backorder
                line.backordered_quantity -= from_backorder
            line.save(update_fields=["shipped_quantity", "accepted_quantity", "backordered_quantity"])
        for order in orders:
            shipped_lines = [lines[pk] for pk in wanted if lines[pk].order_id == order.pk]
            if not shipped_lines:
                continue
            _after_shipment(order, shipment, shipped_lines, wanted, by)
    return shipment


def _after_shipment(
    order: Order, shipment: Shipment, lines: list[OrderLine], wanted: dict[int, int], by: User | None
) -> None:
    """Order status, charge, ship notice and invoice of one order's part of a shipment."""
    current = list(order.lines.filter(is_current=True))
    remaining = sum(line.open_quantity for line in current)
    ready = sum(max(0, line.accepted_quantity - line.shipped_quantity) for line in current)
    target = OrderStatus.SHIPPED if ready == 0 else OrderStatus.PARTIALLY_SHIPPED
    order.updated_at = timezone.now()
    if order.status != target:
        set_status(order, target, table=ORDER_TRANSITIONS, also=["updated_at"])
    else:
        order.save(update_fields=["updated_at"])
    record_event(
        OrderEvent,
        order,
        EventKind.SHIPPED,
        actor=by,
        detail={
            "shipment": shipment.shipment_id,
            "carrier": shipment.carrier,
            "tracking": shipment.tracking_number,
            "lines": {str(line.line_number): wanted[line.pk] for line in lines},
            "remaining": remaining,
        },
    )
    priced = shipment_amounts(order, lines, wanted, first_shipment=not _shipped_before(order, shipment))
    _charge(order, shipment, priced.total)
    documents.send(
        order.integration,
        ship_notice_request(order, shipment, [(line, wanted[line.pk]) for line in lines]),
        reference=order.number,
        is_test=False,
    )
    integration = order.integration
    if integration.invoice_grouping == InvoiceGrouping.PER_SHIPMENT:
        _issue_invoice(order, shipment, [(line, wanted[line.pk]) for line in lines], priced)
    elif remaining == 0:
        _invoice_whole_order(order, current)


def _invoice_whole_order(order: Order, current: list[OrderLine]) -> None:
    """The one invoice of an order invoiced as a whole: everything it shipped."""
    everything = [(line, line.shipped_quantity) for line in current if line.shipped_quantity]
    total_amounts = shipment_amounts(
        order,
        [line for line, _q in everything],
        {line.pk: q for line, q in everything},
        first_shipment=True,
    )
    _issue_invoice(order, None, everything, total_amounts)


def invoice_when_closed_short(*, order: Order) -> None:
    """The buyer closed a partly shipped order short and nothing is left to ship: an order invoiced
    as a whole gets its invoice now, as after its last shipment (per shipment, each shipment's
    invoice went already)."""
    if order.integration.invoice_grouping == InvoiceGrouping.PER_SHIPMENT:
        return
    _invoice_whole_order(order, list(order.lines.filter(is_current=True)))


def _shipped_before(order: Order, shipment: Shipment) -> bool:
    return Shipment.objects.filter(lines__order_line__order=order).exclude(pk=shipment.pk).exists()


def shipment_amounts(
    order: Order, lines: list[OrderLine], quantities: dict[int, int], *, first_shipment: bool
) -> amounts.Totals:
    """Lines at our unit prices with their VAT (rounded per line), and with the order's first
    shipment its shipping charges, each with its own VAT (the storefront's money rules)."""
    charges = []
    if first_shipment:
        charges = [
            Decimal(line.shipping)
            for line in order.lines.filter(is_current=True).order_by("line_number", "pk")
            if line.shipping
        ]
    return pricing.totals(
        order.currency,
        [(Decimal(quantities[line.pk]), Decimal(line.unit_price)) for line in lines],
        charges,
    )


def _charge(order: Order, shipment: Shipment, amount: Decimal) -> None:
    method = order.payment_method
    if method is None:
        method = PaymentMethod.objects.filter(business_id=order.business_id, is_default=True).first()
    Charge.objects.create(
        business_id=order.business_id,
        order=order,
        shipment=shipment,
        payment_method=method,
        payment_method_label=str(method) if method else "",
        amount=amount,
        currency=order.currency,
    )
    record_event(
        OrderEvent, order, EventKind.CHARGED, detail={"amount": str(amount), "shipment": shipment.shipment_id}
    )


# -- returns ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReturnedQuantity:
    """How much of one order line came back."""

    line_id: int
    quantity: int


def returned_quantities(line_ids: list[int]) -> dict[int, int]:
    """What came back so far of each order line."""
    rows = (
        ReturnLine.objects.filter(order_line_id__in=line_ids)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_line_id", "total")
    )
    return {line_id: int(total) for line_id, total in rows}


def _returnable(lines: dict[int, OrderLine], quantities: list[ReturnedQuantity]) -> dict[int, int]:
    """``{order line id: quantity}`` of the positive quantities asked, each at most what shipped and
    has not come back yet (else a ValidationError naming the line)."""
    already = returned_quantities(list(lines))
    wanted: dict[int, int] = {}
    for request in quantities:
        line = lines.get(request.line_id)
        if request.quantity < 0:
            raise ValidationError(
                _("Line %(line)s: a quantity cannot be negative (%(quantity)s).")
                % {"line": line.line_number if line else request.line_id, "quantity": request.quantity}
            )
        if request.quantity == 0:
            continue
        if line is None:
            raise ValidationError(_("A returned line is not part of this order."))
        left = line.shipped_quantity - already.get(line.pk, 0)
        if request.quantity > left:
            raise ValidationError(
                _("Line %(line)s: only %(left)s shipped and not yet returned.")
                % {"line": line.line_number, "left": left}
            )
        wanted[line.pk] = request.quantity
    return wanted


def record_return(
    *,
    order_id: int,
    quantities: list[ReturnedQuantity],
    reason: str,
    by: User | None,
    request_id: int | None = None,
    shown_left: Mapping[int, int] | None = None,
) -> GoodsReturn:
    """Goods came back: record them, refund their value with VAT (shipping is not refunded) on the
    payment method, issue the credit memo (sent as cXML when e-invoicing is on) and tell the
    PunchOut user. At most what shipped and has not come back yet can come back. ``request_id``: the
    business's return request this return answers (it is then recorded). ``shown_left``: ``{line
    id: quantity that could come back}`` as the person's page showed it; a line whose quantity has
    changed since (the form posted twice, or another return recorded meanwhile) records nothing."""
    require_staff(by)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Say why the goods came back."))
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("integration", "payment_method")
            .get(pk=order_id)
        )
        if order.is_test:
            raise ValidationError(_("A test order never ships, so nothing of it can come back."))
        lines = _locked_lines(order=order)
        already = returned_quantities(list(lines))
        for line_id, shown in (shown_left or {}).items():
            changed = lines.get(line_id)
            left = changed.shipped_quantity - already.get(line_id, 0) if changed is not None else shown
            if changed is not None and left != shown:
                raise ValidationError(
                    _(
                        "Line %(line)s changed since this page was shown: %(left)s can come back now, not "
                        "%(shown)s. Nothing recorded: check the quantities and record the return again."
                    )
                    % {"line": changed.line_number, "left": left, "shown": shown}
                )
        wanted = _returnable(lines, quantities)
        if not wanted:
            raise ValidationError(_("Give the quantity that came back on at least one line."))
        goods_return = GoodsReturn.objects.create(
            business_id=order.business_id,
            order=order,
            number=_number("RT"),
            reason=reason[:500],
            recorded_by=by,
        )
        ReturnLine.objects.bulk_create(
            [ReturnLine(goods_return=goods_return, order_line_id=pk, quantity=q) for pk, q in wanted.items()]
        )
        returned = [(lines[pk], quantity) for pk, quantity in wanted.items()]
        priced = shipment_amounts(order, [line for line, _q in returned], wanted, first_shipment=False)
        credit_memo = _issue_invoice(order, None, returned, priced, goods_return=goods_return)
        refund = _refund(order, goods_return, priced.total)
        record_event(
            OrderEvent,
            order,
            EventKind.RETURNED,
            actor=by,
            detail={
                "return": goods_return.number,
                "lines": {str(line.line_number): quantity for line, quantity in returned},
                "refund": str(priced.total),
                "credit_memo": credit_memo.number,
            },
        )
        recipients = {order.email} - {""}
        if request_id is not None:
            asked = _open_request(order, request_id)
            asked.goods_return = goods_return
            _decide(asked, ReturnRequestStatus.RECORDED, by, also=["goods_return"])
            if asked.requested_by is not None:
                recipients.add(asked.requested_by.email)
        if recipients:
            _mail_return(order, goods_return, returned, refund, sorted(recipients))
    return goods_return


def _open_request(order: Order, request_id: int) -> ReturnRequest:
    asked = (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("requested_by")
        .filter(pk=request_id, order=order)
        .first()
    )
    if asked is None or asked.status != ReturnRequestStatus.REQUESTED:
        raise ValidationError(_("This return request was already answered."))
    return asked


def _decide(asked: ReturnRequest, status: str, by: User | None, *, also: list[str]) -> None:
    """Close an open return request as ``status``: who decided and when, with the fields ``also`` set."""
    asked.decided_by, asked.decided_at = by, timezone.now()
    set_status(asked, status, table=RETURN_REQUEST_TRANSITIONS, also=[*also, "decided_by", "decided_at"])


def request_return(
    *, order: Order, quantities: list[ReturnedQuantity], reason: str, by: User
) -> ReturnRequest:
    """The business asks to send goods back: at most what shipped and has not come back yet, with a
    reason. Our staff then record the return when the goods arrive, or decline it."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Say why the goods should come back."))
    with transaction.atomic():
        # The order locked first: two submits at once take turns, and the second sees the first's request.
        order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
        wanted = _returnable({line.pk: line for line in order.lines.filter(is_current=True)}, quantities)
        if not wanted:
            raise ValidationError(_("Give the quantity to send back on at least one line."))
        if order.return_requests.filter(status=ReturnRequestStatus.REQUESTED).exists():
            raise ValidationError(_("A return request of this order is already waiting: we answer it first."))
        return ReturnRequest.objects.create(
            business_id=order.business_id,
            order=order,
            requested_by=by,
            reason=reason[:500],
            quantities={str(pk): quantity for pk, quantity in wanted.items()},
        )


def decline_return_request(*, request_id: int, reason: str, by: User | None) -> ReturnRequest:
    """Staff decline a return request; the person who asked is told why."""
    require_staff(by)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Say why the return is declined."))
    with transaction.atomic():
        order_id = ReturnRequest.objects.values_list("order_id", flat=True).get(pk=request_id)
        order = Order.objects.select_for_update(of=("self",)).get(pk=order_id)
        asked = _open_request(order, request_id)
        asked.decline_reason = reason[:500]
        _decide(asked, ReturnRequestStatus.DECLINED, by, also=["decline_reason"])
        if asked.requested_by is not None:
            person = asked.requested_by
            with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
                subject = _("Your return request for order %(order)s was declined") % {"order": order.number}
                body = _(
                    "We cannot take back the goods of our order %(order)s (your purchase order %(po)s): "
                    "%(reason)s"
                ) % {"order": order.number, "po": order.buyer_order_id, "reason": asked.decline_reason}
            mail.send_after_commit(subject, body, person.email)
    return asked


def _refund(order: Order, goods_return: GoodsReturn, amount: Decimal) -> Charge:
    """The refund of a return: a negative line on the ledger, on the method the order was charged to."""
    charged = Charge.objects.filter(order=order, shipment__isnull=False).order_by("pk").first()
    method = charged.payment_method if charged else order.payment_method
    return Charge.objects.create(
        business_id=order.business_id,
        order=order,
        goods_return=goods_return,
        payment_method=method,
        payment_method_label=charged.payment_method_label if charged else (str(method) if method else ""),
        amount=-amount,
        currency=order.currency,
    )


def _mail_return(
    order: Order,
    goods_return: GoodsReturn,
    returned: list[tuple[OrderLine, int]],
    refund: Charge,
    recipients: list[str],
) -> None:
    language = getattr(order.user, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Return %(number)s recorded for order %(order)s (your purchase order %(po)s)") % {
            "number": goods_return.number,
            "order": order.number,
            "po": order.buyer_order_id,
        }
        body = render_to_string(
            "fulfilment/email_return.txt",
            {
                "order": order,
                "goods_return": goods_return,
                "returned": returned,
                "refund": -Decimal(refund.amount),
                "refund_to": refund.payment_method_label,
            },
        )
    mail.send_after_commit(subject, body, recipients)


def mark_delivered(*, shipment_id: int, by: User | None) -> Shipment:
    """The carrier delivered a shipment; an order whose every shipment arrived becomes delivered."""
    require_staff(by)
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
        shipment.delivered_at = timezone.now()
        set_status(shipment, ShipmentStatus.DELIVERED, table=SHIPMENT_TRANSITIONS, also=["delivered_at"])
        order_ids = set(
            Order.objects.filter(lines__shipment_lines__shipment=shipment).values_list("pk", flat=True)
        )
        # Locked by id: PostgreSQL refuses FOR UPDATE together with DISTINCT.
        orders = Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk")
        for order in orders:
            pending = Shipment.objects.filter(
                lines__order_line__order=order, status=ShipmentStatus.SHIPPED
            ).exists()
            if order.status == OrderStatus.SHIPPED and not pending:
                order.updated_at = timezone.now()
                set_status(order, OrderStatus.DELIVERED, table=ORDER_TRANSITIONS, also=["updated_at"])
            record_event(
                OrderEvent, order, EventKind.DELIVERED, actor=by, detail={"shipment": shipment.shipment_id}
            )
    return shipment


# -- the queue and automatic fulfilment ------------------------------------------------------------
def queue() -> list[Order]:
    """Active orders with quantities still to ship, oldest first."""
    orders = (
        Order.objects.filter(is_test=False, status__in=AUTO_SHIPPABLE)
        .select_related("business", "shipping_address")
        .prefetch_related("lines")
        .order_by("created_at", "pk")
    )
    return [
        order for order in orders if any(line.is_current and line.open_quantity for line in order.lines.all())
    ]


@dataclass(frozen=True)
class ConsolidationGroup:
    """Orders of one business to one address with a delivery day, delivered together: the
    recurring orders held for ``held_until``, or (``held_until`` None) the others, on the address's
    weekday. ``shippable``: the group may ship now (its day has come, or it is not held)."""

    address: ShippingAddress
    held_until: date | None
    orders: list[Order]
    shippable: bool

    @property
    def order_ids(self) -> list[int]:
        return [order.pk for order in self.orders]


def consolidation_groups(orders: list[Order], *, today: date | None = None) -> list[ConsolidationGroup]:
    """Orders going to an address with a delivery day, grouped by business, address and held day
    (the address belongs to one business), in the order of ``orders``."""
    today = today or timezone.localdate()
    groups: dict[tuple[int, int, date | None], list[Order]] = {}
    addresses: dict[int, ShippingAddress] = {}
    for order in orders:
        address = order.shipping_address
        if address is not None and address.preferred_delivery_day is not None:
            addresses[address.pk] = address
            groups.setdefault((order.business_id, address.pk, order.held_until), []).append(order)
    return [
        ConsolidationGroup(
            address=addresses[address_id],
            held_until=held_until,
            orders=group,
            shippable=held_until is None or held_until <= today,
        )
        for (_business_id, address_id, held_until), group in groups.items()
    ]


def auto_fulfil(*, now: datetime | None = None) -> list[Shipment]:
    """Ship what the automatic fulfilment may ship now.

    An order of an integration with ``auto_fulfil_after_minutes`` ships once that delay has passed;
    orders to an address with a preferred delivery day wait for that weekday and then ship together
    in one consolidated shipment, the recurring orders held for a later day (``Order.held_until``)
    excepted: they wait for their day.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    shipments = []
    candidates = [
        order
        for order in queue()
        if (delay := documents.settings_for(order.integration).auto_fulfil_after_minutes) is not None
        and order.created_at + timedelta(minutes=delay) <= now
        and (order.held_until is None or order.held_until <= today)
        and any(
            line.is_current and line.accepted_quantity > line.shipped_quantity for line in order.lines.all()
        )
    ]
    on_the_day: dict[ShippingAddress, list[int]] = {}
    for group in consolidation_groups(candidates, today=today):
        if group.address.preferred_delivery_day == today.weekday():
            on_the_day.setdefault(group.address, []).extend(group.order_ids)
    in_groups = {
        order.pk
        for order in candidates
        if order.shipping_address is not None and order.shipping_address.preferred_delivery_day is not None
    }
    batches = list(on_the_day.values())
    batches += [[order.pk] for order in candidates if order.pk not in in_groups]
    for order_ids in batches:
        shipment = _auto_ship(order_ids, now=now)
        if shipment is not None:
            shipments.append(shipment)
    return shipments


def _auto_ship(order_ids: list[int], *, now: datetime) -> Shipment | None:
    """Ship ``order_ids`` automatically; None when none of them is due any more, or when it cannot
    (an invoice the EN 16931 rules refuse): the orders stay in the operators' queue, where shipping
    them by hand shows why.

    The orders were chosen before any lock: since then another worker running the same periodic
    task, or an operator shipping by hand, may have shipped them, and the buyer may have cancelled
    one. They are locked and read again, and only those still due ship, in the same transaction, so
    no order ships twice and a run that comes second ships nothing and reports no failure."""
    try:
        with transaction.atomic():
            due = _still_due(order_ids, now=now)
            if not due:
                return None
            return ship(
                order_ids=due,
                carrier=tunable("FULFILMENT_AUTO_CARRIER"),
                tracking_number=f"{tunable('FULFILMENT_AUTO_TRACKING_PREFIX')}{secrets.token_hex(6).upper()}",
                by=None,
                automatic=True,
            )
    except ValidationError as refused:
        logger.warning("Orders %s not shipped automatically: %s", order_ids, " ".join(refused.messages))
        return None


def _still_due(order_ids: list[int], *, now: datetime) -> list[int]:
    """Of ``order_ids``, locked until the transaction ends, those the automatic fulfilment may ship
    now: active, past their delay, not held for a later day, with an accepted quantity not shipped."""
    today = timezone.localtime(now).date()
    orders = list(
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins.
        Order.objects.select_for_update(of=("self",))
        .select_related("integration")
        .filter(pk__in=order_ids, is_test=False, status__in=AUTO_SHIPPABLE)
        .order_by("pk")
    )
    ready = set(
        OrderLine.objects.filter(
            order__in=orders, is_current=True, accepted_quantity__gt=F("shipped_quantity")
        ).values_list("order_id", flat=True)
    )
    return [
        order.pk
        for order in orders
        if order.pk in ready
        and (delay := documents.settings_for(order.integration).auto_fulfil_after_minutes) is not None
        and order.created_at + timedelta(minutes=delay) <= now
        and (order.held_until is None or order.held_until <= today)
    ]


def business_charges(business: Business) -> list[Charge]:
    return list(Charge.objects.filter(business=business).select_related("order", "shipment"))
