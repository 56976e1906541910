from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "openprocure.buyer.invoicing"
    label = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self) -> None:
        from openprocure.buyer.fulfilment import hooks
        from openprocure.buyer.fulfilment.inbound import HANDLERS
        from openprocure.buyer.invoicing import handlers, services
        from openprocure.buyer.invoicing.platform import (
            receive_from_platform,
            record_platform_status,
            send_through_platform,
        )
        from openprocure.core.lifecycle import status_recorded
        from openprocure.core.platform import hooks as platform_hooks

        HANDLERS.setdefault("InvoiceDetailRequest", handlers.invoice_detail_request)
        hooks.RECEIPTS_CHANGED.register(services.on_receipts_changed)
        hooks.INVOICE_STATE.register(services.po_invoice_state)
        platform_hooks.invoice_received.register(receive_from_platform)
        platform_hooks.status_received.register(record_platform_status)
        status_recorded.register(send_through_platform)
