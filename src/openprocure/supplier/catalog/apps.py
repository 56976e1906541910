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
