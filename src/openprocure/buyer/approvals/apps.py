from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "openprocure.buyer.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from openprocure.buyer.approvals.flows import on_requisition_submitted, on_requisitions_submitted
        from openprocure.buyer.requisitions import hooks

        hooks.on_submitted.register(on_requisition_submitted)
        hooks.on_submitted_many.register(on_requisitions_submitted)
