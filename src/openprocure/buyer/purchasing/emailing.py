"""Purchase orders e-mailed to a supplier with no integration (connections whose order channel is
e-mail), and the signed link that opens the supplier portal for one order.

The e-mail is a real ``EmailMultiAlternatives`` (text and HTML) in the supplier's language, with the
order as PDF (the printable order, ``purchasing/pdf.html``) and the cXML OrderRequest attached (built
as for a cXML supplier, without any shared secret). It goes through the outbox like an OrderRequest
(``core.email_documents``), with the same result callback: handed to the mail server, the order is
accepted; refused by the mail server (a bounce at send), it fails with the server's text.

The link is signed (``django.core.signing.TimestampSigner``, salted for this purpose only) and names
the order and the address it was sent to; it expires after ``SUPPLIER_PORTAL_LINK_DAYS``. The
portal's pages live in ``buyer.supplierportal`` (above this app): the link is made here by URL name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from openprocure.buyer.purchasing.choices import TransmissionType
from openprocure.buyer.purchasing.documents import Version, order_request, payload_domain
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent
from openprocure.buyer.suppliers.choices import OrderChannel
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.audit import record_event
from openprocure.core.email_documents import EMAIL_CONTENT_TYPE, email_document, mailto
from openprocure.core.models import OutboxMessage
from openprocure.core.outbox import enqueue_document
from openprocure.core.pdf import render_pdf
from openprocure.core.tunables import tunable
from punchout.cxml import build, new_payload_id

#: The signer's salt: a link made for the supplier portal opens nothing else signed by this site.
PORTAL_LINK_SALT = "openprocure.buyer.supplierportal.order-link"


@dataclass(frozen=True)
class PortalLink:
    """What a valid portal link names: the order (its primary key) and the address it went to."""

    order_id: int
    email: str


class LinkRefused(Exception):
    """A portal link that cannot be used; ``expired`` tells an old link from an altered one."""

    def __init__(self, *, expired: bool) -> None:
        self.expired = expired
        super().__init__("expired" if expired else "altered")


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=PORTAL_LINK_SALT)


def portal_token(po: PurchaseOrder, email: str) -> str:
    """The signed token naming ``po`` and the address ``email`` it is sent to."""
    return _signer().sign_object({"po": po.pk, "email": email.strip().lower()}, compress=True)


def read_portal_token(token: str) -> PortalLink:
    """The order and address a token names; :class:`LinkRefused` when it is altered or too old."""
    max_age = int(tunable("SUPPLIER_PORTAL_LINK_DAYS")) * 86400
    try:
        data = _signer().unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkRefused(expired=True) from None
    except signing.BadSignature:
        raise LinkRefused(expired=False) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("po"), int)
        or not isinstance(data.get("email"), str)
    ):
        raise LinkRefused(expired=False)
    return PortalLink(order_id=data["po"], email=data["email"])


def portal_url(po: PurchaseOrder, email: str) -> str:
    """The absolute URL of the portal page of ``po`` for ``email``."""
    return settings.PUBLIC_URL + reverse("supplierportal:order", args=[portal_token(po, email)])


# The Sender's SharedSecret element (the mask, or nothing): a supplier reached by e-mail has none.
_SECRET = re.compile(rb"\s*<SharedSecret\s*>[^<]*</SharedSecret\s*>")


def _subject(kind: str, po: PurchaseOrder) -> str:
    """The subject of the e-mail of ``po``: the order, a change to it or its cancellation."""
    values = {"number": po.number, "company": _buyer_name(po)}
    if kind == TransmissionType.UPDATE:
        return _("Change to purchase order %(number)s from %(company)s") % values
    if kind == TransmissionType.DELETE:
        return _("Cancellation of purchase order %(number)s from %(company)s") % values
    return _("Purchase order %(number)s from %(company)s") % values


def _order_email(
    po: PurchaseOrder,
    *,
    address: str,
    payload_id: str,
    cxml_body: bytes,
    kind: str = TransmissionType.NEW,
    version: Version | None = None,
) -> EmailMultiAlternatives:
    """The e-mail of ``po`` to ``address`` in the supplier's language, PDF and cXML attached; a
    change (``kind`` update) lists each changed line's quantity before and after, a cancellation
    (``kind`` delete) says the whole order is cancelled."""
    lines = list(po.lines.all())
    asked = version.quantities if version else {}
    changes = [
        {"line": line, "to": asked.get(line.line_number, Decimal(0))}
        for line in lines
        if kind == TransmissionType.UPDATE
        and not line.is_cancelled
        and asked.get(line.line_number, Decimal(0)) != line.quantity
    ]
    with translation.override(po.supplier.language or settings.LANGUAGE_CODE):
        context = {
            "po": po,
            "lines": lines,
            "kind": kind,
            "changes": changes,
            "link": portal_url(po, address),
            "days": tunable("SUPPLIER_PORTAL_LINK_DAYS"),
        }
        subject = _subject(kind, po)
        context["subject"] = subject
        message = _email_to_supplier(
            po, address, subject=subject, template="purchasing/email/order", context=context
        )
        message.attach(
            f"{po.number}.pdf",
            render_pdf("purchasing/pdf.html", {"po": po, "lines": lines}),
            "application/pdf",
        )
    message.attach(f"{po.number}.xml", cxml_body, "text/xml")
    return message


def _buyer_name(po: PurchaseOrder) -> str:
    return str(po.bill_to.get("name") or po.ship_to.get("name") or settings.PUBLIC_URL)


def enqueue_order_email(
    po: PurchaseOrder, *, kind: str, on_result: str, version: Version | None = None
) -> tuple[str, OutboxMessage]:
    """Store the e-mail of ``po`` in the outbox for the connection's order address (retried there);
    its payloadID (the attached OrderRequest's) and the outbox message."""
    connection = po.connection
    assert connection is not None and connection.order_email, "only orders with an order e-mail address"
    payload_id = new_payload_id(payload_domain())
    body = _SECRET.sub(
        b"", build(order_request(po, kind=kind, payload_id=payload_id, secret=None, version=version))
    )
    message = _order_email(
        po, address=connection.order_email, payload_id=payload_id, cxml_body=body, kind=kind, version=version
    )
    stored = _enqueue_email(
        po,
        message,
        kind="OrderEmail",
        address=connection.order_email,
        payload_id=payload_id,
        on_result=on_result,
    )
    return payload_id, stored


def enqueue_link_email(po: PurchaseOrder) -> OutboxMessage:
    """A new portal link for ``po`` e-mailed to the connection's order address (through the outbox)."""
    connection = po.connection
    assert connection is not None and connection.order_email, "only orders with an order e-mail address"
    address = connection.order_email
    with translation.override(po.supplier.language or settings.LANGUAGE_CODE):
        context = {"po": po, "link": portal_url(po, address), "days": tunable("SUPPLIER_PORTAL_LINK_DAYS")}
        message = _email_to_supplier(
            po,
            address,
            subject=_("New link for purchase order %(number)s") % {"number": po.number},
            template="purchasing/email/link",
            context=context,
        )
    return _enqueue_email(
        po, message, kind="PortalLinkEmail", address=address, payload_id=new_payload_id(payload_domain())
    )


def _email_to_supplier(
    po: PurchaseOrder, address: str, *, subject: str, template: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    """An e-mail about ``po`` to the supplier's ``address``, answered to the order's buyer: its text
    and HTML rendered from ``template`` + ``.txt`` / ``.html`` with ``context`` (in the language
    active when called)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[address],
        reply_to=[po.buyer.email] if po.buyer.email else None,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _enqueue_email(
    po: PurchaseOrder,
    message: EmailMultiAlternatives,
    *,
    kind: str,
    address: str,
    payload_id: str,
    on_result: str = "",
) -> OutboxMessage:
    """Store ``message`` about ``po`` in the outbox for delivery to ``address`` (retried there), its
    outcome told to the result callback ``on_result`` when one is named."""
    return enqueue_document(
        kind=kind,
        url=mailto(address),
        payload_id=payload_id,
        body=email_document(message),
        reference=po.number,
        partner=str(po.supplier)[:200],
        content_type=EMAIL_CONTENT_TYPE,
        on_result=on_result,
    )


# -- the buyer's actions on e-mailed orders ----------------------------------------------------------
def send_portal_link(*, po: PurchaseOrder, actor: Any) -> OutboxMessage:
    """E-mail a new portal link for ``po`` to its supplier's order address (an old one expired or was
    lost); recorded on the order."""
    if not by_email(po):
        raise ValueError(_("Orders to this supplier do not go by e-mail: there is no portal link to send."))
    with transaction.atomic():
        message = enqueue_link_email(po)
        record_event(
            PurchaseOrderEvent,
            po,
            "portal_link_sent",
            actor=actor,
            detail={"email": po.connection.order_email},
        )
    return message


def by_email_channel(connection: PunchOutConnection | None) -> bool:
    """Whether orders to ``connection`` go out as e-mails (its order channel, with an address)."""
    return (
        connection is not None
        and connection.order_channel == OrderChannel.EMAIL
        and bool(connection.order_email)
    )


def by_email(po: PurchaseOrder) -> bool:
    """Whether ``po`` goes to its supplier by e-mail."""
    return by_email_channel(po.connection)


def takes_changes(connection: PunchOutConnection | None, *, cancellation: bool = False) -> bool:
    """Whether change orders (``cancellation``: cancellations) of orders to ``connection`` can be
    sent: e-mailed when its order channel is e-mail (a person reads them), else as cXML or OAGIS to
    its order URL when the connection says it accepts them."""
    if by_email_channel(connection):
        return True
    return bool(
        connection is not None
        and connection.sends_orders
        and (connection.accepts_cancellations if cancellation else connection.accepts_order_updates)
    )


def record_bounce(*, po: PurchaseOrder, address: str, reason: str, actor: Any = None) -> None:
    """A bounce report for an order e-mail received after the mail server took it (a non-delivery
    report): shown on the order with the reason, so the buyer fixes the address and sends it again."""
    with transaction.atomic():
        locked = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
        locked.supplier_message = _("The e-mail to %(address)s bounced: %(reason)s") % {
            "address": address,
            "reason": reason,
        }
        locked.save(update_fields=["supplier_message"])
        record_event(
            PurchaseOrderEvent,
            locked,
            "email_bounced",
            actor=actor,
            detail={"email": address, "reason": reason},
        )
