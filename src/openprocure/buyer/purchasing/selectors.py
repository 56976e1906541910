"""Read-only queries of purchasing shared by the pages and the API."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from openprocure.buyer.approvals.selectors import approver_of
from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.email_documents import EMAIL_CONTENT_TYPE, email_summary
from openprocure.core.models import Document


def visible_orders(user: Any) -> QuerySet[PurchaseOrder]:
    """The orders ``user`` may open, on the pages and through the API (one rule): the buyer's own,
    those of requisitions they were asked to approve, and all for procurement administrators."""
    rows = PurchaseOrder.objects.select_related("supplier", "requisition", "buyer").order_by(
        "-created_at", "-id"
    )
    if not getattr(user, "is_authenticated", False):
        return rows.none()
    if is_procurement_admin(user):
        return rows
    approved = Requisition.objects.filter(approver_of(user)).values("pk")
    return rows.filter(Q(buyer=user) | Q(requisition__in=approved))


def can_view(user: Any, po: PurchaseOrder) -> bool:
    return visible_orders(user).filter(pk=po.pk).exists()


def can_manage(user: Any, po: PurchaseOrder) -> bool:
    return po.buyer_id == user.pk or is_procurement_admin(user)


def timeline(po: PurchaseOrder) -> list[Document]:
    """Every document exchanged for the PO (journal rows whose business reference is its number),
    oldest first, each answer right after the document it answers (``in_reply_to``): the supplier's
    ConfirmationRequest may be journaled before the Response to our OrderRequest, which was sent
    first. An e-mail carries its readable summary as ``email`` (recipients, subject, attachments'
    names and sizes) so the page never shows its JSON with the attachments in base64."""
    found = list(Document.objects.filter(reference=po.number).order_by("created_at", "id"))
    listed = {document.pk for document in found}
    answers: dict[int, list[Document]] = defaultdict(list)
    for document in found:
        if document.in_reply_to_id in listed:
            answers[document.in_reply_to_id].append(document)
    documents: list[Document] = []
    waiting = [document for document in reversed(found) if document.in_reply_to_id not in listed]
    while waiting:
        document = waiting.pop()
        documents.append(document)
        waiting.extend(reversed(answers[document.pk]))
    for document in documents:
        document.email = (  # type: ignore[attr-defined]  # read by the template only
            email_summary(document.raw) if document.content_type == EMAIL_CONTENT_TYPE else None
        )
    return documents
