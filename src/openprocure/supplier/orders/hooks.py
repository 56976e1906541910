"""Hooks of orders (see :mod:`openprocure.core.hooks`), for the apps built on them (fulfilment)."""

from __future__ import annotations

from openprocure.core.hooks import Hook

#: Called inside the transaction that applied the buyer's change order closing a partly shipped
#: order short, once nothing is left to ship, with the keyword argument ``order``: what shipped is
#: all the order will ever ship (an order invoiced as a whole is invoiced now).
nothing_left_to_ship = Hook()
