"""What the "… selected" buttons share: the ticked ids, and one message saying what was done and what was not."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.http import HttpRequest

from openprocure.core.forms import SelectionForm


def selected_ids(request: HttpRequest, field: str) -> list[int]:
    """The ids ticked in checkboxes named ``field`` (anything that is not a number is ignored)."""
    return SelectionForm(request.POST, field=field).ids()


def report_batch(
    request: HttpRequest, done: str, refused_heading: str, refused: Sequence[tuple[str, str]]
) -> None:
    """One message: ``done``, then ``refused_heading`` and each refused item's number and reason.

    A success message when nothing was refused, a warning otherwise.
    """
    text = done
    if refused:
        reasons = "; ".join(f"{number}: {reason}" for number, reason in refused)
        text = f"{done} {refused_heading} {reasons}"
    messages.add_message(request, messages.WARNING if refused else messages.SUCCESS, text)
