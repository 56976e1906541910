from django.contrib import admin

from openprocure.supplier.fulfilment.models import Charge, Invoice, Shipment


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["shipment_id", "business", "carrier", "tracking_number", "status", "shipped_at"]
    search_fields = ["shipment_id", "tracking_number"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "order", "total", "currency", "sent_electronically", "issued_at"]
    search_fields = ["number"]


@admin.register(Charge)
class ChargeAdmin(admin.ModelAdmin):
    list_display = ["order", "amount", "currency", "payment_method_label", "created_at"]
