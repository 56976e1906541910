"""Hooks of purchasing (see :mod:`openprocure.core.hooks`): fulfilment registers here, so purchasing
never imports it.

- ``lines_changed``: called with ``purchase_order=`` after the supplier accepted a change of quantities,
  inside that transaction: the receiving side recomputes what each line still expects.
- ``lines_cancelled``: called with ``purchase_order=`` and ``line_numbers=`` (the lines whose open
  quantity is no longer expected), inside the cancelling transaction.
- ``shipping_started``: called with ``purchase_order=``; each callable returns whether goods of the
  order have shipped (an order that has started shipping can no longer change).
"""

from __future__ import annotations

from openprocure.core.hooks import Hook

lines_changed = Hook()
lines_cancelled = Hook()
shipping_started = Hook()
