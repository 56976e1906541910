from django.contrib import admin

from openprocure.supplier.orders.models import Order, OrderLine, OrderRequestReceipt, OrderSettings


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = (
        "line_number",
        "supplier_part_id",
        "quantity",
        "accepted_quantity",
        "backordered_quantity",
        "rejected_quantity",
        "shipped_quantity",
        "unit_price",
        "outcome",
        "code",
        "is_current",
    )
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "buyer_order_id", "business", "status", "is_test", "total", "created_at"]
    list_filter = ["status", "is_test"]
    search_fields = ["number", "buyer_order_id", "payload_id", "email"]
    inlines = [OrderLineInline]


@admin.register(OrderRequestReceipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = [
        "payload_id",
        "business",
        "buyer_order_id",
        "request_type",
        "status_code",
        "code",
        "created_at",
    ]
    search_fields = ["payload_id", "buyer_order_id", "email"]


@admin.register(OrderSettings)
class OrderSettingsAdmin(admin.ModelAdmin):
    list_display = ["integration", "buyer_cxml_url", "auto_fulfil_after_minutes"]
    fields = ["integration", "buyer_cxml_url", "auto_fulfil_after_minutes"]
