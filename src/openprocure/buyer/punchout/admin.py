from django.contrib import admin
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.punchout.models import PunchOutSession
from openprocure.core.admin import masked_text
from openprocure.core.journal import mask_form


@admin.register(PunchOutSession)
class PunchOutSessionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "connection", "operation", "status", "requisition"]
    list_select_related = ["user", "connection__supplier", "requisition"]
    # A held cart is a raw document from the supplier: shown read-only, secrets masked.
    exclude = ["held_fields"]
    readonly_fields = ["cookie", "setup_document", "return_document", "held_cart_masked"]

    @admin.display(description=_("held cart (form fields)"))
    def held_cart_masked(self, session: PunchOutSession) -> SafeString:
        fields = mask_form(dict(session.held_fields or {}))
        return masked_text("\n".join(f"{name}: {value}" for name, value in fields.items()))
