"""Requisitions: a request to buy, made of lines from PunchOut carts or free text, with accounting."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.requisitions import cart_warnings, coding, limits
from openprocure.buyer.requisitions.choices import (
    EDITABLE_STATUSES,
    EventKind,
    RequisitionStatus,
    SplitMode,
)
from openprocure.core.audit import AuditEvent
from openprocure.core.fields import amount_field, currency_field, optional_link, price_field, quantity_field
from openprocure.core.models import NewestFirst, NumberedDocument
from openprocure.core.status import status_field
from punchout.amounts import line_amount
from punchout.money import quantize_money


class Requisition(NumberedDocument, NewestFirst):
    """A request by one person to buy something, routed for approval before it becomes an order."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requisitions",
    )
    status = status_field(RequisitionStatus, RequisitionStatus.DRAFT, db_index=True)
    currency = currency_field(default="EUR")
    total_amount = amount_field(_("total"), default=Decimal("0"))
    justification = models.TextField(_("justification"), blank=True)
    need_by = models.DateField(_("need by"), null=True, blank=True)
    ship_to = optional_link("organization.Address", _("ship to"), on_delete=models.PROTECT)
    # The header coding: every line is charged here unless the line has its own accounting.
    cost_center = optional_link("organization.CostCenter", _("cost center"), on_delete=models.PROTECT)
    gl_account = optional_link("organization.GLAccount", _("GL account"), on_delete=models.PROTECT)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        constraints = [
            # The domain maximum (requisitions.limits), so that no stored total can break a page.
            models.CheckConstraint(
                condition=models.Q(total_amount__gte=-limits.MAX_AMOUNT, total_amount__lte=limits.MAX_AMOUNT),
                name="requisition_total_in_range",
                violation_error_message=_("The requisition total can be at most 999999999999.99."),
            ),
        ]

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def warning_texts(self) -> list[str]:
        """The returned carts' warnings, told in the reader's language."""
        return [cart_warnings.text(warning) for warning in self.warnings]

    def lines_digest(self) -> str:
        """A fingerprint of what would be ordered: each line's supplier, part, quantity, unit, price,
        price basis and currency. Kept with each approval round, compared before an order is made."""
        rows = sorted(line.terms() for line in self.lines.all())
        return hashlib.sha256(json.dumps([self.currency, rows]).encode()).hexdigest()

    def compute_total(self) -> Decimal:
        """Sum of the line amounts in Python ``Decimal`` (never in SQL: SQLite sums floats)."""
        total = sum((line.amount for line in self.lines.all()), Decimal("0"))
        return quantize_money(total, self.currency)


class ItemLine(models.Model):
    """What a requisition line and the purchase-order line made from it describe alike: the item as the
    supplier's catalog gives it (SupplierPartAuxiliaryID kept byte for byte), how many, at what unit
    price, and by when it is needed. Each adds its own document, part number, unit and accounting."""

    line_number = models.PositiveIntegerField(_("line"))
    supplier_part_auxiliary_id = models.TextField(_("supplier part auxiliary ID"), blank=True)
    description = models.TextField(_("description"), blank=True)
    quantity = quantity_field()
    unit_price = price_field(_("unit price"))
    unspsc = models.CharField(_("UNSPSC"), max_length=16, blank=True)
    manufacturer_name = models.CharField(_("manufacturer"), max_length=200, blank=True)
    manufacturer_part_id = models.CharField(_("manufacturer part ID"), max_length=200, blank=True)
    need_by = models.DateField(_("need by"), null=True, blank=True)
    extrinsics = models.JSONField(_("extrinsics"), default=dict, blank=True)
    classifications = models.JSONField(_("classifications"), default=list, blank=True)

    class Meta:
        abstract = True


class RequisitionLine(ItemLine):
    """One thing to buy: a PunchOut cart line (supplier IDs kept byte for byte), an item of a hosted
    catalog or a free-text line."""

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    supplier = optional_link(
        "suppliers.Supplier", _("supplier"), on_delete=models.PROTECT, related_name="requisition_lines"
    )
    connection = optional_link("suppliers.PunchOutConnection", related_name="requisition_lines")
    punchout_session = optional_link("punchout.PunchOutSession", related_name="requisition_lines")
    supplier_part_id = models.TextField(_("supplier part ID"), blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=16, default="EA")
    currency = currency_field()
    price_basis_quantity = quantity_field(_("price basis quantity"), default=Decimal("1"))
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    cost_center = optional_link("organization.CostCenter", _("cost center"), on_delete=models.PROTECT)
    gl_account = optional_link("organization.GLAccount", _("GL account"), on_delete=models.PROTECT)
    split_mode = models.CharField(
        _("split"), max_length=16, choices=SplitMode.choices, default=SplitMode.PERCENTAGE
    )
    ship_to = optional_link("organization.Address", _("ship to"), on_delete=models.PROTECT)
    justification = models.TextField(_("justification"), blank=True)
    is_free_text = models.BooleanField(_("free text"), default=False)
    #: Chosen from a supplier's hosted catalog (priced from the catalog version in force), not a cart.
    from_catalog = models.BooleanField(_("from a hosted catalog"), default=False)

    class Meta:
        ordering = ["requisition", "line_number"]
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        constraints = [
            models.UniqueConstraint(fields=["requisition", "line_number"], name="unique_requisition_line"),
            # The domain maxima (requisitions.limits), so that no stored value can break a page.
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0, quantity__lte=limits.MAX_QUANTITY),
                name="requisition_line_quantity_in_range",
                violation_error_message=_("The quantity must be more than 0 and at most 999999999."),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    unit_price__gte=-limits.MAX_UNIT_PRICE, unit_price__lte=limits.MAX_UNIT_PRICE
                ),
                name="requisition_line_unit_price_in_range",
                violation_error_message=_("The unit price can be at most 9999999999."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requisition_id}/{self.line_number} {self.supplier_part_id}"

    def terms(self, *, with_price: bool = True) -> list[str | int | None]:
        """What the line orders, as JSON values: its number, supplier, part, quantity, unit, unit price
        (unless ``with_price`` is false), price basis and currency. The requisition's lines digest
        holds them with the price, a recurring schedule's envelope without it (the price may move)."""
        price = [str(Decimal(self.unit_price).normalize())] if with_price else []
        return [
            self.line_number,
            self.supplier_id,
            self.supplier_part_id,
            self.supplier_part_auxiliary_id,
            str(Decimal(self.quantity).normalize()),
            self.unit_of_measure,
            *price,
            str(Decimal(self.price_basis_quantity).normalize()),
            self.currency,
        ]

    @property
    def amount(self) -> Decimal:
        """quantity × unit price / price basis quantity, rounded to the currency."""
        return line_amount(
            Decimal(self.quantity),
            Decimal(self.unit_price),
            self.currency,
            Decimal(self.price_basis_quantity),
        )


class AccountingSplit(models.Model):
    """A share of one line charged to a cost center and GL account, by percentage or by amount."""

    line = models.ForeignKey(RequisitionLine, on_delete=models.CASCADE, related_name="splits")
    cost_center = models.ForeignKey(
        "organization.CostCenter", verbose_name=_("cost center"), on_delete=models.PROTECT, related_name="+"
    )
    gl_account = optional_link("organization.GLAccount", _("GL account"), on_delete=models.PROTECT)
    percentage = models.DecimalField(_("percentage"), max_digits=7, decimal_places=4, null=True, blank=True)
    amount = amount_field(_("amount"), null=True, blank=True)

    class Meta:
        ordering = ["line", "id"]
        verbose_name = _("accounting split")
        verbose_name_plural = _("accounting splits")

    def __str__(self) -> str:
        share = f"{self.percentage} %" if self.percentage is not None else f"{self.amount}"
        return f"{self.cost_center} {share}"


class RequisitionEvent(AuditEvent):
    """One thing that happened to a requisition: who, when, what, and why."""

    SUBJECT = "requisition"
    KIND_LABELS = dict(EventKind.choices)

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=RequisitionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=RequisitionStatus.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta(AuditEvent.Meta):
        verbose_name = _("requisition event")
        verbose_name_plural = _("requisition events")

    @property
    def coding_notes(self) -> list[str]:
        """The lines whose price or accounting a re-punch changed, told in the reader's language."""
        changes = self.detail.get("coding_changed", []) if isinstance(self.detail, dict) else []
        prices = self.detail.get("price_changed", []) if isinstance(self.detail, dict) else []
        return [coding.price_message(change) for change in prices] + [
            coding.change_message(change) for change in changes
        ]
