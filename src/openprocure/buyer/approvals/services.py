"""Every write of approvals, as the other apps and the pages call it: the workflow one request at a
time (start a round, decide, delegate, reassign, remind, escalate, restart after a change:
:mod:`.workflow`), the same for many requests at once ("Submit selected", "Approve selected":
:mod:`.bulk`), e-mail link and API tokens (:mod:`.tokens`) and the policy editor's writes
(:mod:`.policy_editing`). The e-mails to approvers and requesters (:mod:`.notices`) are sent by the
workflow and the batch path, never called from outside.
"""

from __future__ import annotations

from openprocure.buyer.approvals.bulk import decide_many, resolve_chains, start_approvals
from openprocure.buyer.approvals.policy_editing import save_budget, save_rule, step_initial
from openprocure.buyer.approvals.tokens import (
    create_api_token,
    email_token,
    issue_email_tokens,
    revoke_api_token,
    user_for_api_token,
)
from openprocure.buyer.approvals.workflow import (
    ApprovalError,
    DecisionResult,
    active_delegates,
    approval_mismatch,
    cancel_delegation,
    create_delegation,
    decide,
    decide_by_email,
    exceeds,
    hand_over_open_approvals,
    on_material_change,
    preview_chain,
    reassign,
    remind_and_escalate,
    restart_after_change,
    route,
    start_approval,
)

__all__ = [
    "ApprovalError",
    "DecisionResult",
    "active_delegates",
    "approval_mismatch",
    "cancel_delegation",
    "create_api_token",
    "create_delegation",
    "decide",
    "decide_by_email",
    "decide_many",
    "email_token",
    "exceeds",
    "hand_over_open_approvals",
    "issue_email_tokens",
    "on_material_change",
    "preview_chain",
    "reassign",
    "remind_and_escalate",
    "resolve_chains",
    "restart_after_change",
    "revoke_api_token",
    "route",
    "save_budget",
    "save_rule",
    "start_approval",
    "start_approvals",
    "step_initial",
    "user_for_api_token",
]
