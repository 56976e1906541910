from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "openprocure.buyer.suppliers"
    label = "suppliers"
    verbose_name = _("Suppliers")

    def ready(self) -> None:
        from openprocure.buyer.suppliers.choices import CONFORMANCE_RUN_TRANSITIONS, ConformanceRunStatus
        from openprocure.buyer.suppliers.conformance import run_conformance
        from openprocure.buyer.suppliers.models import ConformanceRun
        from openprocure.core import housekeeping

        housekeeping.register(
            housekeeping.BackgroundWork(
                model=ConformanceRun,
                table=CONFORMANCE_RUN_TRANSITIONS,
                running=ConformanceRunStatus.RUNNING,
                failed=ConformanceRunStatus.FAILED,
                started="started_at",
                waiting=ConformanceRunStatus.QUEUED,
                task=run_conformance,
            )
        )
