"""Hooks of business accounts (see :mod:`openprocure.core.hooks`), for the apps built on them (orders)."""

from __future__ import annotations

from openprocure.core.hooks import Hook

#: Called inside the transaction that replaced an integration's cXML shared secret, with keyword
#: arguments ``integration`` and ``secret`` (the new secret in plain text, never stored as such).
shared_secret_replaced = Hook()

#: Asked for the integration checklist of a business in Test (``checklist.checklist_for``), with the
#: keyword argument ``integration``; each callable returns a list of ``checklist.ChecklistItem``: what
#: the business's procurement system has sent, as the apps that receive it recorded it.
integration_checklist = Hook()

#: Called inside the transaction that changed an address's consolidated delivery day, with keyword
#: arguments ``address`` (the ``ShippingAddress``, already saved), ``before`` (the previous weekday or
#: None) and ``by`` (the administrator): the orders held for the old day move to the new one.
delivery_day_changed = Hook()
