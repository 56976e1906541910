from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "openprocure.supplier.fulfilment"
    label = "fulfilment"
    verbose_name = _("Fulfilment")

    def ready(self) -> None:
        from openprocure.core.lifecycle import status_recorded
        from openprocure.core.platform import hooks as platform_hooks
        from openprocure.supplier.fulfilment.cxml import handle_status_update
        from openprocure.supplier.fulfilment.platform import record_platform_status, send_through_platform
        from openprocure.supplier.storefront.cxml import HANDLERS

        HANDLERS["StatusUpdateRequest"] = handle_status_update
        platform_hooks.status_received.register(record_platform_status)
        status_recorded.register(send_through_platform)

        from openprocure.supplier.fulfilment.services import invoice_when_closed_short
        from openprocure.supplier.orders.hooks import nothing_left_to_ship

        nothing_left_to_ship.register(invoice_when_closed_short)
