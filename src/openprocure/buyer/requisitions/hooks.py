"""Extension points other apps register into (the approvals engine registers chain creation here).

``on_submitted`` is a list of callables *and* callable itself::

    from openprocure.buyer.requisitions import hooks
    hooks.on_submitted.append(create_approval_chain)   # in an AppConfig.ready()
    hooks.on_submitted(requisition)                     # called by submit_requisition

Callables run inside ``submit_requisition``'s transaction with the requisition row locked and its
status already ``submitted``: one that raises rolls the submission back. With nothing registered
the requisition simply stays ``submitted``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook(list[Callable[[Any], None]]):
    """A list of callables; calling the hook calls each in registration order."""

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        for function in list(self):
            function(*args, **kwargs)

    def register(self, function: Callable[[Any], None]) -> Callable[[Any], None]:
        """Add ``function`` once (usable as a decorator); registering twice has no effect."""
        if function not in self:
            self.append(function)
        return function


#: Called with the requisition right after it moved to ``submitted``.
on_submitted = Hook()


class BatchHook(list[Callable[[Any], dict[int, str]]]):
    """A list of callables taking many requisitions and returning the refused ones ``{pk: reason}``.

    Each callable is given only the requisitions no earlier callable refused, and must write nothing
    for the ones it refuses.
    """

    def __call__(self, requisitions: list[Any], **kwargs: Any) -> dict[int, str]:
        refused: dict[int, str] = {}
        for function in list(self):
            remaining = [r for r in requisitions if r.pk not in refused]
            if not remaining:
                break
            refused.update(function(remaining, **kwargs))
        return refused

    def register(self, function: Callable[[Any], dict[int, str]]) -> Callable[[Any], dict[int, str]]:
        """Add ``function`` once (usable as a decorator); registering twice has no effect."""
        if function not in self:
            self.append(function)
        return function


#: Called by ``submit_many`` with the requisitions of one batch right after they moved to
#: ``submitted`` (lines, splits and requester prefetched); refusals are moved back and reported.
on_submitted_many = BatchHook()
