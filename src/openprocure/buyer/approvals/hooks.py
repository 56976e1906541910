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
