"""Requisition statuses and the table of allowed moves (checked by ``core.status.set_status``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequisitionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being assembled by the requester; lines may change
    SUBMITTED = "submitted", _("Submitted")  # waiting for approval; lines frozen
    APPROVED = "approved", _("Approved")  # every approval step agreed; a purchase order follows
    REJECTED = "rejected", _("Rejected")  # an approver refused; final
    RETURNED = "returned", _("Returned for changes")  # an approver sent it back; editable again
    ORDERED = "ordered", _("Ordered")  # purchase order(s) created from it
    CLOSED = "closed", _("Closed")  # fully received / invoiced; final
    CANCELLED = "cancelled", _("Cancelled")  # withdrawn; final


S = RequisitionStatus

REQUISITION_TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.CANCELLED},
    S.SUBMITTED: {S.APPROVED, S.REJECTED, S.RETURNED, S.CANCELLED},
    S.RETURNED: {S.SUBMITTED, S.CANCELLED},
    S.APPROVED: {S.ORDERED, S.CANCELLED, S.SUBMITTED},  # back to approval: changed after approval
    S.ORDERED: {S.CLOSED},
    S.REJECTED: set(),
    S.CLOSED: set(),
    S.CANCELLED: set(),
}

#: Statuses in which the requester may change lines and accounting.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.RETURNED})


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")  # from a PunchOut cart or empty
    LINES_CHANGED = "lines_changed", _("Lines changed")  # cart returned, edit, free-text line, update
    ACCOUNTING_CHANGED = "accounting_changed", _("Accounting changed")  # splits set on a line
    HEADER_CHANGED = "header_changed", _("Details changed")  # title, justification, delivery, coding
    STATUS_CHANGED = "status_changed", _("Status changed")  # any move in the transition table
    NOTE = "note", _("Note")  # a comment without a state change


class SplitMode(models.TextChoices):
    PERCENTAGE = "percentage", _("By percentage")  # the splits add up to 100 %
    AMOUNT = "amount", _("By amount")  # the splits add up to the line amount
