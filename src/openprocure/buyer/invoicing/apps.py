from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "openprocure.buyer.invoicing"
    label = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self) -> None:
        from openprocure.buyer.fulfilment import hooks
        from openprocure.buyer.invoicing import handlers, services
        from openprocure.buyer.portal.cxml import HANDLERS

        HANDLERS.setdefault("InvoiceDetailRequest", handlers.invoice_detail_request)
        if services.on_receipts_changed not in hooks.RECEIPTS_CHANGED:
            hooks.RECEIPTS_CHANGED.append(services.on_receipts_changed)
        if services.po_invoice_state not in hooks.INVOICE_STATE:
            hooks.INVOICE_STATE.append(services.po_invoice_state)
