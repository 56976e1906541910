"""Documents we send a buyer's procurement system, built with ``punchout.cxml`` and sent through the outbox.

Every outbound document carries our credentials: From = our identity (MARKETPLACE), To = the
buyer's identity from the integration, Sender = our identity with the business's shared secret
(kept encrypted in :class:`OrderSettings`, see ``orders.crypto``) — the buyer authenticates our
documents with it, as we authenticate theirs. Documents are built and stored with the secret
masked; the outbox puts it in at delivery through :func:`outbox_secret`, so a secret replaced in
the meantime is the one sent and no stored row holds it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

from openprocure.core import rows
from openprocure.core.journal import MASK
from openprocure.core.models import OutboxMessage
from openprocure.core.outbox import Outgoing, SecretUnavailable, enqueue_document, enqueue_documents
from openprocure.core.tunables import tunable
from openprocure.supplier.business.models import Integration
from openprocure.supplier.orders.choices import LineOutcome
from openprocure.supplier.orders.crypto import InvalidToken, decrypt_secret, encrypt_secret
from openprocure.supplier.orders.demo import demo_buyer_url
from openprocure.supplier.orders.models import Order, OrderLine, OrderSettings
from openprocure.supplier.punchout import pricing
from punchout import amounts, cxml
from punchout.cxml.common import MessageBody
from punchout.money import Money, stated_unit_price

logger = logging.getLogger(__name__)


def settings_for(integration: Integration) -> OrderSettings:
    """The integration's order settings, created on first use (in the demo, Acme's point at the
    demo buyer suite)."""
    found = getattr(integration, "_order_settings_cache", None)
    if found is not None:
        return found
    table = connection.ops.quote_name(OrderSettings._meta.db_table)
    sql = f"SELECT * FROM {table} WHERE integration_id = %s"  # one per integration (one-to-one)  # noqa: S608 - quoted names only
    found = next(iter(rows.select(OrderSettings, sql, [integration.pk])), None)
    if found is None:
        found, _created = OrderSettings.objects.get_or_create(
            integration=integration, defaults={"buyer_cxml_url": demo_buyer_url(integration)}
        )
    integration._order_settings_cache = found  # type: ignore[attr-defined]  # a per-instance cache attribute
    return found


def forget_settings(integration: Integration) -> None:
    """Drop the settings :func:`settings_for` keeps on the integration (they are read again)."""
    integration.__dict__.pop("_order_settings_cache", None)


def outbound_secret(order_settings: OrderSettings) -> str | None:
    """The shared secret to put in Sender, or None when we do not hold it (yet).

    Decrypted once per loaded settings row: intake reads it to compare and again for every
    document it sends.
    """
    encrypted = order_settings.outbound_secret_encrypted
    if not encrypted:
        return None
    cached = getattr(order_settings, "_outbound_secret_cache", None)
    if cached is not None and cached[0] == encrypted:
        return str(cached[1])
    try:
        secret = decrypt_secret(encrypted)
    except InvalidToken:
        logger.warning("integration %s: outbound secret unreadable", order_settings.integration_id)
        return None
    remember_outbound_secret(order_settings, secret)
    return secret


def send_with_new_secret(*, integration: Integration, secret: str) -> None:
    """The business replaced its shared secret: our documents carry the new one from now on, the
    ones still waiting in the outbox included (the outbox reads the secret at each attempt)."""
    order_settings = settings_for(integration)
    order_settings.outbound_secret_encrypted = encrypt_secret(secret)
    order_settings.updated_at = timezone.now()
    order_settings.save(update_fields=["outbound_secret_encrypted", "updated_at"])
    remember_outbound_secret(order_settings, secret)


def outbox_secret(source: str) -> str:
    """The shared secret our documents for an integration carry, read at delivery
    (``OUTBOX_SECRET_LOOKUP``; ``source`` is the integration's ID); "" when none is stored."""

    order_settings = OrderSettings.objects.filter(integration_id=int(source)).first()
    if order_settings is None or not order_settings.outbound_secret_encrypted:
        return ""
    try:
        return decrypt_secret(order_settings.outbound_secret_encrypted)
    except InvalidToken:
        raise SecretUnavailable(
            "The shared secret we send this business cannot be read (the encryption key changed?). An "
            "operator enters it again on the business's order settings page; then retry the message."
        ) from None


def remember_outbound_secret(order_settings: OrderSettings, secret: str) -> None:
    """Note the plain secret of the settings' current encrypted value (it was just encrypted)."""
    order_settings._outbound_secret_cache = (  # type: ignore[attr-defined]  # a per-instance cache attribute
        order_settings.outbound_secret_encrypted,
        secret,
    )


def envelope(integration: Integration, message: MessageBody, *, is_test: bool) -> cxml.CXML:
    """A Request envelope from us to the buyer, with our credentials and the shared secret masked
    (the outbox puts it in at delivery)."""
    ours = cxml.Credential(settings.CXML_DOMAIN, integration.supplier_identity or settings.CXML_IDENTITY)
    secret = MASK if settings_for(integration).outbound_secret_encrypted else None
    sender = cxml.Credential(ours.domain, ours.identity, secret)
    buyer = cxml.Credential(integration.buyer_domain, integration.buyer_identity)
    return cxml.CXML(
        message=message,
        payload_id=cxml.new_payload_id(settings.PAYLOAD_ID_DOMAIN),
        timestamp=datetime.now(UTC).replace(microsecond=0),
        header=cxml.make_header(
            from_=[ours], to=[buyer], sender=[sender], user_agent=tunable("ORDERS_USER_AGENT")
        ),
        deployment_mode=cxml.DeploymentMode.TEST if is_test else cxml.DeploymentMode.PRODUCTION,
        lang="en",
    )


def send(
    integration: Integration, message: MessageBody, *, reference: str, is_test: bool
) -> OutboxMessage | None:
    """Store a document in the outbox for the buyer's endpoint; None when no endpoint is configured."""
    built = outgoing(integration, [message], reference=reference, is_test=is_test)
    return enqueue_document(**vars(built[0])) if built else None


def outgoing(
    integration: Integration, messages: Iterable[MessageBody], *, reference: str, is_test: bool
) -> list[Outgoing]:
    """Documents for the buyer's endpoint, built and ready to store; [] without an endpoint."""
    order_settings = settings_for(integration)
    if not order_settings.buyer_cxml_url:
        return []
    built = []
    for message in messages:
        document = envelope(integration, message, is_test=is_test)
        built.append(
            Outgoing(
                kind=message.KIND,
                url=order_settings.buyer_cxml_url,
                payload_id=document.payload_id or "",
                body=cxml.build(document),
                reference=reference,
                partner=f"{integration.buyer_domain}:{integration.buyer_identity}",
                secret_source=str(integration.pk),
            )
        )
    return built


def send_all(
    integration: Integration, messages: Iterable[MessageBody], *, reference: str, is_test: bool
) -> list[OutboxMessage]:
    """Store several documents in the outbox at once (see :func:`send`); [] without an endpoint."""
    return enqueue_documents(outgoing(integration, messages, reference=reference, is_test=is_test))


def order_reference(order: Order) -> cxml.OrderReference:
    """The OrderReference of the buyer's order: their orderID, date and the OrderRequest payloadID."""
    return cxml.OrderReference(order_id=order.buyer_order_id, order_date=None, payload_id=order.payload_id)


def _comment(text: str) -> cxml.Comment:
    return cxml.Comment(text=text, lang="en")


def order_totals(currency: str, lines: Iterable[OrderLine]) -> amounts.Totals:
    """What (part of) an order costs by the storefront's money rules: the quantities that ship
    (accepted and backordered) at our unit prices, and the shipping charges the lines carry."""
    shipping = [line for line in lines if line.accepted_quantity + line.backordered_quantity]
    return pricing.totals(
        currency,
        [
            (Decimal(line.accepted_quantity + line.backordered_quantity), Decimal(line.unit_price))
            for line in shipping
        ],
        [Decimal(line.shipping) for line in shipping if line.shipping],
    )


def confirmation_requests(
    order: Order, lines: list[OrderLine], *, revision: str = ""
) -> list[cxml.ConfirmationRequest]:
    """ConfirmationRequest ``type="detail"``: accepted, backordered and rejected quantities per line,
    and the total, shipping and tax of what will ship.

    ``revision`` tells a later confirmation of the same order version apart (its confirmID ends with
    it): the one stating a new consolidated delivery date after the address's day changed.

    An order spanning several sellers gets one confirmation per seller (each seller confirms its
    own lines and its shipping: the confirmations' totals add up to the order's); lines matched to
    no product go with the first.
    """
    groups: OrderedDict[str, list[OrderLine]] = OrderedDict()
    for line in lines:
        groups.setdefault(line.seller_name or "", []).append(line)
    if "" in groups and len(groups) > 1:
        unmatched = groups.pop("")
        first = next(iter(groups))
        groups[first] = [*groups[first], *unmatched]
    now = timezone.now().replace(microsecond=0)
    # A recurring order held for its address's delivery day: the date the accepted quantities arrive.
    delivery = timezone.make_aware(datetime.combine(order.held_until, time.min)) if order.held_until else None
    requests = []
    for number, (seller, seller_lines) in enumerate(groups.items(), start=1):
        items = []
        for line in seller_lines:
            statuses = []
            uom = line.unit_of_measure or "EA"
            price = Money(stated_unit_price(Decimal(line.unit_price), line.currency), line.currency)
            if line.accepted_quantity:
                statuses.append(
                    cxml.ConfirmationStatus(
                        type=cxml.ConfirmationStatusType.DETAIL
                        if line.buyer_unit_price is not None
                        and Decimal(line.buyer_unit_price) != Decimal(line.unit_price)
                        else cxml.ConfirmationStatusType.ACCEPT,
                        quantity=Decimal(line.accepted_quantity),
                        unit_of_measure=uom,
                        delivery_date=delivery,
                        unit_price=price
                        if line.buyer_unit_price is not None
                        and Decimal(line.buyer_unit_price) != Decimal(line.unit_price)
                        else None,
                        comments=[_comment(f"{line.code}: {line.reason}")] if line.code != "ACCEPTED" else [],
                    )
                )
            if line.backordered_quantity:
                statuses.append(
                    cxml.ConfirmationStatus(
                        type=cxml.ConfirmationStatusType.BACKORDERED,
                        quantity=Decimal(line.backordered_quantity),
                        unit_of_measure=uom,
                        comments=[_comment(f"{line.code}: {line.reason}")],
                    )
                )
            if line.rejected_quantity or line.outcome in (LineOutcome.REJECTED, LineOutcome.CANCELLED):
                statuses.append(
                    cxml.ConfirmationStatus(
                        type=cxml.ConfirmationStatusType.REJECT,
                        quantity=Decimal(line.rejected_quantity or line.quantity),
                        unit_of_measure=uom,
                        comments=[_comment(f"{line.code}: {line.reason}")],
                    )
                )
            items.append(
                cxml.ConfirmationItem(
                    line_number=line.line_number,
                    quantity=Decimal(line.quantity),
                    unit_of_measure=uom,
                    statuses=statuses,
                )
            )
        comments = []
        if order.is_test:
            comments.append(_comment(f"{tunable('ORDERS_TEST_ORDER_LABEL')}: never charged nor shipped"))
        if seller:
            comments.append(_comment(f"Sold by {seller}"))
        if order.held_until:
            comments.append(
                _comment(
                    f"Consolidated delivery on {order.held_until.isoformat()} with your other recurring orders"
                )
            )
        suffix = f"-{number}" if len(groups) > 1 else ""
        totals = order_totals(order.currency, seller_lines)
        requests.append(
            cxml.ConfirmationRequest(
                header=cxml.ConfirmationHeader(
                    type=cxml.ConfirmationType.DETAIL,
                    notice_date=now,
                    confirm_id=f"{order.number}-v{order.order_version}{suffix}{revision}",
                    total=Money(totals.total, order.currency),
                    shipping=cxml.Shipping(
                        Money(totals.shipping, order.currency), cxml.Description("Shipping", lang="en")
                    )
                    if totals.shipping
                    else None,
                    tax=pricing.tax_element(order.currency, totals.tax_details),
                    comments=comments,
                ),
                order_reference=order_reference(order),
                items=items,
            )
        )
    return requests


def cancellation_request(order: Order, *, reason: str) -> cxml.ConfirmationRequest:
    """ConfirmationRequest ``type="reject"`` for a cancelled order: nothing of it will ship.

    Sent whether the buyer cancelled it (an OrderRequest ``type="delete"``: this confirms it) or
    the business's administrator or our staff did (the buyer's PO is otherwise left open). cXML has
    no cancellation type; ``reject`` covers every line, and the comment says why.
    """
    comments = [_comment(reason)]
    if order.is_test:
        comments.append(_comment(f"{tunable('ORDERS_TEST_ORDER_LABEL')}: never charged nor shipped"))
    return cxml.ConfirmationRequest(
        header=cxml.ConfirmationHeader(
            type=cxml.ConfirmationType.REJECT,
            notice_date=timezone.now().replace(microsecond=0),
            confirm_id=f"{order.number}-v{order.order_version}-cancelled",
            comments=comments,
        ),
        order_reference=order_reference(order),
        items=[],
    )


def line_cancellation_request(
    order: Order, lines: list[OrderLine], *, reason: str
) -> cxml.ConfirmationRequest:
    """ConfirmationRequest ``type="detail"`` rejecting the lines cancelled (the rest of the order
    stands): each line's whole quantity rejected, and the comment says who cancelled it."""
    comments = [_comment(reason)]
    if order.is_test:
        comments.append(_comment(f"{tunable('ORDERS_TEST_ORDER_LABEL')}: never charged nor shipped"))
    now = timezone.now().replace(microsecond=0)
    return cxml.ConfirmationRequest(
        header=cxml.ConfirmationHeader(
            type=cxml.ConfirmationType.DETAIL,
            notice_date=now,
            confirm_id=f"{order.number}-v{order.order_version}-cancelled-{'-'.join(str(line.line_number) for line in lines)}",
            operation=cxml.ShipNoticeOperation.UPDATE,
            comments=comments,
        ),
        order_reference=order_reference(order),
        items=[
            cxml.ConfirmationItem(
                line_number=line.line_number,
                quantity=Decimal(line.quantity),
                unit_of_measure=line.unit_of_measure or "EA",
                statuses=[
                    cxml.ConfirmationStatus(
                        type=cxml.ConfirmationStatusType.REJECT,
                        quantity=Decimal(line.quantity),
                        unit_of_measure=line.unit_of_measure or "EA",
                        comments=[_comment(f"{line.code}: {reason}")],
                    )
                ],
            )
            for line in lines
        ],
    )
