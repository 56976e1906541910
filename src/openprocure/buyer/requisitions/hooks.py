"""Hooks of requisitions (see :mod:`openprocure.core.hooks`): the approvals app registers here."""

from __future__ import annotations

from openprocure.core.hooks import BatchHook, Hook

#: Called with the requisition right after it moved to ``submitted``, inside ``submit_requisition``'s
#: transaction with the row locked: one that raises rolls the submission back. With nothing
#: registered the requisition simply stays ``submitted``.
on_submitted = Hook()

#: Called by ``submit_many`` with the requisitions of one batch right after they moved to
#: ``submitted`` (lines, splits and requester prefetched); refusals are moved back and reported.
on_submitted_many = BatchHook()

#: Called with a user; each callable returns a ``Q`` on requisitions that user may also open
#: (besides their own): the approvals app adds those they were asked to approve.
also_visible_to = Hook()
