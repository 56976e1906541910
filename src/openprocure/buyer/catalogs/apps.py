from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogsConfig(AppConfig):
    name = "openprocure.buyer.catalogs"
    label = "catalogs"
    verbose_name = _("Hosted catalogs")

    def ready(self) -> None:
        from openprocure.buyer.catalogs import tasks
        from openprocure.buyer.catalogs.choices import VERSION_TRANSITIONS, VersionStatus
        from openprocure.buyer.catalogs.models import CatalogVersion
        from openprocure.buyer.catalogs.services import check_stopped
        from openprocure.core import housekeeping

        housekeeping.register(
            housekeeping.BackgroundWork(
                model=CatalogVersion,
                table=VERSION_TRANSITIONS,
                running=VersionStatus.VALIDATING,
                failed=VersionStatus.REJECTED,
                started="started_at",
                reason=None,
                also=("item_count", "problem_count", "checked_at"),
                on_failed=check_stopped,
                waiting=VersionStatus.UPLOADED,
                waiting_since="uploaded_at",
                task=tasks.check_catalog,
            )
        )
