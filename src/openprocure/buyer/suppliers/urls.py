from django.urls import include, path

from openprocure.buyer.suppliers import views

app_name = "suppliers"

urlpatterns = [
    path("", views.supplier_list, name="list"),
    path("new/", views.supplier_create, name="create"),
    path("<int:pk>/", views.supplier_detail, name="detail"),
    path("<int:supplier_pk>/connections/new/", views.connection_edit, name="connection_create"),
    path("<int:supplier_pk>/connections/<int:pk>/", views.connection_edit, name="connection_edit"),
    path(
        "connections/<int:pk>/",
        include(
            [
                path("test/", views.connection_test, name="connection_test"),
                path("conformance/", views.connection_conformance, name="connection_conformance"),
                path("identities/", views.document_identities, name="document_identities"),
            ]
        ),
    ),
    path(
        "conformance/<int:pk>/",
        include(
            [
                path("", views.conformance_run, name="conformance_run"),
                path("report.json", views.conformance_report, {"fmt": "json"}, name="conformance_json"),
                path("junit.xml", views.conformance_report, {"fmt": "junit"}, name="conformance_junit"),
            ]
        ),
    ),
    path("identities/<int:pk>/delete/", views.document_identity_delete, name="document_identity_delete"),
    path("preferences/<int:pk>/delete/", views.preference_delete, name="preference_delete"),
]
