"""Statuses of PunchOut sessions, with their transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the browser")  # setup answered; start URL not used yet
    OPEN = "open", _("Shopping")  # the browser arrived through the start URL
    RETURNED = "returned", _("Cart returned")  # the cart went back to the buyer's system
    CANCELLED = "cancelled", _("Cancelled")  # the person cancelled and returned
    SUPERSEDED = "superseded", _("Replaced by a newer session")  # a later PunchOut took over
    EXPIRED = "expired", _("Expired")  # the start URL was not used in time


SESSION_TRANSITIONS: dict[str, set[str]] = {
    SessionStatus.PENDING: {SessionStatus.OPEN, SessionStatus.EXPIRED, SessionStatus.SUPERSEDED},
    SessionStatus.OPEN: {SessionStatus.RETURNED, SessionStatus.CANCELLED, SessionStatus.SUPERSEDED},
    SessionStatus.RETURNED: set(),
    SessionStatus.CANCELLED: set(),
    SessionStatus.SUPERSEDED: set(),
    SessionStatus.EXPIRED: set(),
}


class SessionProtocol(models.TextChoices):
    CXML = "cxml", _("cXML")  # PunchOutSetupRequest, cart back as PunchOutOrderMessage
    OCI = "oci", _("SAP OCI")  # call-up, cart back as NEW_ITEM-* fields


class Operation(models.TextChoices):
    CREATE = "create", _("New cart")  # shop from an empty cart
    EDIT = "edit", _("Edit a cart")  # change a cart returned earlier
    INSPECT = "inspect", _("Look at a cart")  # read-only
