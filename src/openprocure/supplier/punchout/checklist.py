"""The integration checklist's items, read from the document journal and the PunchOut sessions:
what a business's procurement system has sent us and how we answered (see ``business.checklist``).

Each cXML item is decided by the latest journal entry of its kind from the business's identity: a 2xx
answer is done, any other answer failing (with our answer's text, the exact reason), none not yet
seen. The cart returned is the latest cart we sent back; the OCI call-up the latest OCI session.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprocure.core.choices import Direction
from openprocure.core.models import Document
from openprocure.supplier.business.checklist import DONE, FAILING, NOT_SEEN, ChecklistItem
from openprocure.supplier.business.models import Integration
from openprocure.supplier.punchout.choices import SessionProtocol
from openprocure.supplier.punchout.models import PunchOutSession

#: cXML items: code, label, message type, and the attribute value that tells the variant apart
#: (a regular expression on the raw document, as the journal keeps it).
CXML_ITEMS: list[tuple[str, Any, str, str]] = [
    (
        "setup.create",
        gettext_lazy("PunchOut setup: new cart (create)"),
        "PunchOutSetupRequest",
        r"<PunchOutSetupRequest[^>]*\soperation=[\"']create[\"']",
    ),
    (
        "setup.edit",
        gettext_lazy("PunchOut setup: edit a cart (edit)"),
        "PunchOutSetupRequest",
        r"<PunchOutSetupRequest[^>]*\soperation=[\"']edit[\"']",
    ),
    (
        "setup.inspect",
        gettext_lazy("PunchOut setup: look at a cart (inspect)"),
        "PunchOutSetupRequest",
        r"<PunchOutSetupRequest[^>]*\soperation=[\"']inspect[\"']",
    ),
    (
        "order.new",
        gettext_lazy("Order: new"),
        "OrderRequest",
        r"<OrderRequestHeader[^>]*\stype=[\"']new[\"']",
    ),
    (
        "order.update",
        gettext_lazy("Order: change (update)"),
        "OrderRequest",
        r"<OrderRequestHeader[^>]*\stype=[\"']update[\"']",
    ),
    (
        "order.delete",
        gettext_lazy("Order: cancellation (delete)"),
        "OrderRequest",
        r"<OrderRequestHeader[^>]*\stype=[\"']delete[\"']",
    ),
    ("status.update", gettext_lazy("Status update"), "StatusUpdateRequest", ""),
]
#: Where the cart returned sits between the setups and the orders.
CART_ORDER = 3


def partner_of(integration: Integration) -> str:
    """The journal's ``partner`` of the business's documents (as the document log filters them)."""
    return f"{integration.buyer_domain}:{integration.buyer_identity}"


def fix_for(status_code: int | None) -> str:
    """What to change for a refused document, by our answer's cXML status code."""
    if status_code in (401, 403):
        return _(
            "Send the identity (From and Sender) and the shared secret shown on the Manage your business "
            "page, exactly as shown."
        )
    if status_code == 409:
        return _("Give every new document its own payloadID; send a document again only to repeat it.")
    if status_code is not None and 400 <= status_code < 500:
        return _(
            "Correct the document as our answer says (it follows the cXML DTD and names what is wrong), "
            "then send it again."
        )
    if status_code is None:
        return _("We could not read the document: send well-formed cXML in UTF-8 with its DOCTYPE.")
    return _("A fault on our side: send the same document again later, with the same payloadID.")


def _decided(code: str, label: Any, order: int, rows: QuerySet[Document]) -> ChecklistItem:
    latest = (
        rows.order_by("-created_at", "-id").only("id", "created_at", "status_code", "status_text").first()
    )
    if latest is None:
        return ChecklistItem(code=code, label=str(label), order=order)
    ok = latest.status_code is not None and 200 <= latest.status_code < 300
    return ChecklistItem(
        code=code,
        label=str(label),
        order=order,
        state=DONE if ok else FAILING,
        when=latest.created_at,
        document_id=latest.pk,
        status_code=latest.status_code,
        reason="" if ok else latest.status_text,
        fix="" if ok else fix_for(latest.status_code),
    )


def _cart(integration: Integration, partner: str) -> ChecklistItem:
    label = _("Cart returned to the procurement system")
    latest = (
        Document.objects.filter(
            partner=partner, direction=Direction.OUTBOUND, kind__in=["PunchOutOrderMessage", "OCI cart"]
        )
        .order_by("-created_at", "-id")
        .only("id", "created_at", "kind")
        .first()
    )
    if latest is None:
        return ChecklistItem(code="cart.returned", label=label, order=CART_ORDER)
    if latest.kind == "OCI cart":
        detail = _("OCI: NEW_ITEM-* form fields")
    else:
        detail = _("cXML PunchOutOrderMessage in the form field %(field)s") % {
            "field": integration.cart_encoding
        }
    return ChecklistItem(
        code="cart.returned",
        label=label,
        order=CART_ORDER,
        state=DONE,
        when=latest.created_at,
        document_id=latest.pk,
        detail=detail,
    )


def _oci_callup(integration: Integration, order: int) -> ChecklistItem:
    label = _("OCI call-up")
    latest = (
        PunchOutSession.objects.filter(integration=integration, protocol=SessionProtocol.OCI)
        .order_by("-created_at", "-id")
        .only("id", "created_at")
        .first()
    )
    if latest is None:
        return ChecklistItem(code="oci.callup", label=label, order=order, state=NOT_SEEN)
    return ChecklistItem(code="oci.callup", label=label, order=order, state=DONE, when=latest.created_at)


def integration_items(*, integration: Integration) -> list[ChecklistItem]:
    """The checklist items of the exchanges the storefront receives (registered on the
    ``integration_checklist`` hook)."""
    partner = partner_of(integration)
    inbound = Document.objects.filter(partner=partner, direction=Direction.INBOUND)
    items = []
    for position, (code, label, kind, variant) in enumerate(CXML_ITEMS):
        rows = inbound.filter(kind=kind)
        if variant:
            rows = rows.filter(raw__regex=variant)
        items.append(_decided(code, label, position if position < CART_ORDER else position + 1, rows))
    items.append(_cart(integration, partner))
    items.append(_oci_callup(integration, len(CXML_ITEMS) + 1))
    return items


__all__ = ["CXML_ITEMS", "fix_for", "integration_items", "partner_of"]
