from django.urls import path

from openprocure.buyer.suppliers import views

app_name = "suppliers"

urlpatterns = [
    path("", views.supplier_list, name="list"),
    path("new/", views.supplier_create, name="create"),
    path("<int:pk>/", views.supplier_detail, name="detail"),
    path("<int:supplier_pk>/connections/new/", views.connection_edit, name="connection_create"),
    path("<int:supplier_pk>/connections/<int:pk>/", views.connection_edit, name="connection_edit"),
    path("connections/<int:pk>/test/", views.connection_test, name="connection_test"),
    path("connections/<int:pk>/conformance/", views.connection_conformance, name="connection_conformance"),
    path("conformance/<int:pk>/", views.conformance_run, name="conformance_run"),
    path(
        "conformance/<int:pk>/report.json", views.conformance_report, {"fmt": "json"}, name="conformance_json"
    ),
    path(
        "conformance/<int:pk>/junit.xml", views.conformance_report, {"fmt": "junit"}, name="conformance_junit"
    ),
    path("connections/<int:pk>/identities/", views.document_identities, name="document_identities"),
    path("identities/<int:pk>/delete/", views.document_identity_delete, name="document_identity_delete"),
    path("preferences/<int:pk>/delete/", views.preference_delete, name="preference_delete"),
]
