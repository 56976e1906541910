"""URLs of the buyer suite."""

from django.contrib import admin
from django.urls import include, path

from openprocure.buyer.api import api
from openprocure.buyer.organization.views import SetPasswordView
from openprocure.buyer.portal import views
from openprocure.buyer.portal.cxml import InboundCXMLEndpoint
from openprocure.buyer.portal.oagis import InboundOAGISEndpoint

urlpatterns = [
    path("", views.home, name="home"),
    path("cxml/", InboundCXMLEndpoint.as_view(), name="cxml"),
    path("oagis/", InboundOAGISEndpoint.as_view(), name="oagis"),
    path("organization/", include("openprocure.buyer.organization.urls")),
    path("suppliers/", include("openprocure.buyer.suppliers.urls")),
    path("", include("openprocure.buyer.punchout.urls")),
    path("requisitions/", include("openprocure.buyer.requisitions.urls")),
    path("approvals/", include("openprocure.buyer.approvals.urls")),
    path("catalogs/", include("openprocure.buyer.catalogs.urls")),
    path("purchasing/", include("openprocure.buyer.purchasing.urls")),
    path("recurring/", include("openprocure.buyer.recurring.urls")),
    path("spend/", include("openprocure.buyer.spend.urls")),
    path("api/", api.urls),
    path("fulfilment/", include("openprocure.buyer.fulfilment.urls")),
    path("invoicing/", include("openprocure.buyer.invoicing.urls")),
    path("supplier-portal/", include("openprocure.buyer.supplierportal.urls")),
    path("admin/", admin.site.urls),
    path("accounts/set-password/<uidb64>/<token>/", SetPasswordView.as_view(), name="set-password"),
    path("", include("openprocure.core.urls")),
]

handler403 = "openprocure.core.errors.permission_denied"
handler404 = "openprocure.core.errors.page_not_found"
handler500 = "openprocure.core.errors.server_error"
