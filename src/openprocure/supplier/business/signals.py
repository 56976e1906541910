"""Signals of business accounts, for the apps built on them (orders) without importing them here."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that replaced an integration's cXML shared secret, with
# ``integration`` and ``secret`` (the new secret in plain text, which is never stored as such).
shared_secret_replaced = Signal()
