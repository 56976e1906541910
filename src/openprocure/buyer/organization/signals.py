"""Signals of the organisation other apps listen to (so that the organisation imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent when a person may no longer sign in, inside the transaction that stops them, with keyword
#: arguments ``person`` (the user) and ``actor`` (who stopped them). A receiver returns how many of
#: the person's open tasks it handed to someone else.
person_left = Signal()
