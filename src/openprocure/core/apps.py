from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "openprocure.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Fail at start-up, not at the first delivery, when the outbox's timings could let a lease
        # expire during its delivery (a duplicate) or its secret lookup cannot be imported.
        from openprocure.core.outbox import check_configuration

        check_configuration()
        # Every request to a partner's URL is checked against the allow-list of the settings (read
        # at each request, so a changed setting applies); a malformed entry fails here, at start-up.
        from openprocure.core.trust import partner_policy, trusted_proxies
        from punchout import netguard

        partner_policy()
        trusted_proxies()
        netguard.configure(partner_policy)
        # The e-invoicing platform connector registers its outbox transport (platform://) on import.
        import openprocure.core.platform  # noqa: F401
