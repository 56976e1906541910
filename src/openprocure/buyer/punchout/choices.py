"""PunchOut session statuses and their transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionOperation(models.TextChoices):
    CREATE = "create", _("Shop")  # a new cart
    EDIT = "edit", _("Edit")  # change lines returned earlier
    INSPECT = "inspect", _("Inspect")  # look at lines read-only


class SessionStatus(models.TextChoices):
    STARTING = "starting", _("Starting")  # setup request not answered yet
    FAILED = "failed", _("Setup failed")  # the supplier refused or could not be reached
    OPEN = "open", _("Shopping")  # the user's browser is at the supplier
    RETURNED = "returned", _("Cart returned")  # the cart came back and became requisition lines
    CLOSED = "closed", _("Closed")  # inspect session ended, or abandoned


SESSION_TRANSITIONS: dict[str, set[str]] = {
    SessionStatus.STARTING: {SessionStatus.OPEN, SessionStatus.FAILED},
    SessionStatus.OPEN: {SessionStatus.RETURNED, SessionStatus.CLOSED},
    SessionStatus.FAILED: set(),
    SessionStatus.RETURNED: set(),
    SessionStatus.CLOSED: set(),
}
