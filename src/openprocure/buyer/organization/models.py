"""The buyer organisation: company, legal entities, addresses, departments, cost centers, GL accounts,
people's profiles and roles, spending limits and restricted categories."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.organization.choices import AddressKind, Role
from openprocure.core.fields import amount_field, currency_field, optional_link
from openprocure.core.reference import validate_country


class Company(models.Model):
    """The company that runs this procurement system (the buyer)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    default_currency = currency_field(_("default currency"), default="EUR")

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class LegalEntity(models.Model):
    """A legally distinct part of the company that signs purchase orders and receives invoices."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="legal_entities")
    name = models.CharField(_("legal name"), max_length=200)
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=64, blank=True)
    currency = currency_field(default="EUR")

    class Meta:
        ordering = ["name"]
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="unique_legal_entity_name")]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    """A postal address of the company: where goods are delivered (ship-to) or invoices sent (bill-to)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="addresses")
    legal_entity = optional_link(LegalEntity, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=16, choices=AddressKind.choices)
    code = models.CharField(_("address code"), max_length=32, help_text=_("Sent as addressID in cXML."))
    name = models.CharField(_("name"), max_length=200)
    deliver_to = models.CharField(_("deliver to"), max_length=200, blank=True)
    street = models.CharField(_("street"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country (ISO code)"), max_length=2, validators=[validate_country])
    is_default = models.BooleanField(_("default of its kind"), default=False)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(fields=["company", "kind", "code"], name="unique_address_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}, {self.city}"


class CodedRecord(models.Model):
    """Reference data of the company known by a code unique within it, shown as "code name"."""

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Department(CodedRecord):
    """An organisational unit people belong to (Operations, Finance…)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="departments")
    parent = optional_link("self", related_name="children")

    class Meta(CodedRecord.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="unique_department_code")]


class CostCenter(CodedRecord):
    """A budget that spend is charged to; its owner is accountable for it (and often approves)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="cost_centers")
    owner = optional_link(settings.AUTH_USER_MODEL, _("owner"), related_name="owned_cost_centers")
    department = optional_link(Department, related_name="cost_centers")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta(CodedRecord.Meta):
        verbose_name = _("cost center")
        verbose_name_plural = _("cost centers")
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="unique_cost_center_code")]


class GLAccount(CodedRecord):
    """A general-ledger account that spend is booked to (e.g. 6100 Office supplies)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="gl_accounts")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta(CodedRecord.Meta):
        verbose_name = _("GL account")
        verbose_name_plural = _("GL accounts")
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="unique_gl_account_code")]


class UserProfile(models.Model):
    """What the procurement system knows about a person: company, manager, department, defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buyer_profile"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="profiles")
    manager = optional_link(settings.AUTH_USER_MODEL, _("manager"), related_name="reports")
    department = optional_link(Department, related_name="members")
    default_cost_center = optional_link(CostCenter)
    default_ship_to = optional_link(Address)
    business_unit = models.CharField(_("business unit"), max_length=100, blank=True)
    employee_id = models.CharField(_("employee ID"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)

    def role_codes(self) -> set[str]:
        """The codes of this person's roles (uses prefetched ``roles`` when present)."""
        return {assignment.role for assignment in self.roles.all()}

    def has_role(self, role: str) -> bool:
        return role in self.role_codes()


class RoleAssignment(models.Model):
    """One role held by one person (a person may hold several)."""

    profile = models.ForeignKey(UserProfile, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        ordering = ["profile", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["profile", "role"], name="unique_role_assignment")]

    def __str__(self) -> str:
        return f"{self.profile}: {self.get_role_display()}"


class SpendingLimit(models.Model):
    """The largest requisition total a person (or everyone holding a role) may approve or spend.

    Exactly one of ``user`` and ``role`` is set; a user's own limit wins over their roles' limits.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="spending_limits")
    user = optional_link(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="spending_limits")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    amount = amount_field(_("amount"))
    currency = currency_field(default="EUR")

    class Meta:
        verbose_name = _("spending limit")
        verbose_name_plural = _("spending limits")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(role="")) | (Q(user__isnull=True) & ~Q(role="")),
                name="spending_limit_user_xor_role",
            ),
        ]

    def __str__(self) -> str:
        who = self.user or self.get_role_display()
        return f"{who}: {self.amount} {self.currency}"

    @property
    def money(self) -> tuple[Decimal, str]:
        return Decimal(self.amount), self.currency


class RestrictedCategory(models.Model):
    """A UNSPSC prefix that only people holding ``role`` may requisition (e.g. 43 IT for IT buyers)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="restricted_categories")
    role = models.CharField(_("role allowed"), max_length=32, choices=Role.choices)
    unspsc_prefix = models.CharField(_("UNSPSC prefix"), max_length=8)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["unspsc_prefix"]
        verbose_name = _("restricted category")
        verbose_name_plural = _("restricted categories")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "role", "unspsc_prefix"], name="unique_restricted_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unspsc_prefix} → {self.get_role_display()}"


class PreferredSupplier(models.Model):
    """A supplier the company prefers, overall or for one UNSPSC category prefix."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="preferred_suppliers")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="preferences")
    unspsc_prefix = models.CharField(_("UNSPSC prefix"), max_length=8, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)

    class Meta:
        ordering = ["unspsc_prefix", "rank"]
        verbose_name = _("preferred supplier")
        verbose_name_plural = _("preferred suppliers")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "supplier", "unspsc_prefix"], name="unique_preferred_supplier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier} ({self.unspsc_prefix or '*'})"
