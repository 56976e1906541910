"""Business accounts: the company, its people and roles, its PunchOut integration and settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.core.choices import Weekday
from openprocure.core.fields import optional_link
from openprocure.core.reference import validate_country
from openprocure.core.status import status_field
from openprocure.supplier.business.choices import (
    CartEncoding,
    IntegrationStatus,
    InvoiceDelivery,
    InvoiceFormat,
    InvoiceGrouping,
    PaymentKind,
    QuantityAction,
    Role,
    StaffRole,
    VerificationStatus,
)


class Business(models.Model):
    """A company that buys from us, registered by its administrator and verified by us."""

    name = models.CharField(_("company name"), max_length=200)
    street = models.CharField(_("street"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166 two-letter code"), validators=[validate_country]
    )
    tax_number = models.CharField(_("VAT, SIREN or SIRET number"), max_length=32)
    email = models.EmailField(_("administrator e-mail"))
    status = models.CharField(
        _("verification"),
        max_length=16,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    reviewed_by = optional_link(settings.AUTH_USER_MODEL)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == VerificationStatus.VERIFIED


class BusinessGroup(models.Model):
    """A group of people in a business (a department or business unit; cXML ``UserBusinessUnit``)."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["business", "name"], name="unique_group_name")]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in one business: their roles, group, and whether the account is PunchOut-only.

    A person belongs to at most one business. A *linked* account was created from an invitation or a
    first PunchOut: it can only shop through the business's procurement system.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    is_administrator = models.BooleanField(_("administrator"), default=False)
    is_punchout_user = models.BooleanField(_("PunchOut user"), default=False)
    is_technical_administrator = models.BooleanField(_("technical administrator"), default=False)
    linked = models.BooleanField(_("PunchOut-only account"), default=False)
    group = models.ForeignKey(BusinessGroup, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        ordering = ["business", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.business}"

    @property
    def roles(self) -> list[str]:
        """The role labels of this person, for display."""
        flags = [
            (self.is_administrator, Role.ADMINISTRATOR),
            (self.is_punchout_user, Role.PUNCHOUT_USER),
            (self.is_technical_administrator, Role.TECHNICAL_ADMINISTRATOR),
        ]
        return [str(role.label) for on, role in flags if on]


class Invitation(models.Model):
    """An invitation e-mailed by an administrator: a one-time link to create a linked account."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.PUNCHOUT_USER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email


class StaffProfile(models.Model):
    """Our own staff's role: an operator (reviews, settings changes) or a support representative."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Integration(models.Model):
    """A business's PunchOut connection: credentials, allowed return URLs, status and order safeguards.

    Created when the administrator adds PunchOut (irreversible). Secrets are stored hashed; the
    shared secret and the OCI password are shown once, when generated.
    """

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="integration")
    status = status_field(IntegrationStatus, IntegrationStatus.TEST, max_length=8)
    buyer_identity = models.CharField(_("buyer identity"), max_length=200)
    buyer_domain = models.CharField(_("buyer credential domain"), max_length=100, default="NetworkId")
    # The domain as compared: cXML peers send NetworkId, NETWORKID, networkid…
    buyer_domain_key = models.CharField(max_length=100, editable=False)
    supplier_identity = models.CharField(_("our identity"), max_length=200)
    shared_secret_hash = models.CharField(max_length=128)
    oci_username = models.CharField(_("OCI username"), max_length=100, unique=True)
    oci_password_hash = models.CharField(max_length=128)
    allowed_return_urls = models.JSONField(
        _("allowed BrowserFormPost / HOOK_URL prefixes"), default=list, blank=True
    )
    cart_encoding = models.CharField(
        _("cart encoding"), max_length=16, choices=CartEncoding.choices, default=CartEncoding.URLENCODED
    )
    # Order safeguards and settings. A new integration starts with these recommended values, shown to
    # the business administrator; only an operator changes them afterwards (each change recorded with
    # who and why). They are this record's values, not site tunables.
    # An order line's unit price may differ from the punched-out cart's by at most this percentage.
    unit_price_tolerance_percent = models.DecimalField(
        _("unit-price tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
    )
    quantity_action = models.CharField(
        _("when a quantity is not available"),
        max_length=16,
        choices=QuantityAction.choices,
        default=QuantityAction.SHIP_AVAILABLE,
    )
    # Largest shipping charge accepted without asking, longest delivery time: no limit when empty.
    max_shipping_price = models.DecimalField(
        _("maximum shipping price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_delivery_days = models.PositiveIntegerField(_("maximum delivery time (days)"), null=True, blank=True)
    # Marketplace sellers' items are accepted unless the business asks for ours only.
    fulfilled_by_us_only = models.BooleanField(_("only items fulfilled by us"), default=False)
    # The buyer may send an OrderRequest type="update" until the order ships.
    allow_order_updates = models.BooleanField(_("allow order updates before shipment"), default=True)
    # One invoice per shipment (the Amazon Business default) or per order.
    invoice_grouping = models.CharField(
        _("invoicing"), max_length=16, choices=InvoiceGrouping.choices, default=InvoiceGrouping.PER_SHIPMENT
    )
    # Invoices sent as cXML InvoiceDetailRequest.
    e_invoicing = models.BooleanField(_("e-invoicing"), default=True)
    # The document each invoice and credit memo is issued as: cXML, or EN 16931 CII, UBL or Factur-X
    # (checked against the EN 16931 rules before it leaves).
    invoice_format = models.CharField(
        _("invoice format"), max_length=8, choices=InvoiceFormat.choices, default=InvoiceFormat.CXML
    )
    # Directly, or through our e-invoicing platform (French reform): then the invoice format must be
    # an EN 16931 one (CII, UBL or Factur-X).
    invoice_delivery = models.CharField(
        _("invoice delivery"), max_length=10, choices=InvoiceDelivery.choices, default=InvoiceDelivery.DIRECT
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)

    class Meta:
        verbose_name = _("PunchOut integration")
        verbose_name_plural = _("PunchOut integrations")
        constraints = [
            models.UniqueConstraint(
                fields=["buyer_domain_key", "buyer_identity"], name="unique_buyer_credential"
            )
        ]

    def __str__(self) -> str:
        return f"{self.business} ({self.get_status_display()})"

    @property
    def is_test(self) -> bool:
        return self.status == IntegrationStatus.TEST

    @property
    def through_platform(self) -> bool:
        """Invoices go to the business through the e-invoicing platform."""
        return self.e_invoicing and self.invoice_delivery == InvoiceDelivery.PLATFORM

    def clean(self) -> None:
        if self.invoice_delivery == InvoiceDelivery.PLATFORM and self.invoice_format == InvoiceFormat.CXML:
            raise ValidationError(
                _(
                    "Invoices go through the e-invoicing platform only as EN 16931 documents: choose the "
                    "CII, UBL or Factur-X invoice format first."
                )
            )


# The settings an operator may change, in display order.
SETTING_FIELDS = [
    "unit_price_tolerance_percent",
    "quantity_action",
    "max_shipping_price",
    "max_delivery_days",
    "fulfilled_by_us_only",
    "allow_order_updates",
    "invoice_grouping",
    "e_invoicing",
    "invoice_format",
    "invoice_delivery",
]


def setting_field(name: str) -> models.Field[Any, Any]:
    """The model field of the integration setting ``name`` (one of ``SETTING_FIELDS``)."""
    field = Integration._meta.get_field(name)
    assert isinstance(field, models.Field)  # the settings are concrete fields, never relations
    return field


class SettingsChange(models.Model):
    """One change to an integration's settings: which, from what to what, by whom and why."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="settings_changes")
    field = models.CharField(_("setting"), max_length=64)
    old_value = models.CharField(_("before"), max_length=200, blank=True)
    new_value = models.CharField(_("after"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("settings change")
        verbose_name_plural = _("settings changes")

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class PaymentMethod(models.Model):
    """How a business pays: a card (brand, last four digits, expiry; never the number) or invoice terms."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="payment_methods")
    kind = models.CharField(_("kind"), max_length=8, choices=PaymentKind.choices)
    card_brand = models.CharField(_("card brand"), max_length=32, blank=True)
    card_last4 = models.CharField(_("last four digits"), max_length=4, blank=True)
    card_expiry = models.CharField(_("expiry (MM/YY)"), max_length=5, blank=True)
    invoice_terms = models.CharField(_("invoice terms"), max_length=100, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["-is_default", "id"]
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")

    def __str__(self) -> str:
        if self.kind == PaymentKind.CARD:
            return f"{self.card_brand} •••• {self.card_last4} ({self.card_expiry})"
        return str(self.invoice_terms)


class ShippingAddress(models.Model):
    """An address of the business where we deliver, with an optional preferred weekly delivery day."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="shipping_addresses")
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    preferred_delivery_day = models.PositiveSmallIntegerField(
        _("preferred delivery day"), choices=Weekday.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("shipping address")
        verbose_name_plural = _("shipping addresses")

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"
