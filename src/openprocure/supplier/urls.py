"""URLs of the supplier storefront."""

from django.contrib import admin
from django.urls import include, path

from openprocure.supplier.api import api
from openprocure.supplier.orders.oagis import StorefrontOAGISEndpoint
from openprocure.supplier.storefront import views
from openprocure.supplier.storefront.cxml import StorefrontCXMLEndpoint

urlpatterns = [
    path("", views.home, name="home"),
    path("cxml/", StorefrontCXMLEndpoint.as_view(), name="cxml"),
    path("oagis/", StorefrontOAGISEndpoint.as_view(), name="oagis"),
    path("admin/", admin.site.urls),
    path("business/", include("openprocure.supplier.business.urls")),
    path("", include("openprocure.supplier.punchout.urls")),
    path("", include("openprocure.supplier.catalog.urls")),
    path("", include("openprocure.supplier.orders.urls")),
    path("", include("openprocure.supplier.fulfilment.urls")),
    path("", include("openprocure.supplier.support.urls")),
    path("api/", api.urls),
    path("", include("openprocure.core.urls")),
]

handler403 = "openprocure.core.errors.permission_denied"
handler404 = "openprocure.core.errors.page_not_found"
handler500 = "openprocure.core.errors.server_error"
