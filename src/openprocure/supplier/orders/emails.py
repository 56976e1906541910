"""The e-mails of order intake to the person who ordered: the confirmation of an order (what will
ship, what will not, and why) and the refusal of a whole order.

Sent once the transaction commits (``core.mail.send_after_commit``). The e-mail of a cancellation,
which says who asked for it, is written where the order is cancelled (:mod:`.services`).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from openprocure.core import mail
from openprocure.core.formatting import format_money
from openprocure.core.models import User
from openprocure.supplier.business.models import Integration
from openprocure.supplier.orders import codes, intake
from openprocure.supplier.orders.choices import LineOutcome
from openprocure.supplier.orders.models import Order, OrderLine
from openprocure.supplier.punchout.models import CartLine
from punchout import cxml


def confirmation_email(order: Order, lines: list[OrderLine]) -> tuple[str, str]:
    """Subject and body of the confirmation e-mail: what will ship, what will not, and why; in the
    language of the person who ordered (the order comes from their procurement system, whose
    request says nothing of it)."""
    language = getattr(order.user, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return _confirmation_email(order, lines)


def _confirmation_email(order: Order, lines: list[OrderLine]) -> tuple[str, str]:
    subject = _("Order %(number)s confirmed (your purchase order %(po)s)") % {
        "number": order.number,
        "po": order.buyer_order_id,
    }
    if order.is_test:
        subject = _("[Test order] %(subject)s") % {"subject": subject}
    out = [
        _("Thank you. We received your purchase order %(po)s as our order %(number)s.")
        % {
            "po": order.buyer_order_id,
            "number": order.number,
        }
    ]
    if order.is_test:
        out.append(_("This is a test order: it will never be charged nor shipped."))
    shipping = [line for line in lines if line.outcome in (LineOutcome.ACCEPTED, LineOutcome.BACKORDERED)]
    if shipping:
        out.append("")
        out.append(_("Will ship:"))
        for line in shipping:
            out.append(
                _("- line %(line)s: %(quantity)s × %(title)s")
                % {
                    "line": line.line_number,
                    "quantity": line.accepted_quantity,
                    "title": line.description,
                }
            )
            if line.backordered_quantity:
                out.append(
                    _("  backordered: %(quantity)s (ships when back in stock)")
                    % {"quantity": line.backordered_quantity}
                )
    rejected = [line for line in lines if line.outcome == LineOutcome.REJECTED]
    if rejected:
        out.append("")
        out.append(_("Will not ship:"))
        for line in rejected:
            out.append(
                _("- line %(line)s: %(quantity)s × %(title)s — %(code)s: %(reason)s")
                % {
                    "line": line.line_number,
                    "quantity": line.quantity,
                    "title": line.description,
                    "code": line.code,
                    "reason": line.reason,
                }
            )
    out.append("")
    out.append(_("Total: %(total)s (tax included)") % {"total": format_money(order.total, order.currency)})
    return subject, "\n".join(out)


def mail_rejection(integration: Integration, request: cxml.OrderRequest, rejection: intake.Rejection) -> None:
    """The order-specific error e-mail when a whole order is refused (to the PunchOut user, if known),
    in the language of that person, not of the request that carried the order."""
    email, language = _rejection_recipient(integration, request)
    if not email:
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        po = (request.header.order_id or "").strip() or "?"
        subject = _("Your purchase order %(po)s was not accepted") % {"po": po}
        entry = codes.get(rejection.code)
        message = f"{rejection.code}: {entry.render(**rejection.params)}"
        body = "\n".join(
            [
                _("We could not accept your purchase order %(po)s.") % {"po": po},
                _("Reason (%(code)s): %(message)s") % {"code": rejection.code, "message": message},
                _("What to do: %(next)s") % {"next": entry.next_step},
                "",
                _("Please contact your company's procurement representative: the order was not placed."),
            ]
        )
    mail.send_after_commit(subject, body, email)


def _rejection_recipient(integration: Integration, request: cxml.OrderRequest) -> tuple[str, str]:
    """The e-mail address of the person who ordered and their language ("" when not known)."""
    aux_ids = [
        i.item_id.supplier_part_auxiliary_id for i in request.items if i.item_id.supplier_part_auxiliary_id
    ]
    line = (
        CartLine.objects.filter(auxiliary_id__in=aux_ids, business_id=integration.business_id)
        .select_related("session", "session__user")
        .first()
    )
    if line is not None and line.session.email:
        session = line.session
        language = session.user.preferred_language if session.user is not None else ""
        return session.email, language or (session.shopper or {}).get("language", "")
    email = intake.request_email(request)
    if not email:
        return "", ""
    stored = (
        User.objects.filter(email__iexact=email, membership__business_id=integration.business_id)
        .values_list("preferred_language", flat=True)
        .first()
    )
    return (email, stored) if stored is not None else ("", "")
