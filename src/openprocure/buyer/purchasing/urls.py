from django.urls import path

from openprocure.buyer.purchasing import views

app_name = "purchasing"

urlpatterns = [
    path("", views.po_list, name="list"),
    path("<str:number>/", views.po_detail, name="detail"),
    path("<str:number>/print/", views.po_print, name="print"),
    path("<str:number>/pdf/", views.po_pdf, name="pdf"),
    path("<str:number>/cancel/", views.po_cancel, name="cancel"),
    path("<str:number>/change/", views.po_change, name="change"),
    path("<str:number>/resend/", views.po_resend, name="resend"),
    path("<str:number>/portal-link/", views.po_portal_link, name="portal_link"),
    path("<str:number>/close/", views.po_close, name="close"),
    path("<str:number>/reorder/", views.po_reorder, name="reorder"),
]
