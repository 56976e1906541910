"""What every supplier document at ``POST /cxml/`` goes through before its handler's business:
who sent it (From/Sender credential + SharedSecret against the supplier connection, compared in
constant time), which order it is about, and idempotency by payloadID.

Only accepted documents (2xx) are remembered by payloadID: a retry of an accepted document gets the
same answer and creates nothing; a refused one (4xx) created nothing and is evaluated again, so a
partner can resend it once the cause is fixed.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment.models import InboundDocument
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderLine, Transmission
from openprocure.buyer.suppliers.models import DocumentIdentity, PunchOutConnection, Supplier
from openprocure.buyer.suppliers.services import ConnectionError_, shared_secret
from openprocure.core.cxml_endpoint import Handler, Inbound, answer_document
from openprocure.core.fields import PAYLOAD_ID_LENGTH
from openprocure.core.models import Document
from punchout import cxml
from punchout.cxml.errors import CXMLError, InvalidDocument

logger = logging.getLogger(__name__)

#: The handler of each document type ``POST /cxml/`` accepts (registered from the owning apps'
#: ``AppConfig.ready()``: fulfilment here, invoicing for invoices). The endpoint lives in ``portal``.
HANDLERS: dict[str, Handler] = {}


class Unauthorized(CXMLError):
    """Unknown sender or wrong SharedSecret: 401, nothing created."""

    default_status = 401
    default_text = "Unauthorized"


class Conflict(CXMLError):
    """The document repeats one we already hold (a duplicate invoice…): 409."""

    default_status = 409
    default_text = "Conflict"


@dataclass(frozen=True)
class Accepted:
    """What a handler's business returns: the answer's message and the journal reference."""

    reference: str
    message: str = ""
    code: int = 200
    text: str = "OK"


def authenticate(document: cxml.CXML) -> PunchOutConnection:
    """The supplier connection whose identity is in From or Sender and whose secret is the SharedSecret."""
    header = document.require_header()
    credentials = [*header.from_, *header.sender]
    identities = {c.identity for c in credentials if c.identity}
    live = PunchOutConnection.objects.filter(protocol="cxml", is_active=True, supplier__is_active=True)
    candidates = [
        connection
        for connection in live.filter(to_identity__in=identities).select_related("supplier")
        if any(c.matches(connection.to_domain, connection.to_identity) for c in credentials)
    ]
    # The other identities a supplier signs its documents with (DocumentIdentity).
    known = {connection.pk for connection in candidates}
    for other in DocumentIdentity.objects.filter(
        identity__in=identities, connection__in=live.exclude(pk__in=known)
    ).select_related("connection__supplier"):
        if other.connection_id not in known and any(
            c.matches(other.domain, other.identity) for c in credentials
        ):
            candidates.append(other.connection)
            known.add(other.connection_id)
    shown = ", ".join(f"{c.domain}:{c.identity}" for c in credentials) or _("none")
    if not candidates:
        raise Unauthorized(
            _(
                "Unknown sender: no supplier connection has the identity %(identities)s "
                "(Header/From or Header/Sender). Ask the buyer to add your identity to your supplier connection "
                "(as its own identity or as a document identity)."
            )
            % {"identities": shown},
            path="/cXML/Header/Sender/Credential",
        )
    found = with_secret(candidates, header.sender_secret)
    if found is not None:
        return found
    raise Unauthorized(
        _(
            "The SharedSecret in Header/Sender/Credential does not match the one agreed for %(identities)s. "
            "Check the shared secret configured for this buyer."
        )
        % {"identities": shown},
        path="/cXML/Header/Sender/Credential/SharedSecret",
    )


def with_secret(candidates: list[PunchOutConnection], secret: str | None) -> PunchOutConnection | None:
    """The first of ``candidates`` whose shared secret is ``secret`` (compared in constant time)."""
    if not secret:
        return None
    for connection in candidates:
        try:
            expected = shared_secret(connection)
        except ConnectionError_:
            logger.warning("connection %s: shared secret unreadable", connection.pk)
            continue
        if expected and hmac.compare_digest(expected.encode("utf-8"), secret.encode("utf-8")):
            return connection
    return None


def connections_of(identity: str) -> list[PunchOutConnection]:
    """The active connections whose supplier identity (To identity, or a document identity) is
    ``identity``, in any credential domain: who an OAGIS BOD's HTTP Basic user name may be."""
    live = PunchOutConnection.objects.filter(is_active=True, supplier__is_active=True).select_related(
        "supplier"
    )
    found = list(live.filter(to_identity=identity).order_by("pk"))
    known = {connection.pk for connection in found}
    for other in DocumentIdentity.objects.filter(identity=identity, connection__in=live).select_related(
        "connection__supplier"
    ):
        if other.connection_id not in known:
            found.append(other.connection)
            known.add(other.connection_id)
    return found


def find_purchase_order(
    *, supplier: Supplier, reference: cxml.OrderReference | None, path: str, lock: bool = True
) -> PurchaseOrder:
    """The PO an OrderReference names (orderID, or the payloadID of the OrderRequest), for this supplier."""
    order_id = (reference.order_id or "").strip() if reference else ""
    payload_id = (reference.payload_id or "").strip() if reference else ""
    queryset = PurchaseOrder.objects.select_related(
        "supplier", "connection", "requisition__requester", "buyer"
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    po = None
    if order_id:
        po = queryset.filter(number=order_id, supplier=supplier).first()
    if po is None and payload_id:
        transmission = Transmission.objects.filter(
            payload_id=payload_id, purchase_order__supplier=supplier
        ).first()
        if transmission is not None:
            po = queryset.get(pk=transmission.purchase_order_id)
    if po is None:
        if not order_id and not payload_id:
            raise InvalidDocument(
                _(
                    "OrderReference names no order: send orderID (our PO number) or the OrderRequest's payloadID."
                ),
                path=path,
            )
        named = order_id or payload_id
        raise InvalidDocument(
            _(
                "Unknown purchase order %(order)s: no order with this number (or OrderRequest payloadID) "
                "was sent to %(supplier)s. Check the orderID in OrderReference."
            )
            % {"order": named, "supplier": supplier.name},
            path=path,
        )
    return po


def po_line(po: PurchaseOrder, line_number: int, *, path: str) -> PurchaseOrderLine:
    """The line ``line_number`` of ``po`` or a 400 saying which line numbers exist."""
    lines = {line.line_number: line for line in po.lines.all()}
    if line_number not in lines:
        raise InvalidDocument(
            _("Order %(order)s has no line %(line)s (its lines are %(lines)s). Check lineNumber.")
            % {"order": po.number, "line": line_number, "lines": ", ".join(str(n) for n in sorted(lines))},
            path=path,
        )
    return lines[line_number]


def handle(inbound: Inbound, business: Callable[[Inbound, PunchOutConnection], Accepted]) -> cxml.CXML:
    """Authenticate, replay a known payloadID, or run ``business`` in one transaction and remember it."""
    document = inbound.document
    connection = authenticate(document)
    supplier = connection.supplier
    inbound.partner = supplier.name
    try:
        result = accept_once(
            (document.payload_id or "").strip(),
            kind=document.kind,
            supplier=supplier,
            journal=inbound.journal,
            business=partial(business, inbound, connection),
        )
    except KeyOfAnotherSender as reused:
        raise Conflict(
            _("payloadID %(payload)s was already used by another sender; send a new payloadID.")
            % {"payload": reused.key},
            path="/cXML/@payloadID",
        ) from None
    if isinstance(result, InboundDocument):
        return _replay(inbound, result)
    inbound.reference = result.reference
    return answer_document(inbound, cxml.Response(), code=result.code, text=result.text, note=result.message)


class KeyOfAnotherSender(Exception):
    """The payloadID or BODID of a document is kept already, for another supplier: the repeat is
    refused (never answered with what that supplier was told)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def accept_once(
    key: str,
    *,
    kind: str,
    supplier: Supplier,
    journal: Document,
    business: Callable[[], Accepted],
    key_name: str = "payloadID",
    key_path: str = "/cXML/@payloadID",
) -> Accepted | InboundDocument:
    """Run ``business`` in one transaction and remember its answer under ``key`` (a payloadID or
    BODID; without one it is simply run), unless that key was answered already: then what was kept
    for it is returned instead and ``business`` does not run. A refusal that ``business`` raises is
    not kept, so the partner may send the document again once the cause is fixed. A key kept for
    another supplier raises :class:`KeyOfAnotherSender`. A key longer than is kept is refused
    (:class:`InvalidDocument` naming ``key_name`` at ``key_path``): cut, it could be taken for
    another document's, and its repeat would not be found."""
    if len(key) > PAYLOAD_ID_LENGTH:
        raise InvalidDocument(
            _("The %(name)s has %(length)s characters; at most %(limit)s are accepted. Send a shorter one.")
            % {"name": key_name, "length": len(key), "limit": PAYLOAD_ID_LENGTH},
            path=key_path,
        )
    if key:
        known = remembered(key)
        if known is not None:
            return _own(known, supplier)
    try:
        with transaction.atomic():
            result = business()
            if key:
                remember(payload_id=key, kind=kind, supplier=supplier, journal=journal, result=result)
    except IntegrityError:
        # The same key was being processed concurrently and won: answer as it was answered.
        known = remembered(key)
        if known is None:
            raise
        return _own(known, supplier)
    return result


def _own(known: InboundDocument, supplier: Supplier) -> InboundDocument:
    if known.supplier_id != supplier.pk:
        raise KeyOfAnotherSender(known.payload_id)
    return known


def remembered(payload_id: str) -> InboundDocument | None:
    """The accepted document kept under this payloadID (or BODID), if any."""
    return InboundDocument.objects.filter(payload_id=payload_id).first()


def remember(*, payload_id: str, kind: str, supplier: Supplier, journal: Document, result: Accepted) -> None:
    """Keep how an accepted document was answered under its payloadID (or BODID), so that the same
    id sent again is answered alike and creates nothing; ``IntegrityError`` when a concurrent
    delivery of it kept it first."""
    InboundDocument.objects.create(
        payload_id=payload_id,
        kind=kind,
        supplier=supplier,
        journal=journal,
        reference=result.reference[:200],
        status_code=result.code,
        status_text=result.text,
        message=result.message,
    )


def _replay(inbound: Inbound, known: InboundDocument) -> cxml.CXML:
    inbound.reference = known.reference
    inbound.extra["replayed"] = True
    return answer_document(
        inbound, cxml.Response(), code=known.status_code, text=known.status_text, note=known.message
    )
