"""PO lookup for support representatives: find any order across businesses, and record every lookup."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from openprocure.core.lists import Counted
from openprocure.core.models import DeliveryAttempt, Document, OutboxMessage, User
from openprocure.supplier.business.services import staff_role
from openprocure.supplier.orders.models import Order, OrderRequestReceipt
from openprocure.supplier.support.models import LookupRecord
from punchout import cxml
from punchout.cxml.errors import CXMLError


def require_support(user: User) -> None:
    """Support representatives and operators look orders up; nobody else."""
    if staff_role(user) is None:
        raise PermissionDenied(_("Only our support representatives may look orders up."))


@dataclass
class LookupResult:
    """What a lookup found, newest first (the primary key last, so pages never overlap): whole lists
    for the page to cut into pages, each with its number (counted once, for the record and the pages)."""

    orders: Counted[Order]
    refused: Counted[OrderRequestReceipt]


def lookup(*, query: str, by: User) -> LookupResult:
    """Orders (and refused order requests) whose PO number, order number, payloadID or e-mail is ``query``."""
    require_support(by)
    query = query.strip()
    if not query:
        return LookupResult(Counted(Order.objects.none(), 0), Counted(OrderRequestReceipt.objects.none(), 0))
    match = (
        Q(buyer_order_id__iexact=query)
        | Q(number__iexact=query)
        | Q(payload_id=query)
        | Q(email__iexact=query)
        | Q(pk__in=OrderRequestReceipt.objects.filter(payload_id=query, order__isnull=False).values("order"))
    )
    orders = Order.objects.filter(match).select_related("business").order_by("-created_at", "-pk")
    refused = (
        OrderRequestReceipt.objects.filter(
            Q(buyer_order_id__iexact=query) | Q(payload_id=query) | Q(email__iexact=query), order__isnull=True
        )
        .select_related("business")
        .order_by("-created_at", "-pk")
    )
    found = list(orders[:2])
    result = LookupResult(Counted(orders, orders.count()), Counted(refused, refused.count()))
    LookupRecord.objects.create(
        who=by,
        query=query[:250],
        order=found[0] if len(found) == 1 else None,
        results=len(result.orders) + len(result.refused),
    )
    return result


@dataclass
class OrderDossier:
    """Everything support needs about one order: lines, events, documents and delivery attempts."""

    order: Order
    documents: list[Document]
    outbox: list[OutboxMessage]
    attempts: dict[int, list[DeliveryAttempt]]

    def parsed(self) -> list[tuple[Document, str]]:
        """Each document with its parsed form (secrets were masked before storing; repr hides them too)."""
        return [(document, parsed_view(document)) for document in self.documents]


def parsed_view(document: Document) -> str:
    """The document parsed with punchout.cxml, as text; empty when it is not readable cXML."""
    if document.protocol != "cxml" or not document.raw.strip():
        return ""
    try:
        parsed = cxml.parse(document.raw.encode("utf-8")).document
    except CXMLError as error:
        return str(error)
    return f"{parsed.kind} payloadID={parsed.payload_id} status={parsed.status!r}\n{parsed.message!r}"[:20000]


def dossier(*, number: str, by: User) -> OrderDossier:
    """One order with every document exchanged about it (raw, secrets masked) and every attempt."""
    require_support(by)
    order = Order.objects.select_related("business", "integration").get(number=number)
    payload_ids = {order.payload_id, *order.receipts.values_list("payload_id", flat=True)}
    documents = list(
        Document.objects.filter(Q(reference=order.number) | Q(payload_id__in=payload_ids))
        .select_related("in_reply_to")
        .order_by("created_at", "id")
    )
    replies = list(
        Document.objects.filter(in_reply_to__in=documents).exclude(pk__in=[d.pk for d in documents])
    )
    documents = sorted([*documents, *replies], key=lambda d: (d.created_at, d.pk))
    outbox = list(OutboxMessage.objects.filter(reference=order.number).order_by("created_at", "id"))
    attempts: dict[int, list[DeliveryAttempt]] = {}
    for attempt in DeliveryAttempt.objects.filter(message__in=outbox).order_by("message", "number"):
        attempts.setdefault(attempt.message_id, []).append(attempt)
    LookupRecord.objects.create(who=by, query=number[:250], order=order, results=1)
    return OrderDossier(order, documents, outbox, attempts)
