from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "openprocure.supplier.fulfilment"
    label = "fulfilment"
    verbose_name = _("Fulfilment")

    def ready(self) -> None:
        from openprocure.supplier.fulfilment.cxml import handle_status_update
        from openprocure.supplier.storefront.cxml import HANDLERS

        HANDLERS["StatusUpdateRequest"] = handle_status_update
