"""One way for an app to react to another without importing it: a :class:`Hook`.

The lower app declares a hook in its ``hooks`` module and calls it; the apps above register into it
from their ``AppConfig.ready()``::

    # requisitions/hooks.py
    on_submitted = Hook()
    # approvals/apps.py
    hooks.on_submitted.register(start_chain)
    # requisitions/services.py, inside the submitting transaction
    hooks.on_submitted(requisition)

Callables run in registration order, in the caller's transaction: one that raises rolls the caller
back. Work that must wait for the commit (mail, outbox) uses ``transaction.on_commit`` inside the
callable. Django signals are not used for business logic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Hook(list[Callable[..., Any]]):
    """Callables registered by other apps; calling the hook calls each and returns their results."""

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        return [function(*args, **kwargs) for function in list(self)]

    def register(self, function: F) -> F:
        """Add ``function`` once (usable as a decorator); registering twice has no effect."""
        if function not in self:
            self.append(function)
        return function


class BatchHook(Hook):
    """A hook over many objects whose callables return the refused ones as ``{pk: reason}``.

    Each callable is given only the objects no earlier callable refused, and must write nothing for
    the ones it refuses.
    """

    def __call__(self, objects: list[Any], **kwargs: Any) -> dict[int, str]:  # type: ignore[override]  # a batch answers with its refusals
        refused: dict[int, str] = {}
        for function in list(self):
            remaining = [o for o in objects if o.pk not in refused]
            if not remaining:
                break
            refused.update(function(remaining, **kwargs))
        return refused
