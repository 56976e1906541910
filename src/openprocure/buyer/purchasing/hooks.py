"""Hooks of purchasing (see :mod:`openprocure.core.hooks`): fulfilment registers here, so purchasing
never imports it.

- ``refresh_lines``: called with ``purchase_order=`` after the quantities of its lines changed, inside
  that transaction: the receiving side recomputes what each line still expects and returns its rows
  by line id (each with ``po_line``, ``received_quantity``, ``rejected_quantity``,
  ``open_quantity``).
- ``refresh_status``: called with ``purchase_order=`` and ``actor=`` once the lines are settled: the
  order's progress (received, invoiced…) is recomputed from them.
- ``lines_cancelled``: called with ``purchase_order=`` and ``line_numbers=`` (the lines whose open
  quantity is no longer expected), inside the cancelling transaction.
- ``shipping_started``: called with ``purchase_order=``; each callable returns whether goods of the
  order have shipped (an order that has started shipping can no longer change).
- ``delivered``: called with ``purchase_order=`` and ``since=`` (when the OrderRequest was made) once
  the delivery of its OrderRequest is recorded (the order is Accepted), inside that transaction: what
  the supplier said of the order since it was sent (its confirmation can arrive before the delivery
  is recorded) applies now.
"""

from __future__ import annotations

from openprocure.core.hooks import Hook

refresh_lines = Hook()
refresh_status = Hook()
lines_cancelled = Hook()
shipping_started = Hook()
delivered = Hook()
order_extrinsics = Hook()
