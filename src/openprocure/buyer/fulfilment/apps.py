from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "openprocure.buyer.fulfilment"
    label = "fulfilment"
    verbose_name = _("Fulfilment and receiving")

    def ready(self) -> None:
        from openprocure.buyer.fulfilment import handlers
        from openprocure.buyer.fulfilment.inbound import HANDLERS

        HANDLERS.setdefault("ConfirmationRequest", handlers.confirmation_request)
        HANDLERS.setdefault("ShipNoticeRequest", handlers.ship_notice_request)
        HANDLERS.setdefault("StatusUpdateRequest", handlers.status_update_request)
        HANDLERS.setdefault("ProfileRequest", handlers.profile_request)

        from openprocure.buyer.fulfilment import services
        from openprocure.buyer.purchasing import hooks

        hooks.refresh_lines.register(services.on_lines_changed)
        hooks.refresh_status.register(services.on_status_asked)
        hooks.lines_cancelled.register(services.on_lines_cancelled)
        hooks.shipping_started.register(services.has_shipped)
        hooks.delivered.register(services.on_delivered)

        from openprocure.buyer.fulfilment import oagis
        from openprocure.buyer.purchasing.services import DELIVERY_RESULT
        from openprocure.core import outbox

        # After purchasing's record_delivery (registered first: purchasing is installed before us).
        outbox.result_hook(DELIVERY_RESULT).register(oagis.record_answer)
