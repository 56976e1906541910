"""Suppliers the company buys from, and how we reach each one's PunchOut catalog."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.suppliers.choices import (
    ConformanceRunStatus,
    ConnectionProtocol,
    DeploymentMode,
    OrderChannel,
)
from openprocure.core.fields import currency_field
from openprocure.core.models import ConformanceRunRecord
from openprocure.core.status import status_field


class Supplier(models.Model):
    """A company we buy from (an entry of the supplier directory)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    number = models.CharField(_("supplier number"), max_length=32, blank=True)
    duns = models.CharField(_("D-U-N-S number"), max_length=16, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    default_currency = currency_field(default="EUR")
    # The language of what we write to the supplier (the e-mailed purchase order, its PDF).
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of purchase orders e-mailed to this supplier."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


def default_user_attributes() -> list[str]:
    return ["UserEmail", "FirstName", "LastName", "UniqueName"]


class PunchOutConnection(models.Model):
    """How we open one supplier's catalog (cXML or OCI) and where we send its purchase orders.

    The shared secret is encrypted at rest (Fernet, key derived from ``settings.ENCRYPTION_KEY``):
    we must send it, so it cannot be hashed. It is never shown again once entered, nor logged.
    """

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="connections")
    name = models.CharField(_("name"), max_length=100, default="PunchOut")
    protocol = models.CharField(
        _("protocol"), max_length=8, choices=ConnectionProtocol.choices, default=ConnectionProtocol.CXML
    )
    deployment_mode = models.CharField(
        _("deployment mode"), max_length=16, choices=DeploymentMode.choices, default=DeploymentMode.TEST
    )
    setup_url = models.URLField(_("setup URL"), max_length=1000, blank=True)
    order_channel = models.CharField(
        _("order channel"), max_length=8, choices=OrderChannel.choices, default=OrderChannel.CXML
    )
    order_url = models.URLField(_("order URL"), max_length=1000, blank=True)
    order_email = models.EmailField(
        _("order e-mail address"),
        blank=True,
        help_text=_("Where purchase orders go when the order channel is e-mail."),
    )
    from_domain = models.CharField(_("From domain"), max_length=64, default="NetworkId")
    from_identity = models.CharField(_("From identity"), max_length=200, blank=True)
    to_domain = models.CharField(_("To domain"), max_length=64, default="NetworkId")
    to_identity = models.CharField(_("To identity"), max_length=200, blank=True)
    sender_domain = models.CharField(_("Sender domain"), max_length=64, default="NetworkId")
    sender_identity = models.CharField(_("Sender identity"), max_length=200, blank=True)
    shared_secret_encrypted = models.TextField(_("shared secret (encrypted)"), blank=True, editable=False)
    user_attributes = models.JSONField(
        _("user attributes sent"),
        default=default_user_attributes,
        blank=True,
        help_text=_("Extrinsic names sent in the setup request, e.g. UserEmail, FirstName."),
    )
    oci_username = models.CharField(_("OCI user name"), max_length=200, blank=True)
    oci_login_fields = models.JSONField(
        _("OCI login field names"), default=list, blank=True, help_text=_('e.g. ["USERNAME", "PASSWORD"]')
    )
    oci_parameters = models.JSONField(
        _("OCI extra parameters"),
        default=dict,
        blank=True,
        help_text=_(
            "Sent with the call-up; values may use {email}, {first_name}, {last_name}, {unique_name}."
        ),
    )
    oci_field_mapping = models.JSONField(
        _("OCI field mapping"),
        default=dict,
        blank=True,
        help_text=_('Requisition field ← NEW_ITEM field, e.g. {"unspsc": "EXT_CATEGORY_ID"}.'),
    )
    oci_charset = models.CharField(_("OCI charset"), max_length=20, default="iso-8859-1")
    accepts_order_updates = models.BooleanField(_("accepts order updates"), default=False)
    accepts_cancellations = models.BooleanField(_("accepts cancellations"), default=False)
    allows_credit_lines = models.BooleanField(
        _("allows credit lines"),
        default=False,
        help_text=_(
            "Accept cart lines with a zero or negative unit price (a rebate or credit) from this supplier. "
            "Off: such a cart is refused and nothing is created."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_tested_at = models.DateTimeField(_("last tested"), null=True, blank=True)
    last_test_ok = models.BooleanField(_("last test succeeded"), null=True, blank=True)
    # What the supplier's ProfileResponse lists: request name → URL (e.g. "StatusUpdateRequest"),
    # refreshed by "Test connection" and daily; empty until the supplier first answered one.
    supported_transactions = models.JSONField(
        _("transactions the supplier accepts"), default=dict, blank=True
    )
    profile_refreshed_at = models.DateTimeField(_("profile read"), null=True, blank=True)
    # Whether the supplier accepts order lines that did not come from its cart (free-text lines):
    # set from its ProfileResponse when it says so, else True; administrators may change it, and
    # then the profile no longer does (``free_text_set_by_admin``).
    accepts_free_text = models.BooleanField(_("accepts free-text lines"), default=True)
    free_text_set_by_admin = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["supplier__name", "name"]
        verbose_name = _("PunchOut connection")
        verbose_name_plural = _("PunchOut connections")

    def __str__(self) -> str:
        return f"{self.supplier} — {self.name} ({self.get_protocol_display()})"

    @property
    def has_shared_secret(self) -> bool:
        return bool(self.shared_secret_encrypted)

    @property
    def sends_orders(self) -> bool:
        """Whether purchase orders can go out through this connection: an order URL, and OAGIS as the
        order channel or cXML on a cXML connection (an OCI catalog has no cXML order channel)."""
        if not self.order_url:
            return False
        if self.order_channel == OrderChannel.OAGIS:
            return True
        return self.order_channel == OrderChannel.CXML and self.protocol == ConnectionProtocol.CXML

    @property
    def sends_bods(self) -> bool:
        """Whether its purchase orders, changes and cancellations go out as OAGIS BODs."""
        return self.order_channel == OrderChannel.OAGIS

    def cxml_url(self, request_name: str) -> str:
        """Where a cXML request other than an order goes: the URL the supplier's ProfileResponse
        gives for it, else the order URL when orders go there as cXML (an OAGIS or e-mail order
        channel has no cXML URL for it); ``""`` when there is none."""
        listed = (self.supported_transactions or {}).get(request_name) or ""
        if listed:
            return str(listed)
        return self.order_url if self.order_channel == OrderChannel.CXML else ""

    def accepts(self, request_name: str) -> bool:
        """Whether the supplier's last ProfileResponse lists this transaction (False when unknown)."""
        return request_name in (self.supported_transactions or {})


class DocumentIdentity(models.Model):
    """Another identity (credential domain + identity) a supplier signs its documents with, besides
    the connection's own To identity (a business-network ID, a DUNS…): inbound documents whose From or
    Sender carries it are recognised as this connection's. It adds no shop tile."""

    connection = models.ForeignKey(
        PunchOutConnection, on_delete=models.CASCADE, related_name="document_identities"
    )
    domain = models.CharField(_("credential domain"), max_length=64)
    identity = models.CharField(_("identity"), max_length=200, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["connection", "domain", "identity"]
        verbose_name = _("document identity")
        verbose_name_plural = _("document identities")

    def __str__(self) -> str:
        return f"{self.domain}:{self.identity}"


class ConformanceRun(ConformanceRunRecord):
    """One run of the supplier-role conformance checks against a connection: who asked, its progress
    while a worker plays the checks, and the report (``punchout.conformance.Report.to_dict``, secrets
    masked) once it finished. Kept with the connection; running again makes a new run."""

    connection = models.ForeignKey(
        PunchOutConnection, on_delete=models.CASCADE, related_name="conformance_runs"
    )
    status = status_field(ConformanceRunStatus, ConformanceRunStatus.QUEUED)
    send_orders = models.BooleanField(_("test orders sent"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    # The checks so far, written as each starts and ends: [{"code", "title", "outcome", "done"}].
    progress = models.JSONField(_("progress"), default=list, blank=True)
    report = models.JSONField(_("report"), null=True, blank=True)
    passed = models.BooleanField(_("every required check passed"), null=True, blank=True)
    error = models.TextField(_("why the run could not finish"), blank=True)

    class Meta(ConformanceRunRecord.Meta):
        verbose_name = _("conformance run")
        verbose_name_plural = _("conformance runs")

    def __str__(self) -> str:
        return f"{self.connection} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        """Still waiting or running: its page refreshes itself."""
        return self.status in (ConformanceRunStatus.QUEUED, ConformanceRunStatus.RUNNING)

    @property
    def checks_done(self) -> int:
        return sum(1 for check in self.progress or [] if check.get("done"))
