from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "openprocure.supplier.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        # Fail at start-up, not on the first search, when CATALOG_SEARCH_BACKEND is wrong.
        from openprocure.supplier.catalog.search import get_backend_class

        get_backend_class()

        from openprocure.core import housekeeping
        from openprocure.supplier.catalog import tasks
        from openprocure.supplier.catalog.choices import EXPORT_TRANSITIONS, ExportStatus
        from openprocure.supplier.catalog.models import CatalogExport
        from openprocure.supplier.catalog.services import delete_expired_exports

        housekeeping.register(
            housekeeping.BackgroundWork(
                model=CatalogExport,
                table=EXPORT_TRANSITIONS,
                running=ExportStatus.RUNNING,
                failed=ExportStatus.FAILED,
                started="started_at",
                waiting=ExportStatus.QUEUED,
                task=tasks.run_catalog_export,
            )
        )
        housekeeping.chores.register(delete_expired_exports)
