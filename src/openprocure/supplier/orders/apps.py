from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "openprocure.supplier.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        # The storefront's POST /cxml/ dispatches by message type; we answer OrderRequest.
        from openprocure.supplier.orders.cxml import handle_order_request
        from openprocure.supplier.orders.intake import coded_parse_error
        from openprocure.supplier.storefront.cxml import HANDLERS, PARSE_ERRORS

        HANDLERS["OrderRequest"] = handle_order_request
        PARSE_ERRORS["OrderRequest"] = coded_parse_error

        from openprocure.supplier.business.hooks import shared_secret_replaced
        from openprocure.supplier.orders.documents import send_with_new_secret

        shared_secret_replaced.register(send_with_new_secret)

        from openprocure.supplier.business.hooks import delivery_day_changed
        from openprocure.supplier.orders.services import redate_held_orders

        delivery_day_changed.register(redate_held_orders)

        from openprocure.core import housekeeping
        from openprocure.supplier.orders import tasks
        from openprocure.supplier.orders.choices import CONFORMANCE_TRANSITIONS, ConformanceStatus
        from openprocure.supplier.orders.models import ConformanceRun

        housekeeping.register(
            housekeeping.BackgroundWork(
                model=ConformanceRun,
                table=CONFORMANCE_TRANSITIONS,
                running=ConformanceStatus.RUNNING,
                failed=ConformanceStatus.FAILED,
                started="started_at",
                also=("current",),
                on_failed=lambda run, reason: setattr(run, "current", ""),
                waiting=ConformanceStatus.QUEUED,
                task=tasks.run_conformance_checks,
            )
        )
