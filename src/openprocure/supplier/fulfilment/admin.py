from typing import Any

from django.contrib import admin

from openprocure.supplier.fulfilment.models import (
    Charge,
    GoodsReturn,
    Invoice,
    ReturnLine,
    ReturnRequest,
    Shipment,
)


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["shipment_id", "business", "carrier", "tracking_number", "status", "shipped_at"]
    search_fields = ["shipment_id", "tracking_number"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "kind",
        "order",
        "total",
        "currency",
        "sent_electronically",
        "einvoice_format",
        "issued_at",
    ]
    search_fields = ["number"]
    # The e-invoice was issued as it passed the EN 16931 rules: its format is a fact, not a setting.
    readonly_fields = ["einvoice_format"]


@admin.register(Charge)
class ChargeAdmin(admin.ModelAdmin):
    list_display = ["order", "amount", "currency", "payment_method_label", "created_at"]


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    can_delete = False
    readonly_fields = ["order_line", "quantity"]


@admin.register(GoodsReturn)
class GoodsReturnAdmin(admin.ModelAdmin):
    """Returns are recorded on the order's support page (refund and credit memo); here they are read."""

    list_display = ["number", "order", "reason", "recorded_by", "created_at"]
    search_fields = ["number", "order__number", "order__buyer_order_id"]
    readonly_fields = ["business", "order", "number", "reason", "recorded_by", "credit_memo", "created_at"]
    inlines = [ReturnLineInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    """Answered on Fulfilment → Return requests; read here."""

    list_display = ["order", "status", "requested_by", "created_at", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [
        "business",
        "order",
        "requested_by",
        "reason",
        "quantities",
        "status",
        "decided_by",
        "decided_at",
        "decline_reason",
        "goods_return",
        "created_at",
    ]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
