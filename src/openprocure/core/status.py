"""One way to change a status: check the move against a transition table, or raise.

Modelled on a table of data (``status -> allowed next statuses``) checked in one place, so an
illegal move is a named error rather than a silent data corruption.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from django.utils.translation import gettext as _


class IllegalTransition(Exception):
    """A status change that the transition table does not allow."""

    def __init__(self, *, obj: Any, current: str, target: str) -> None:
        self.obj = obj
        self.current = current
        self.target = target
        super().__init__(
            _("%(object)s cannot go from “%(current)s” to “%(target)s”.")
            % {"object": obj.__class__.__name__, "current": current, "target": target}
        )


def check_transition(table: Mapping[str, Set[str]], *, obj: Any, current: str, target: str) -> None:
    """Raise :class:`IllegalTransition` unless ``current -> target`` is in ``table``."""
    if target not in table.get(current, set()):
        raise IllegalTransition(obj=obj, current=current, target=target)


def set_status(obj: Any, target: str, *, table: Mapping[str, Set[str]], field: str = "status") -> str:
    """Move ``obj.<field>`` to ``target`` after checking the table; returns the previous status.

    The caller saves the object inside its own transaction (and records the event).
    """
    current = getattr(obj, field)
    check_transition(table, obj=obj, current=current, target=target)
    setattr(obj, field, target)
    return str(current)
