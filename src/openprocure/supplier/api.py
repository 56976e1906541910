"""The storefront's REST API (django-ninja) at ``/api/`` (OpenAPI at ``/api/docs``).

Each app contributes a router; every call authenticates with an API key of one business.
"""

from __future__ import annotations

from ninja import NinjaAPI

from openprocure.supplier.catalog.api import router as catalog_exports_router
from openprocure.supplier.fulfilment.api import charges_router, invoices_router, shipments_router
from openprocure.supplier.orders.api import ApiKeyAuth
from openprocure.supplier.orders.api import router as orders_router

api = NinjaAPI(
    title="OpenProcure Marketplace API",
    version="1",
    auth=ApiKeyAuth(),
    urls_namespace="supplier-api",
)
api.add_router("/orders/", orders_router)
api.add_router("/shipments/", shipments_router)
api.add_router("/invoices/", invoices_router)
api.add_router("/charges/", charges_router)
api.add_router("/catalog-exports/", catalog_exports_router)
