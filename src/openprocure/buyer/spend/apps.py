from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpendConfig(AppConfig):
    name = "openprocure.buyer.spend"
    label = "spend"
    verbose_name = _("Spend visibility")
