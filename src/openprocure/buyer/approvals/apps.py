from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "openprocure.buyer.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from openprocure.buyer.approvals.flows import on_requisition_submitted, on_requisitions_submitted
        from openprocure.buyer.approvals.selectors import approver_of
        from openprocure.buyer.approvals.services import hand_over_open_approvals
        from openprocure.buyer.organization.hooks import person_left
        from openprocure.buyer.requisitions import hooks

        hooks.on_submitted.register(on_requisition_submitted)
        hooks.on_submitted_many.register(on_requisitions_submitted)
        hooks.also_visible_to.register(approver_of)
        person_left.register(hand_over_open_approvals)
