from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PunchOutConfig(AppConfig):
    name = "openprocure.supplier.punchout"
    label = "punchout"
    verbose_name = _("PunchOut sessions")

    def ready(self) -> None:
        # The storefront's POST /cxml/ dispatches by message type; we answer the setup request.
        from openprocure.supplier.business.hooks import integration_checklist
        from openprocure.supplier.punchout.checklist import integration_items
        from openprocure.supplier.punchout.cxml import handle_setup_request
        from openprocure.supplier.storefront.cxml import HANDLERS, JOURNAL_WITH_ANSWER

        HANDLERS["PunchOutSetupRequest"] = handle_setup_request
        # A refused or unanswered setup changes nothing: the request is journaled with its answer.
        JOURNAL_WITH_ANSWER.add("PunchOutSetupRequest")
        # The integration checklist of a business in Test reads what its procurement system sent.
        integration_checklist.register(integration_items)
