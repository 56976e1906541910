from django.urls import include, path

from openprocure.buyer.purchasing import views

app_name = "purchasing"

urlpatterns = [
    path("", views.po_list, name="list"),
    path(
        "<str:number>/",
        include(
            [
                path("", views.po_detail, name="detail"),
                path("print/", views.po_print, name="print"),
                path("pdf/", views.po_pdf, name="pdf"),
                path("cancel/", views.po_cancel, name="cancel"),
                path("change/", views.po_change, name="change"),
                path("resend/", views.po_resend, name="resend"),
                path("portal-link/", views.po_portal_link, name="portal_link"),
                path("close/", views.po_close, name="close"),
                path("reorder/", views.po_reorder, name="reorder"),
            ]
        ),
    ),
]
