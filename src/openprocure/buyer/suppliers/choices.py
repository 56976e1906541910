"""Choices of supplier connections."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectionProtocol(models.TextChoices):
    CXML = "cxml", _("cXML")  # server-to-server PunchOutSetupRequest, cart as PunchOutOrderMessage
    OCI = "oci", _("SAP OCI")  # browser call-up with HOOK_URL, cart as NEW_ITEM-* form fields


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
