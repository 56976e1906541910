from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplierPortalConfig(AppConfig):
    name = "openprocure.buyer.supplierportal"
    label = "supplierportal"
    verbose_name = _("Supplier portal")
