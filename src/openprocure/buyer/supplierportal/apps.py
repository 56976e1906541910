from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplierPortalConfig(AppConfig):
    name = "openprocure.buyer.supplierportal"
    label = "supplierportal"
    verbose_name = _("Supplier portal")

    def ready(self) -> None:
        from openprocure.buyer.supplierportal import selectors
        from openprocure.core import errors

        errors.refusal_for.register(selectors.refusal)
