"""Hooks of the organisation (see :mod:`openprocure.core.hooks`), so it imports none of the apps above."""

from __future__ import annotations

from openprocure.core.hooks import Hook

#: Called when a person may no longer sign in, inside the transaction that stops them, with keyword
#: arguments ``person`` (the user) and ``actor`` (who stopped them). Each callable returns how many
#: of the person's open tasks it handed to someone else.
person_left = Hook()
