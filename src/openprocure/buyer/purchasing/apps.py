from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "openprocure.buyer.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self) -> None:
        from openprocure.buyer.approvals import hooks
        from openprocure.buyer.purchasing.services import (
            DELIVERY_RESULT,
            on_final_approval,
            on_final_approval_many,
            record_delivery,
        )
        from openprocure.core import outbox

        hooks.FINAL_APPROVAL_HOOKS.register(on_final_approval)
        hooks.FINAL_APPROVAL_BATCH_HOOKS.register(on_final_approval_many)
        outbox.result_hook(DELIVERY_RESULT).register(record_delivery)
