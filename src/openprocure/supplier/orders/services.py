"""Every write on orders: intake of OrderRequests (new, update, delete), confirmations,
cancellations, settings.

The rules an order goes through are in :mod:`openprocure.supplier.orders.intake`; this module
applies their decisions: it opens a transaction, locks what it changes, records an event, and
schedules side effects (confirmation documents, e-mails) to run once the transaction commits.
The other writes of the app have their own modules: the e-mails of intake (:mod:`.emails`),
API keys (:mod:`.api_access`), the checks of a business's procurement system
(:mod:`.conformance`) and the orders held for a consolidated delivery day (:mod:`.consolidation`).
This module is the app's entry point: it re-exports the names of those modules that the other
apps, the pages, the API, the tasks and the tests use, so callers import ``services`` alone.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openprocure.core import mail, rows
from openprocure.core.audit import new_event, record_event
from openprocure.core.crypto import validate_shared_secret
from openprocure.core.fields import PAYLOAD_ID_LENGTH
from openprocure.core.models import Document, User
from openprocure.core.outbox import Outgoing, enqueue_documents
from openprocure.core.status import set_status
from openprocure.core.tunables import tunable
from openprocure.supplier.business.credentials import check_secret
from openprocure.supplier.business.models import Business, Integration
from openprocure.supplier.business.services import membership_of, require_operator, staff_role
from openprocure.supplier.catalog.models import Product
from openprocure.supplier.orders import codes, consolidation, documents, emails, hooks, intake
from openprocure.supplier.orders.api_access import business_for_api_key, create_api_key, revoke_api_key
from openprocure.supplier.orders.choices import (
    ORDER_TRANSITIONS,
    EventKind,
    LineOutcome,
    OrderStatus,
    RequestType,
)
from openprocure.supplier.orders.conformance import conformance_target, run_conformance, start_conformance_run
from openprocure.supplier.orders.consolidation import redate_held_orders
from openprocure.supplier.orders.crypto import encrypt_secret
from openprocure.supplier.orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderRequestReceipt,
    OrderSettings,
)
from openprocure.supplier.punchout.services import _address_json
from punchout import cxml

__all__ = [
    "Answer",
    "business_for_api_key",
    "cancel_order",
    "conformance_target",
    "create_api_key",
    "receive_order_request",
    "redate_held_orders",
    "revoke_api_key",
    "run_conformance",
    "set_order_settings",
    "start_conformance_run",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """The synchronous answer to an OrderRequest (kept on its receipt, so a retry gets it again)."""

    status_code: int
    status_text: str
    message: str
    code: str = ""
    order: Order | None = None

    @classmethod
    def of(cls, receipt: OrderRequestReceipt) -> Answer:
        return cls(receipt.status_code, receipt.status_text, receipt.message, receipt.code, receipt.order)


# -- order numbers, totals, events -----------------------------------------------------------------
def new_order_number() -> str:
    """An unguessable order number in Amazon's 3-7-7 digit shape."""
    return "-".join(
        "".join(str(secrets.randbelow(10)) for _ in range(size)) for size in tunable("ORDERS_NUMBER_GROUPS")
    )


def _totals(order: Order, lines: list[OrderLine]) -> None:
    """The order's amounts from its lines, by the storefront's money rules (line VAT rounded per line,
    VAT on each seller's shipping charge on its own)."""
    totals = documents.order_totals(order.currency, lines)
    order.subtotal, order.shipping = totals.subtotal, totals.shipping
    order.tax, order.total = totals.tax, totals.total


def _change_stock(changes: dict[int, int]) -> None:
    """Add ``changes[product_id]`` (negative to take) to each product's stock, in one executemany.

    Relative (``stock = stock + n``) so concurrent orders never lose each other's change; a plain
    statement because it is the same on SQLite and PostgreSQL and the ORM would compile one UPDATE
    per product.
    """
    changed = [(delta, product_id) for product_id, delta in sorted(changes.items()) if delta]
    if not changed:
        return
    table, stock, pk = (
        connection.ops.quote_name(name)
        for name in (Product._meta.db_table, Product._meta.get_field("stock").column, Product._meta.pk.column)
    )
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {stock} = {stock} + %s WHERE {pk} = %s", changed)  # noqa: S608 - names from the model


def _reserve_stock(lines: list[intake.LineDecision], *, sign: int) -> None:
    """Take (sign=-1) or give back (sign=+1) the accepted quantities from the catalog's stock."""
    changes: dict[int, int] = {}
    for decision in lines:
        if decision.accepted and decision.product is not None:
            changes[decision.product.pk] = changes.get(decision.product.pk, 0) + sign * decision.accepted
    _change_stock(changes)


def _release_stock(lines: list[OrderLine]) -> None:
    changes: dict[int, int] = {}
    for line in lines:
        unshipped = max(0, line.accepted_quantity - line.shipped_quantity)
        if unshipped and line.product_id:
            changes[line.product_id] = changes.get(line.product_id, 0) + unshipped
    _change_stock(changes)


def _order_lines(order: Order, evaluation: intake.Evaluation) -> list[OrderLine]:
    """The order's lines as decided, not saved yet."""
    lines = []
    for decision in evaluation.lines:
        item = decision.item
        product = decision.product
        description = item.item_detail.description if item.item_detail else None
        lines.append(
            OrderLine(
                order=order,
                line_number=decision.line_number,
                cart_line=decision.cart_line,
                product=product,
                supplier_part_id=item.item_id.supplier_part_id[:200],
                supplier_part_auxiliary_id=(item.item_id.supplier_part_auxiliary_id or "")[:200],
                description=(product.title if product else (description.text if description else ""))[:500],
                unit_of_measure=(
                    product.unit_of_measure
                    if product
                    else (item.item_detail.unit_of_measure if item.item_detail else "")
                )[:8],
                seller_name=product.seller.name if product else "",
                fulfilled_by_us=product.fulfilled_by_us if product else True,
                quantity=decision.quantity,
                accepted_quantity=decision.accepted,
                backordered_quantity=decision.backordered,
                rejected_quantity=decision.rejected,
                unit_price=decision.unit_price,
                buyer_unit_price=decision.buyer_unit_price,
                currency=decision.currency,
                shipping=decision.shipping,
                delivery_days=product.delivery_days if product else None,
                outcome=decision.outcome,
                code=decision.code,
                reason=decision.reason,
            )
        )
    return lines


def _accepted_message(order: Order, lines: list[OrderLine], *, verb: str) -> str:
    counts = {outcome: 0 for outcome in LineOutcome.values}
    for line in lines:
        counts[line.outcome] += 1
    template = (
        _(
            "Order received as %(number)s: %(accepted)s line(s) accepted, %(backordered)s backordered, %(rejected)s rejected."
        )
        if verb == "received"
        else _(
            "Order updated as %(number)s: %(accepted)s line(s) accepted, %(backordered)s backordered, %(rejected)s rejected."
        )
    )
    text = template % {
        "number": order.number,
        "accepted": counts[LineOutcome.ACCEPTED],
        "backordered": counts[LineOutcome.BACKORDERED],
        "rejected": counts[LineOutcome.REJECTED],
    }
    follows = _("A ConfirmationRequest follows with each line's outcome.")
    text = f"{text} {follows}"
    if order.is_test:
        text = f"{_('Test order: recorded, never charged nor shipped.')} {text}"
    return text


# -- intake ----------------------------------------------------------------------------------------
Answered = Callable[[Answer, Integration | None], None]


def receive_order_request(
    *, document: cxml.CXML, journal: Document | None = None, answered: Answered | None = None
) -> tuple[Answer, Integration | None]:
    """Apply an OrderRequest and return the answer to send back synchronously.

    Idempotent: a payloadID already answered, or an orderID + orderVersion already accepted, gets
    the original answer and creates nothing. A refusal (4xx) creates no order; it is kept on a
    receipt with its code and e-mailed to the PunchOut user when we know who they are.

    ``answered`` is called with the answer inside the transaction that stores it (outside any
    transaction when authentication fails), so the caller can journal the answer in the same commit.
    """
    request = document.message
    assert isinstance(request, cxml.OrderRequest)
    try:
        integration, secret = intake.authenticate(document)
    except intake.Rejection as rejection:
        answer = Answer(rejection.status_code, rejection.text, rejection.message, rejection.code)
        if answered is not None:
            answered(answer, None)
        return answer, None
    for _attempt in range(3):
        try:
            return _receive(document, request, integration, secret, journal, answered), integration
        except IntegrityError:
            # A concurrent copy of this order won the race (same payloadID or same orderID): read
            # what it stored and answer the same.
            logger.info("order intake: concurrent duplicate of %s, answering again", document.payload_id)
            documents.forget_settings(integration)  # what the rolled-back attempt changed in memory
    raise RuntimeError("order intake: could not store the order after three attempts")


def _receive(
    document: cxml.CXML,
    request: cxml.OrderRequest,
    integration: Integration,
    secret: str,
    journal: Document | None,
    answered: Answered | None,
) -> Answer:
    header = request.header
    payload_id = (document.payload_id or "").strip()
    request_type = str(header.type)
    order_id = (header.order_id or "").strip()
    version = header.order_version
    too_long = intake.overlong(payload_id, order_id)
    # Refused if longer than kept: what is looked up and stored is what fits (the receipt's).
    payload_id = payload_id[:PAYLOAD_ID_LENGTH]
    # Read and decide before taking the write lock (SQLite has one writer at a time; in WAL mode
    # readers never wait for it), then only write. What may change in between is caught when
    # writing: a concurrent copy of this order breaks the unique payloadID or orderID and a product
    # whose stock fell below what we accepted breaks the stock check (both IntegrityError: the
    # caller starts again and finds what the winner stored); a cart line ordered meanwhile is
    # checked again under the lock.
    same_payload, previous = _earlier_receipts(integration, payload_id, order_id, version, request_type)
    if same_payload is not None:
        answer = Answer.of(same_payload)
        if answered is not None:
            with transaction.atomic():
                answered(answer, integration)
        return answer
    secret_changed = _take_secret(integration, secret)
    planned: NewOrder | intake.Rejection | None = too_long
    if too_long is None and previous is None and header.type == cxml.OrderRequestType.NEW:
        try:
            planned = _plan_new_order(document, request, integration, journal)
        except intake.Rejection as rejection:
            planned = rejection
    with transaction.atomic():
        # One OrderRequest of a business at a time from here on (SQLite's IMMEDIATE transactions
        # already hold the write lock): read again what a concurrent copy (the same payloadID, or
        # the same orderID under a new payloadID) stored while we decided, and answer the same.
        _lock_business(integration.business_id)
        same_payload, previous = _earlier_receipts(integration, payload_id, order_id, version, request_type)
        if same_payload is not None:
            answer = Answer.of(same_payload)
            if answered is not None:
                answered(answer, integration)
            return answer
        if secret_changed:
            _remember_secret(integration)
        if previous is not None:
            answer = Answer.of(previous)
        else:
            try:
                with transaction.atomic():
                    if isinstance(planned, intake.Rejection):
                        raise planned
                    if planned is not None:
                        answer = _store_new_order(planned, document, request, integration, journal)
                    else:
                        answer = _apply(document, request, integration, journal)
            except intake.Rejection as rejection:
                answer = Answer(rejection.status_code, rejection.text, rejection.message, rejection.code)
                emails.mail_rejection(integration, request, rejection)
        receipt = OrderRequestReceipt(
            payload_id=payload_id or f"(none)-{secrets.token_hex(12)}",
            business_id=integration.business_id,
            buyer_order_id=order_id[: intake.BUYER_ORDER_ID_LENGTH],
            order_version=version,
            request_type=request_type if request_type in RequestType.values else RequestType.NEW,
            status_code=answer.status_code,
            status_text=answer.status_text,
            message=answer.message,
            code=answer.code,
            email=(answer.order.email if answer.order else intake.request_email(request))[:254],
            order=answer.order,
            journal=journal,
        )
        rows.insert([receipt])
        if answered is not None:
            answered(answer, integration)
    return answer


def _lock_business(business_id: int) -> None:
    """Lock the business's row until the transaction ends: its OrderRequests are applied one at a time."""
    list(Business.objects.select_for_update().filter(pk=business_id).values_list("pk", flat=True))


def _earlier_receipts(
    integration: Integration, payload_id: str, order_id: str, version: int | None, request_type: str
) -> tuple[OrderRequestReceipt | None, OrderRequestReceipt | None]:
    """The business's receipt of the same payloadID, and its first accepted receipt of the same
    orderID, version and type (a retry under a new payloadID), found with one query.

    Both are scoped to the sender's business: another business's payloadID or orderID is never
    this request's answer."""
    conditions: list[str] = []
    params: list[Any] = []
    if payload_id:
        conditions.append("(business_id = %s AND payload_id = %s)")
        params += [integration.business_id, payload_id]
    if order_id:
        same_version = "order_version IS NULL" if version is None else "order_version = %s"
        conditions.append(
            f"(business_id = %s AND buyer_order_id = %s AND {same_version} AND request_type = %s AND status_code < 300)"
        )
        params += [integration.business_id, order_id, *([] if version is None else [version]), request_type]
    if not conditions:
        return None, None
    sql = f"SELECT * FROM {intake.table(OrderRequestReceipt)} WHERE {' OR '.join(conditions)} ORDER BY created_at, id"  # noqa: S608 - quoted names only
    receipts = list(rows.select(OrderRequestReceipt, sql, params))
    same_payload = next(
        (
            r
            for r in receipts
            if payload_id and r.payload_id == payload_id and r.business_id == integration.business_id
        ),
        None,
    )
    previous = next(
        (
            r
            for r in receipts
            if order_id
            and r.business_id == integration.business_id
            and r.buyer_order_id == order_id
            and r.order_version == version
            and r.request_type == request_type
            and r.status_code < 300
        ),
        None,
    )
    return same_payload, previous


def _take_secret(integration: Integration, secret: str) -> bool:
    """Put the authenticated secret (encrypted) on the integration's order settings, for our
    outbound documents; whether it changed and must be saved (see :func:`_remember_secret`)."""
    order_settings = documents.settings_for(integration)
    if documents.outbound_secret(order_settings) == secret:
        return False
    order_settings.outbound_secret_encrypted = encrypt_secret(secret)
    order_settings.updated_at = timezone.now()
    documents.remember_outbound_secret(order_settings, secret)
    return True


def _remember_secret(integration: Integration) -> None:
    """Save the secret :func:`_take_secret` changed."""
    documents.settings_for(integration).save(update_fields=["outbound_secret_encrypted", "updated_at"])


def _apply(
    document: cxml.CXML, request: cxml.OrderRequest, integration: Integration, journal: Document | None
) -> Answer:
    header = request.header
    if header.type == cxml.OrderRequestType.NEW:
        planned = _plan_new_order(document, request, integration, journal)
        return _store_new_order(planned, document, request, integration, journal)
    intake.check_envelope(request, currency=tunable("ORDERS_DEFAULT_CURRENCY"))
    order_id = header.order_id.strip()
    existing = _order_of(integration, order_id, lock=True)
    if existing is None:
        raise intake.Rejection("ORDER_UNKNOWN", path=f"{intake.HEADER_PATH}/@orderID", order_id=order_id)
    if existing.status == OrderStatus.CANCELLED:
        raise intake.Rejection("ORDER_CLOSED", order_id=order_id, number=existing.number)
    if header.type == cxml.OrderRequestType.UPDATE and not integration.allow_order_updates:
        raise intake.Rejection("UPDATES_NOT_ALLOWED", path=f"{intake.HEADER_PATH}/@type", order_id=order_id)
    shipped = list(existing.lines.filter(is_current=True, shipped_quantity__gt=0).order_by("line_number"))
    closing = (
        _closing_short(existing, request) if shipped and header.type == cxml.OrderRequestType.UPDATE else None
    )
    if shipped and closing is None:
        raise intake.Rejection(
            "ALREADY_SHIPPED",
            order_id=order_id,
            number=existing.number,
            lines=", ".join(
                f"line {line.line_number} ({line.shipped_quantity} of {line.quantity} shipped)"
                for line in shipped
            ),
        )
    if header.type == cxml.OrderRequestType.DELETE:
        return _cancel(existing, asked=ASKED_BY_BUYER_SYSTEM)
    version = header.order_version
    if version is not None and version <= existing.order_version:
        raise intake.Rejection(
            "VERSION_STALE",
            path=f"{intake.HEADER_PATH}/@orderVersion",
            order_id=order_id,
            current=existing.order_version,
            version=version,
        )
    if closing is not None:
        return _close_short(existing, document, request, closing)
    return _update(existing, document, request, integration, journal)


@dataclass
class NewOrder:
    """A new order decided and built in memory, ready to be stored (see :func:`_store_new_order`)."""

    order: Order
    lines: list[OrderLine]
    evaluation: intake.Evaluation
    outgoing: list[Outgoing]
    email: tuple[str, str] | None


def _order_of(integration: Integration, order_id: str, *, lock: bool) -> Order | None:
    """The business's order with this orderID (at most one: a unique constraint), locked for
    update when ``lock`` (inside a transaction)."""
    if lock:
        orders = Order.objects.select_for_update().filter(
            business_id=integration.business_id, buyer_order_id=order_id
        )
        found = list(orders.order_by()[:1])
    else:
        sql = f"SELECT * FROM {intake.table(Order)} WHERE business_id = %s AND buyer_order_id = %s LIMIT 1"  # noqa: S608 - quoted names only
        found = list(rows.select(Order, sql, [integration.business_id, order_id]))
    return found[0] if found else None


def _plan_new_order(
    document: cxml.CXML, request: cxml.OrderRequest, integration: Integration, journal: Document | None
) -> NewOrder:
    """Apply every rule to a new order and build it, its lines and confirmations; writes nothing."""
    intake.check_envelope(request, currency=tunable("ORDERS_DEFAULT_CURRENCY"))
    header = request.header
    order_id = header.order_id.strip()
    existing = _order_of(integration, order_id, lock=False)
    if existing is not None:
        raise intake.Rejection(
            "ORDER_EXISTS",
            path=f"{intake.HEADER_PATH}/@orderID",
            order_id=order_id,
            number=existing.number,
            version=existing.order_version,
        )
    payment_method_id = intake.payment_method_for(integration)
    evaluation = intake.evaluate(request=request, integration=integration)

    now = timezone.now()
    order = Order(
        business_id=integration.business_id,
        integration=integration,
        number=new_order_number(),
        buyer_order_id=order_id[:200],
        order_version=header.order_version or 1,
        payload_id=(document.payload_id or "")[:PAYLOAD_ID_LENGTH],
        is_test=integration.is_test,
        user_id=evaluation.user_id,
        email=evaluation.email[:254],
        ship_to=_address_json(header.ship_to),
        shipping_address=evaluation.shipping_address,
        payment_method_id=payment_method_id,
        currency=evaluation.currency,
        created_at=now,
        updated_at=now,
        held_until=consolidation.held_until(header, evaluation.shipping_address, received=now),
        journal=journal,
    )
    lines = _order_lines(order, evaluation)
    _totals(order, lines)
    outgoing = documents.outgoing(
        integration,
        documents.confirmation_requests(order, lines),
        reference=order.number,
        is_test=order.is_test,
    )
    email = emails.confirmation_email(order, lines) if order.email else None
    return NewOrder(order=order, lines=lines, evaluation=evaluation, outgoing=outgoing, email=email)


def _cart_lines_taken(evaluation: intake.Evaluation) -> bool:
    """Whether a cart line this order ships was ordered by another order since we decided."""
    cart_line_ids = [d.cart_line.pk for d in evaluation.lines if d.ships and d.cart_line is not None]
    return bool(intake.ordered_cart_lines(cart_line_ids))


def _store_new_order(
    planned: NewOrder,
    document: cxml.CXML,
    request: cxml.OrderRequest,
    integration: Integration,
    journal: Document | None,
) -> Answer:
    """Store a planned order (in the caller's write transaction) and schedule its side effects."""
    if _cart_lines_taken(planned.evaluation):
        planned = _plan_new_order(document, request, integration, journal)
    order, lines = planned.order, planned.lines
    rows.insert([order])
    rows.insert(lines)
    if not order.is_test:
        _reserve_stock(planned.evaluation.lines, sign=-1)
    enqueue_documents(planned.outgoing)
    rows.insert(
        [
            new_event(
                OrderEvent,
                order,
                EventKind.RECEIVED,
                detail={"payload_id": order.payload_id, "version": order.order_version},
            ),
            new_event(OrderEvent, order, EventKind.CONFIRMED, detail={"version": order.order_version}),
        ]
    )
    if planned.email is not None:
        mail.send_after_commit(*planned.email, order.email)
    return Answer(200, "OK", _accepted_message(order, lines, verb="received"), order=order)


def _update(
    order: Order,
    document: cxml.CXML,
    request: cxml.OrderRequest,
    integration: Integration,
    journal: Document | None,
) -> Answer:
    """Replace the unshipped lines of an order (nothing shipped yet) with the update's lines."""
    evaluation = intake.evaluate(request=request, integration=integration, replacing=order)
    old = list(order.lines.filter(is_current=True))
    if not order.is_test:
        _release_stock(old)
    order.lines.filter(is_current=True).update(
        is_current=False,
        outcome=LineOutcome.CANCELLED,
        code="LINE_CANCELLED",
        reason=codes.get("LINE_CANCELLED").render(kind="update"),
    )
    order.order_version = request.header.order_version or order.order_version + 1
    order.payload_id = (document.payload_id or "")[:PAYLOAD_ID_LENGTH]

    order.ship_to = _address_json(request.header.ship_to)
    order.shipping_address = evaluation.shipping_address
    order.held_until = consolidation.held_until(
        request.header, evaluation.shipping_address, received=order.created_at
    )
    order.currency = evaluation.currency
    order.updated_at = timezone.now()
    new_lines = _order_lines(order, evaluation)
    _totals(order, new_lines)
    order.save()
    lines = OrderLine.objects.bulk_create(new_lines)
    if not order.is_test:
        _reserve_stock(evaluation.lines, sign=-1)
    kept = {line.line_number for line in lines}
    left_out = [
        line
        for line in old
        if line.line_number not in kept and line.outcome not in (LineOutcome.REJECTED, LineOutcome.CANCELLED)
    ]
    # The lines the update leaves out stay on the order, cancelled at the buyer's request.
    OrderLine.objects.filter(pk__in=[line.pk for line in left_out]).update(
        is_current=True, accepted_quantity=0, backordered_quantity=0, shipping=Decimal("0")
    )
    for line in left_out:  # as stored above: the buyer's update cancelled them
        line.outcome, line.code = LineOutcome.CANCELLED, "LINE_CANCELLED"
        line.reason = codes.get("LINE_CANCELLED").render(kind="update")
        line.accepted_quantity = line.backordered_quantity = 0
    updated = new_event(
        OrderEvent,
        order,
        EventKind.UPDATED,
        detail={
            "payload_id": order.payload_id,
            "version": order.order_version,
            "asked_by": ASKED_BY_BUYER_SYSTEM,
            "cancelled_lines": sorted(line.line_number for line in left_out),
        },
    )
    _after_acceptance(order, lines, integration, events=[updated], cancelled=left_out)
    return Answer(200, "OK", _accepted_message(order, lines, verb="updated"), order=order)


@dataclass(frozen=True)
class _Closing:
    """An update closing a partly shipped order short (see :func:`_closing_short`).

    ``lowered``: line number → the quantity the line ships in all, for the lines it lowers.
    ``kept``: line number → (what the buyer asked, what already shipped), for the lines asked below
    what shipped: the goods are on their way, so the line ships what shipped and nothing more.
    """

    lowered: dict[int, int]
    kept: dict[int, tuple[int, int]]


def _closing_short(order: Order, request: cxml.OrderRequest) -> _Closing | None:
    """What each line of a partly shipped order may still ship when the update only lowers what is
    left to ship (the buyer closing the order short: nothing more is expected); else None, and the
    update is refused as after any shipment.

    An item names a line of the order with the same SupplierPartID; a line left out asks for 0. The
    buyer's quantity counts what we rejected on the line too (it was ordered), as its order states
    it. A quantity below what already shipped (goods in transit the buyer has not received yet)
    means nothing more to ship for that line: it ships what shipped, and the answer says so.
    """
    current = {line.line_number: line for line in order.lines.filter(is_current=True)}
    asked: dict[int, Decimal] = {}
    for item in request.items:
        line = current.get(item.line_number or 0)
        if (
            line is None
            or line.line_number in asked
            or item.item_id.supplier_part_id != line.supplier_part_id
        ):
            return None
        asked[line.line_number] = item.quantity
    lowered: dict[int, int] = {}
    kept: dict[int, tuple[int, int]] = {}
    for number, line in current.items():
        quantity = asked.get(number, Decimal(0))
        if quantity != quantity.to_integral_value() or quantity < 0 or quantity > line.quantity:
            return None
        ships = line.accepted_quantity + line.backordered_quantity
        wanted = max(0, int(quantity) - line.rejected_quantity)
        if wanted > ships:
            return None
        if wanted < line.shipped_quantity:
            kept[number] = (wanted, line.shipped_quantity)
            wanted = line.shipped_quantity
        if wanted < ships:
            lowered[number] = wanted
    return _Closing(lowered, kept) if lowered else None


def _close_short(order: Order, document: cxml.CXML, request: cxml.OrderRequest, closing: _Closing) -> Answer:
    """Apply an update that closes a partly shipped order short (see :func:`_closing_short`): each
    lowered line ships what it shipped and no more (a line that shipped nothing is cancelled at the
    buyer's request), its stock is given back and the order's amounts follow; nothing left to ship,
    the order is Shipped. A line asked below what shipped is named in the answer and the event."""
    lowered = closing.lowered
    lines = {line.line_number: line for line in order.lines.filter(is_current=True)}
    closed = [lines[number] for number in sorted(lowered)]
    if not order.is_test:
        _release_stock(closed)
    changes = {}
    for line in closed:
        wanted = lowered[line.line_number]
        changes[str(line.line_number)] = {
            "from": str(line.accepted_quantity + line.backordered_quantity),
            "to": str(wanted),
        }
        line.backordered_quantity = max(0, wanted - line.accepted_quantity)
        line.accepted_quantity = min(line.accepted_quantity, wanted)
        if wanted == 0:
            line.outcome, line.code = LineOutcome.CANCELLED, "LINE_CANCELLED"
            line.reason = codes.get("LINE_CANCELLED").render(kind="update")
    still_shipping = [
        line
        for line in lines.values()
        if line.accepted_quantity + line.backordered_quantity
        and line.outcome in (LineOutcome.ACCEPTED, LineOutcome.BACKORDERED)
    ]
    for line in closed:
        if line.outcome == LineOutcome.CANCELLED and line.shipping:
            # Charged with the first shipment: the seller's charge stays on the order.
            same_seller = [other for other in still_shipping if other.seller_name == line.seller_name]
            heir = (same_seller or still_shipping)[0]
            heir.shipping = Decimal(heir.shipping) + Decimal(line.shipping)
            line.shipping = Decimal("0")
    OrderLine.objects.bulk_update(
        list(lines.values()),
        ["accepted_quantity", "backordered_quantity", "outcome", "code", "reason", "shipping"],
    )
    _totals(order, list(lines.values()))
    order.order_version = request.header.order_version or order.order_version + 1
    order.payload_id = (document.payload_id or "")[:PAYLOAD_ID_LENGTH]
    order.updated_at = timezone.now()
    fields = ["subtotal", "shipping", "tax", "total", "order_version", "payload_id", "updated_at"]
    ready = sum(max(0, line.accepted_quantity - line.shipped_quantity) for line in lines.values())
    if ready == 0 and order.status == OrderStatus.PARTIALLY_SHIPPED:
        set_status(order, OrderStatus.SHIPPED, table=ORDER_TRANSITIONS, also=fields)
    else:
        order.save(update_fields=fields)
    record_event(
        OrderEvent,
        order,
        EventKind.UPDATED,
        detail={
            "payload_id": order.payload_id,
            "version": order.order_version,
            "asked_by": ASKED_BY_BUYER_SYSTEM,
            "closed_lines": sorted(lowered),
            "changes": changes,
            "kept_at_shipped": sorted(closing.kept),
            "kept": {
                str(number): {"asked": str(asked), "shipped": str(shipped)}
                for number, (asked, shipped) in sorted(closing.kept.items())
            },
        },
    )
    if not any(line.open_quantity for line in lines.values()):
        hooks.nothing_left_to_ship(order=order)
    message = _(
        "Order %(number)s updated: what is left to ship of line(s) %(lines)s is lowered as asked."
    ) % {
        "number": order.number,
        "lines": ", ".join(map(str, sorted(lowered))),
    }
    if closing.kept:
        message += " " + _(
            "More had already shipped than asked (%(lines)s): those goods are on their way and these "
            "lines stay at what shipped; nothing more ships on them."
        ) % {
            "lines": "; ".join(
                _("line %(line)s: %(asked)s asked, %(shipped)s shipped")
                % {"line": number, "asked": asked, "shipped": shipped}
                for number, (asked, shipped) in sorted(closing.kept.items())
            )
        }
    return Answer(200, "OK", message, order=order)


#: Who asked for a cancellation or change (kept on the order's events, said to the buyer's system).
ASKED_BY_BUYER_SYSTEM = "buyer_system"  # an OrderRequest type="delete"/"update" from the buyer's system
ASKED_BY_BUSINESS_USER = "business_user"  # an administrator of the business, in Your account
ASKED_BY_STAFF = "staff"  # our staff (the supplier)


def _cancellation_text(order: Order, asked: str, by: User | None, lines: list[int] | None = None) -> str:
    """What the buyer's system and the order's history are told: who cancelled, and what."""
    what = (
        f"Order {order.number}"
        if lines is None
        else f"Line(s) {', '.join(map(str, lines))} of order {order.number}"
    )
    if asked == ASKED_BY_BUYER_SYSTEM:
        return (
            f"{what} cancelled at your request (OrderRequest type=delete): nothing will ship or be charged."
        )
    if asked == ASKED_BY_BUSINESS_USER:
        who = by.email if by is not None else "an administrator"
        return (
            f"{what} cancelled by {who}, administrator of {order.business.name}, in the storefront's "
            "Your account: nothing will ship or be charged."
        )
    return f"{what} cancelled by the supplier before shipment: nothing will ship or be charged."


def _line_cancellation(asked: str, kind: str) -> tuple[str, str]:
    """The code and reason a cancelled line shows: the buyer's request, or ours."""
    if asked == ASKED_BY_STAFF:
        return "LINE_CANCELLED_BY_US", codes.get("LINE_CANCELLED_BY_US").render()
    return "LINE_CANCELLED", codes.get("LINE_CANCELLED").render(kind=kind)


def _cancel(order: Order, *, asked: str, by: User | None = None) -> Answer:
    current = list(order.lines.filter(is_current=True))
    if not order.is_test:
        _release_stock(current)
    kind = "delete" if asked == ASKED_BY_BUYER_SYSTEM else "cancel"
    code, reason = _line_cancellation(asked, kind)
    order.lines.filter(is_current=True).exclude(outcome=LineOutcome.REJECTED).update(
        outcome=LineOutcome.CANCELLED, code=code, reason=reason
    )
    order.cancelled_at = order.updated_at = timezone.now()
    set_status(order, OrderStatus.CANCELLED, table=ORDER_TRANSITIONS, also=["cancelled_at", "updated_at"])
    reason = _cancellation_text(order, asked, by)
    record_event(
        OrderEvent,
        order,
        EventKind.CANCELLED,
        actor=by,
        detail={"via": kind, "asked_by": asked, "reason": reason},
    )
    # The buyer's system hears of it as a ConfirmationRequest type="reject" (when it has an endpoint).
    documents.send_all(
        order.integration,
        [documents.cancellation_request(order, reason=reason)],
        reference=order.number,
        is_test=order.is_test,
    )
    if order.email:
        # In the language of the person who ordered, whoever asked for the cancellation.
        with translation.override(getattr(order.user, "preferred_language", "") or settings.LANGUAGE_CODE):
            subject = _("Order %(number)s cancelled (your purchase order %(po)s)") % {
                "number": order.number,
                "po": order.buyer_order_id,
            }
            if asked == ASKED_BY_BUYER_SYSTEM:
                body = _(
                    "Your order %(number)s (purchase order %(po)s) was cancelled at your procurement system's request. Nothing will ship or be charged."
                )
            elif asked == ASKED_BY_BUSINESS_USER:
                body = _(
                    "Your order %(number)s (purchase order %(po)s) was cancelled by your business's administrator. Nothing will ship or be charged."
                )
            else:
                body = _(
                    "We cancelled your order %(number)s (purchase order %(po)s) before it shipped. Nothing will ship or be charged."
                )
            body = body % {"number": order.number, "po": order.buyer_order_id}
        mail.send_after_commit(subject, body, order.email)
    return Answer(
        200,
        "OK",
        _("Order %(number)s (your %(po)s) is cancelled; nothing will ship.")
        % {"number": order.number, "po": order.buyer_order_id},
        order=order,
    )


def _cancel_lines(order: Order, lines: list[OrderLine], *, asked: str, by: User | None) -> None:
    """Cancel some unshipped lines of an order; the buyer's system hears of it as a
    ConfirmationRequest type="detail" rejecting them, with who asked."""
    numbers = [line.line_number for line in lines]
    if not order.is_test:
        _release_stock(lines)
    reason = _cancellation_text(order, asked, by, numbers)
    code, line_reason = _line_cancellation(asked, "cancel")
    cancelled = {line.pk for line in lines}
    still_shipping = [
        line
        for line in order.lines.filter(is_current=True).order_by("line_number")
        if line.pk not in cancelled and line.outcome in (LineOutcome.ACCEPTED, LineOutcome.BACKORDERED)
    ]
    for line in lines:
        # A seller's shipping charge goes with the seller's next line that still ships, or is dropped.
        heir = next((other for other in still_shipping if other.seller_name == line.seller_name), None)
        if line.shipping and heir is not None:
            heir.shipping = Decimal(heir.shipping) + Decimal(line.shipping)
            heir.save(update_fields=["shipping"])
        line.outcome, line.code, line.reason = LineOutcome.CANCELLED, code, line_reason
        line.accepted_quantity = line.backordered_quantity = 0
        line.shipping = Decimal("0")
        line.save(
            update_fields=[
                "outcome",
                "code",
                "reason",
                "accepted_quantity",
                "backordered_quantity",
                "shipping",
            ]
        )
    remaining = list(order.lines.filter(is_current=True))
    _totals(order, remaining)
    order.updated_at = timezone.now()
    order.save(update_fields=["subtotal", "shipping", "tax", "total", "updated_at"])
    record_event(
        OrderEvent,
        order,
        EventKind.CANCELLED,
        actor=by,
        detail={"via": "cancel", "asked_by": asked, "reason": reason, "lines": numbers},
    )
    documents.send_all(
        order.integration,
        [documents.line_cancellation_request(order, lines, reason=reason)],
        reference=order.number,
        is_test=order.is_test,
    )


def _after_acceptance(
    order: Order,
    lines: list[OrderLine],
    integration: Integration,
    *,
    events: list[OrderEvent],
    cancelled: list[OrderLine] | None = None,
) -> None:
    """Store the ConfirmationRequest(s) in the outbox and the events; schedule the deliveries and
    the confirmation e-mail (both after commit). ``cancelled``: lines an update left out, confirmed
    as rejected (cancelled at the buyer's request)."""
    documents.send_all(
        integration,
        documents.confirmation_requests(order, [*lines, *(cancelled or [])]),
        reference=order.number,
        is_test=order.is_test,
    )
    events.append(new_event(OrderEvent, order, EventKind.CONFIRMED, detail={"version": order.order_version}))
    OrderEvent.objects.bulk_create(events)
    if order.email:
        subject, body = emails.confirmation_email(order, lines)
        mail.send_after_commit(subject, body, order.email)


# -- people's actions ------------------------------------------------------------------------------
def cancel_order(*, order_id: int, by: User, line_numbers: list[int] | None = None) -> Order:
    """An administrator of the business (or our staff) cancels an order, or some of its lines,
    before they ship. The buyer's system is told who asked."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("business").get(pk=order_id)
        membership = membership_of(by)
        is_admin = (
            membership is not None
            and membership.business_id == order.business_id
            and membership.is_administrator
        )
        if not is_admin and staff_role(by) is None:
            raise PermissionDenied(_("Only the business administrator or our staff may cancel this order."))
        asked = ASKED_BY_BUSINESS_USER if is_admin else ASKED_BY_STAFF
        if order.status != OrderStatus.ACCEPTED:
            raise ValidationError(_("This order has shipped or is closed: it can no longer be cancelled."))
        current = list(order.lines.filter(is_current=True).order_by("line_number"))
        open_lines = [
            line for line in current if line.outcome in (LineOutcome.ACCEPTED, LineOutcome.BACKORDERED)
        ]
        chosen = (
            open_lines
            if not line_numbers
            else [line for line in open_lines if line.line_number in set(line_numbers)]
        )
        unknown = sorted(set(line_numbers or []) - {line.line_number for line in open_lines})
        if unknown:
            raise ValidationError(
                _("Line(s) %(lines)s cannot be cancelled: they are not open on this order.")
                % {"lines": ", ".join(map(str, unknown))}
            )
        shipped = [line.line_number for line in chosen if line.shipped_quantity]
        if shipped:
            raise ValidationError(
                _("Line(s) %(lines)s have shipped: they can no longer be cancelled.")
                % {"lines": ", ".join(map(str, shipped))}
            )
        if len(chosen) == len(open_lines) and not any(line.shipped_quantity for line in current):
            _cancel(order, asked=asked, by=by)
        else:
            _cancel_lines(order, chosen, asked=asked, by=by)
    return order


def set_order_settings(
    *,
    integration_id: int,
    operator: User,
    buyer_cxml_url: str | None = None,
    outbound_secret: str | None = None,
    auto_fulfil_after_minutes: int | str | None = "",
) -> OrderSettings:
    """An operator sets where documents go, the outbound shared secret, and automatic fulfilment.

    The secret must be the one the buyer authenticates with (checked against the integration's
    hash), so a typo cannot silently break every document we send.
    """
    require_operator(operator)
    with transaction.atomic():
        integration = Integration.objects.select_for_update().get(pk=integration_id)
        order_settings = documents.settings_for(integration)
        if buyer_cxml_url is not None:
            url = buyer_cxml_url.strip()
            if url and not url.lower().startswith(("https://", "http://")):
                raise ValidationError(_("The buyer's cXML URL must start with https:// or http://."))
            order_settings.buyer_cxml_url = url
        if outbound_secret:
            validate_shared_secret(outbound_secret)
            if not check_secret(outbound_secret, integration.shared_secret_hash):
                raise ValidationError(
                    _(
                        "This is not the shared secret of the integration: enter the secret the buyer's system sends."
                    )
                )
            order_settings.outbound_secret_encrypted = encrypt_secret(outbound_secret)
        if auto_fulfil_after_minutes != "":
            order_settings.auto_fulfil_after_minutes = auto_fulfil_after_minutes
        order_settings.updated_at = timezone.now()
        order_settings.save()
    return order_settings
