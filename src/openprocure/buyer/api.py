"""The buyer suite's REST API (django-ninja): OpenAPI description at ``/api/docs``.

Each app contributes a router; every call authenticates with a personal API token.
"""

from __future__ import annotations

from ninja import NinjaAPI

from openprocure.buyer.approvals.api import TokenAuth
from openprocure.buyer.approvals.api import requisitions_router as approvals_requisitions_router
from openprocure.buyer.approvals.api import router as approvals_router
from openprocure.buyer.catalogs.api import router as catalogs_router
from openprocure.buyer.invoicing.api import router as invoicing_router
from openprocure.buyer.purchasing.api import router as purchasing_router

api = NinjaAPI(title="OpenProcure Buyer API", version="1", auth=TokenAuth(), urls_namespace="api")
api.add_router("/requisitions/", approvals_requisitions_router)
api.add_router("/approvals/", approvals_router)
api.add_router("/purchase-orders/", purchasing_router)
api.add_router("/invoices/", invoicing_router)
api.add_router("/catalogs/", catalogs_router)
