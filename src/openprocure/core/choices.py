"""Choices shared by both sites, and the statuses with their transition tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")  # a partner sent it to us
    OUTBOUND = "out", _("Outbound")  # we sent it to a partner


class Protocol(models.TextChoices):
    CXML = "cxml", _("cXML")
    OCI = "oci", _("OCI")
    OAGIS = "oagis", _("OAGIS")
    PLATFORM = "platform", _("E-invoicing platform")  # invoices and CDAR statuses through a PA


class LanguageSource(models.TextChoices):
    """Who set a person's ``preferred_language``: the person (the site's language switch) or the
    PunchOut request that opened their session. Empty: not set, or set in the admin."""

    PERSON = "person", _("Chosen by the person")
    PUNCHOUT = "punchout", _("From their procurement system")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class AdminEventKind(models.TextChoices):
    CREATED = "created", _("Created")  # an administrator added the record
    CHANGED = "changed", _("Changed")  # an administrator changed it (detail: the fields)
    DELETED = "deleted", _("Deleted")  # an administrator removed it (detail: what it said)
    STOPPED = (
        "stopped",
        _("Stopped: its worker was lost"),
    )  # the housekeeping failed a stuck row (detail: why)
    EXPIRED = "expired", _("File deleted after its retention")  # the housekeeping deleted its file
    # the housekeeping enqueued again the task of a row left waiting (detail: since when)
    REQUEUED = "requeued", _("Queued again: its task was lost")
    LOST = "lost", _("Failed: its task was lost twice")  # …and failed it, still waiting (detail: why)
    TESTED = "tested", _("Connection tested")  # an administrator tested it (detail: outcome, message)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for delivery")  # stored, a worker will pick it up
    DELIVERING = "delivering", _("Being delivered")  # a worker holds the lease right now
    DELIVERED = "delivered", _("Delivered")  # the partner answered with a cXML 2xx
    RETRYING = "retrying", _("Will retry")  # a transient failure; next attempt scheduled
    FAILED = "failed", _("Failed")  # a permanent refusal (cXML 4xx) or attempts exhausted
    CANCELLED = "cancelled", _("Cancelled")  # withdrawn by a person before delivery


OUTBOX_TRANSITIONS: dict[str, set[str]] = {
    OutboxStatus.PENDING: {
        OutboxStatus.DELIVERING,
        OutboxStatus.CANCELLED,
        # a worker whose lease expired still reports the partner's 2xx after a person asked again
        OutboxStatus.DELIVERED,
    },
    OutboxStatus.DELIVERING: {
        OutboxStatus.DELIVERED,
        OutboxStatus.RETRYING,
        OutboxStatus.FAILED,
        OutboxStatus.DELIVERING,  # an expired lease (a worker died) is taken over by another worker
    },
    OutboxStatus.RETRYING: {
        OutboxStatus.DELIVERING,
        OutboxStatus.CANCELLED,
        OutboxStatus.PENDING,  # a person asks for another try now
        OutboxStatus.DELIVERED,  # the late 2xx of a worker whose lease expired
    },
    OutboxStatus.FAILED: {
        OutboxStatus.PENDING,  # a person may retry after fixing the cause
        OutboxStatus.DELIVERED,  # the late 2xx of a worker whose lease expired
    },
    OutboxStatus.DELIVERED: set(),
    OutboxStatus.CANCELLED: set(),
}


class PlatformAdapter(models.TextChoices):
    FOLDER = "folder", _("Folder exchange")  # two directories (often an SFTP mount)
    XP_Z12_013 = "xp_z12_013", _("XP Z12-013 flow API")  # the AFNOR API over HTTPS, OAuth2 client credentials


class PlatformFlowOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Taken")  # the site took the invoice or status
    REFUSED = "refused", _("Refused")  # the site refused it, with the reason (a 213 answered an invoice)
