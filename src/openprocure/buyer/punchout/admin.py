from django.contrib import admin

from openprocure.buyer.punchout.models import PunchOutSession


@admin.register(PunchOutSession)
class PunchOutSessionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "connection", "operation", "status", "requisition"]
    list_select_related = ["user", "connection__supplier", "requisition"]
    readonly_fields = ["cookie", "setup_document", "return_document"]
