from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecurringConfig(AppConfig):
    name = "openprocure.buyer.recurring"
    label = "recurring"
    verbose_name = _("Recurring requisitions")

    def ready(self) -> None:
        from openprocure.buyer.approvals import hooks
        from openprocure.buyer.purchasing import hooks as purchasing_hooks
        from openprocure.buyer.recurring.services import order_extrinsics, within_approved_envelope

        hooks.WITHIN_APPROVED_ENVELOPE.register(within_approved_envelope)
        purchasing_hooks.order_extrinsics.register(order_extrinsics)
