"""Errors and issues reported by the OCI module.

OCI has no status channel (unlike cXML's ``Status`` element): a catalog cannot tell the buyer that a
call-up was wrong, and a buyer cannot answer a cart return. Everything we forgive is therefore kept
as an :class:`OCIIssue` next to the parsed data, and everything we refuse raises :class:`OCIError`
with a message that says what was wrong and what to do next.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OCIIssue:
    """One problem found in a call-up or a cart: a warning (forgiven) or an error (refused).

    ``line`` is the 1-based OCI item index ``n`` of ``NEW_ITEM-…[n]`` exactly as the sender numbered
    it (``None`` for call-up parameters and form-level fields); ``field`` is the OCI field or
    parameter name (``PRICE``, ``HOOK_URL``…) or ``None``.
    """

    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(self.field)
        return f"{', '.join(where)}: {self.message}" if where else self.message


class OCIError(ValueError):
    """What a partner sent (or what we were asked to send) cannot be accepted.

    ``issues`` lists every problem found, so one error can report all the lines of a cart that
    cannot be built at once.
    """

    def __init__(self, message: str, issues: Iterable[OCIIssue] = ()) -> None:
        super().__init__(message)
        self.issues: tuple[OCIIssue, ...] = tuple(issues)

    @classmethod
    def from_issues(cls, summary: str, issues: Iterable[OCIIssue]) -> OCIError:
        """One error whose message lists every issue after ``summary``."""
        found = tuple(issues)
        return cls(f"{summary}: " + "; ".join(str(issue) for issue in found), found)
