"""What approvers and requesters are told by e-mail, once the transaction commits, in their language.

One request at a time (:func:`notify_approver`, :func:`notify_requester`): the approver's e-mail
carries single-use approve and reject links; a batch (:func:`notify_approvers`,
:func:`notify_requesters`) sends one message per person listing every requisition of the batch.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openprocure.buyer.approvals.choices import Decision
from openprocure.buyer.approvals.models import ApprovalAssignment, ApprovalRequest
from openprocure.buyer.approvals.tokens import issue_email_tokens, issue_email_tokens_many
from openprocure.core import mail
from openprocure.core.formatting import format_money
from openprocure.core.models import User


def notify_approver(assignment: ApprovalAssignment, *, reminder: bool = False) -> None:
    """E-mail the approver with the inbox link and single-use approve/reject links (after commit)."""
    approve, reject = issue_email_tokens(assignment, [Decision.APPROVE, Decision.REJECT])
    assignment_id = assignment.pk

    def _send() -> None:
        row = ApprovalAssignment.objects.select_related(
            "approver", "step__request__requisition", "on_behalf_of"
        ).get(pk=assignment_id)
        base = settings.PUBLIC_URL
        with translation.override(row.approver.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "assignment": row,
                "requisition": row.step.request.requisition,
                "lines": list(row.step.request.requisition.lines.order_by("line_number")),
                "request": row.step.request,
                "reminder": reminder,
                "approve_url": base + reverse("approvals:email_action", args=[approve]),
                "reject_url": base + reverse("approvals:email_action", args=[reject]),
                "detail_url": base + reverse("approvals:detail", args=[row.pk]),
            }
            subject = (
                _("Reminder: approval needed for %(number)s")
                if reminder
                else _("Approval needed for %(number)s")
            ) % {"number": row.step.request.requisition.number}
            body = render_to_string("approvals/email_request.txt", context)
        mail.deliver(subject, body, [row.approver.email])

    transaction.on_commit(_send, robust=True)


def notify_requester(request: ApprovalRequest, outcome: str, comment: str) -> None:
    """E-mail the requester that their round was approved, rejected or returned (after commit)."""
    request_id = request.pk

    def _send() -> None:
        row = ApprovalRequest.objects.select_related("requester", "requisition").get(pk=request_id)
        with translation.override(row.requester.preferred_language or settings.LANGUAGE_CODE):
            labels = {"approved": _("approved"), "rejected": _("rejected"), "returned": _("returned to you")}
            subject = _("Requisition %(number)s was %(outcome)s") % {
                "number": row.requisition.number,
                "outcome": labels[outcome],
            }
            body = render_to_string(
                "approvals/email_outcome.txt",
                {
                    "request": row,
                    "requisition": row.requisition,
                    "outcome": labels[outcome],
                    "comment": comment,
                },
            )
        mail.deliver(subject, body, [row.requester.email])

    transaction.on_commit(_send, robust=True)


# -- one message per person for a whole batch -----------------------------------------------------
def notify_approvers(assignment_ids: list[int]) -> None:
    """After commit, e-mail each approver once, listing the requisitions now waiting for them."""

    def _send() -> None:
        rows = list(
            ApprovalAssignment.objects.filter(pk__in=assignment_ids)
            .order_by("approver_id", "id")
            .values_list(
                "pk",
                "approver_id",
                "on_behalf_of_id",
                "step__request__requester_id",
                "step__request__requisition__number",
                "step__request__requisition__title",
                "step__request__amount",
                "step__request__currency",
            )
        )
        people = User.objects.in_bulk({pk for row in rows for pk in row[1:4] if pk})
        links = issue_email_tokens_many([row[0] for row in rows], [Decision.APPROVE, Decision.REJECT])
        by_approver: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in rows:
            by_approver[row[1]].append(row)
        base = settings.PUBLIC_URL
        for approver_id, waiting in by_approver.items():
            approver = people[approver_id]
            with translation.override(approver.preferred_language or settings.LANGUAGE_CODE):
                # Formatted here rather than in the template: a batch lists hundreds of requisitions.
                review = _("Review it:")
                approve = _("Approve now (single use):")
                reject = _("Reject (single use, you will be asked why):")
                items = [
                    {
                        "line": _("%(number)s %(title)s — requested by %(requester)s, %(amount)s")
                        % {
                            "number": number,
                            "title": title,
                            "requester": people[requester],
                            "amount": format_money(amount, currency),
                        },
                        "on_behalf_of": _("You decide on behalf of %(person)s, who is away.")
                        % {"person": people[on_behalf_of]}
                        if on_behalf_of
                        else "",
                        "link": f"{review} {base}{reverse('approvals:detail', args=[pk])}",
                        "approve": f"{approve} {base}{reverse('approvals:email_action', args=[links[pk][0]])}",
                        "reject": f"{reject} {base}{reverse('approvals:email_action', args=[links[pk][1]])}",
                    }
                    for pk, _approver, on_behalf_of, requester, number, title, amount, currency in waiting
                ]
                subject = ngettext(
                    "%(count)d requisition needs your approval",
                    "%(count)d requisitions need your approval",
                    len(items),
                ) % {"count": len(items)}
                body = render_to_string(
                    "approvals/email_batch_request.txt",
                    {"items": items, "inbox_url": base + reverse("approvals:inbox")},
                )
            mail.deliver(subject, body, [approver.email])

    transaction.on_commit(_send, robust=True)


def notify_requesters(request_ids: list[int]) -> None:
    """After commit, e-mail each requester once, listing their requisitions that were approved."""

    def _send() -> None:
        rows = ApprovalRequest.objects.select_related("requester", "requisition").filter(pk__in=request_ids)
        by_requester: dict[int, list[ApprovalRequest]] = defaultdict(list)
        for row in rows.order_by("requester_id", "id"):
            by_requester[row.requester_id].append(row)
        for approved in by_requester.values():
            requester = approved[0].requester
            with translation.override(requester.preferred_language or settings.LANGUAGE_CODE):
                subject = ngettext(
                    "%(count)d requisition was approved",
                    "%(count)d requisitions were approved",
                    len(approved),
                ) % {"count": len(approved)}
                body = render_to_string("approvals/email_batch_outcome.txt", {"requests": approved})
            mail.deliver(subject, body, [requester.email])

    transaction.on_commit(_send, robust=True)
