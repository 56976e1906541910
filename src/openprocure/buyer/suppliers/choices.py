"""Choices of supplier connections."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectionProtocol(models.TextChoices):
    CXML = "cxml", _("cXML")  # server-to-server PunchOutSetupRequest, cart as PunchOutOrderMessage
    OCI = "oci", _("SAP OCI")  # browser call-up with HOOK_URL, cart as NEW_ITEM-* form fields


class OrderChannel(models.TextChoices):
    """How a supplier receives our purchase orders, changes and cancellations."""

    CXML = "cxml", _("cXML OrderRequest")  # posted to the connection's order URL
    OAGIS = (
        "oagis",
        _("OAGIS purchase order BODs"),
    )  # Process/Change/Cancel PurchaseOrder posted to the order URL
    EMAIL = "email", _("E-mail with a supplier portal link")  # a supplier with no integration


class DeploymentMode(models.TextChoices):
    TEST = "test", _("Test")  # integration testing: the supplier records, never fulfils
    PRODUCTION = "production", _("Production")  # real orders


class UserAttribute(models.TextChoices):
    """What we may tell a supplier about the shopper in the setup request (as cXML Extrinsics)."""

    USER_EMAIL = "UserEmail", _("E-mail address")
    UNIQUE_NAME = "UniqueName", _("Unique name (sign-in)")
    FIRST_NAME = "FirstName", _("First name")
    LAST_NAME = "LastName", _("Last name")
    FULL_NAME = "UserFullName", _("Full name")
    COST_CENTER = "CostCenter", _("Default cost center")
    BUSINESS_UNIT = "UserBusinessUnit", _("Business unit")
    DEPARTMENT = "Department", _("Department")
    PHONE = "UserPhoneNumber", _("Phone number")


class ConformanceRunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")  # asked for; a worker will take it
    RUNNING = "running", _("Running")  # a worker is playing the checks against the supplier
    DONE = "done", _("Finished")  # every check ran; the report says which passed
    FAILED = "failed", _("Could not run")  # the run itself broke (no report, or a partial one)


CONFORMANCE_RUN_TRANSITIONS: dict[str, set[str]] = {
    # a worker takes it; a run whose target cannot be built (the secret unreadable) fails at once
    ConformanceRunStatus.QUEUED: {ConformanceRunStatus.RUNNING, ConformanceRunStatus.FAILED},
    ConformanceRunStatus.RUNNING: {ConformanceRunStatus.DONE, ConformanceRunStatus.FAILED},
    # a run is never resumed: running the checks again is a new run
    ConformanceRunStatus.DONE: set(),
    ConformanceRunStatus.FAILED: set(),
}
