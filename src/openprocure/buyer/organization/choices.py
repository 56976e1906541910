"""Roles and address kinds of the buyer organisation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester")  # shops through PunchOut and raises requisitions
    APPROVER = "approver", _("Approver")  # approves requisitions routed to them
    PROCUREMENT_ADMIN = "procurement_admin", _("Procurement administrator")  # reference data, suppliers
    AP_CLERK = "ap_clerk", _("Accounts-payable clerk")  # invoices and matching exceptions
    TECH_ADMIN = "tech_admin", _("Technical administrator")  # connections, documents, outbox


class AddressKind(models.TextChoices):
    SHIP_TO = "ship_to", _("Ship-to")  # where goods are delivered
    BILL_TO = "bill_to", _("Bill-to")  # where invoices are sent
