from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BusinessConfig(AppConfig):
    name = "openprocure.supplier.business"
    label = "business"
    verbose_name = _("Business accounts")
