"""Hooks of the approval workflow (see :mod:`openprocure.core.hooks`).

``FINAL_APPROVAL_HOOKS`` are called, inside the approving transaction, with the requisition and the
approval request that just completed (the purchasing app registers the creation of purchase orders
here, so approvals never imports purchasing).

``FINAL_APPROVAL_BATCH_HOOKS`` are their batch form, called by the batch path (``approvals.bulk``) with
keyword arguments ``requisitions`` (lines, splits and requester prefetched), ``approvals`` (the
completed requests) and ``actor``, once per batch.
"""

from __future__ import annotations

from openprocure.core.hooks import Hook

FINAL_APPROVAL_HOOKS = Hook()

FINAL_APPROVAL_BATCH_HOOKS = Hook()

#: Called by ``start_approval`` with a submitted requisition, before the chain is resolved; each
#: callable returns a sentence when the requisition stays within an envelope already approved (an
#: occurrence of a recurring requisition whose lines and total did not change), else "". One such
#: sentence approves the requisition at once, without steps, and is recorded as the reason.
WITHIN_APPROVED_ENVELOPE = Hook()
