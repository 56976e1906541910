from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PunchOutConfig(AppConfig):
    name = "openprocure.buyer.punchout"
    label = "punchout"
    verbose_name = _("PunchOut sessions")
