"""The one base of the refusals that services of both sites raise for a person to read.

A service that refuses a step (a change the rules do not allow, a file it cannot read, a setting
missing) raises a subclass of :class:`ServiceError` whose ``message`` says what was wrong and, where
it can, what to do next; views show it beside the form or as a message, APIs as the detail of the
answer. The error pages of the sites are in :mod:`openprocure.core.errors`.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A step a service refuses; ``message`` is meant for a person (what was wrong, what to do next)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
