"""Hooks of business accounts (see :mod:`openprocure.core.hooks`), for the apps built on them (orders)."""

from __future__ import annotations

from openprocure.core.hooks import Hook

#: Called inside the transaction that replaced an integration's cXML shared secret, with keyword
#: arguments ``integration`` and ``secret`` (the new secret in plain text, never stored as such).
shared_secret_replaced = Hook()
