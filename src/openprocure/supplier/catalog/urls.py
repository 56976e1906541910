"""URLs of the catalog (included at the root of the storefront)."""

from django.urls import include, path

from openprocure.supplier.catalog import views

urlpatterns = [
    path("search/", views.search, name="catalog-search"),
    path("search/suggest/", views.suggest, name="catalog-suggest"),
    path("browse/", views.departments, name="catalog-departments"),
    path("browse/<str:code>/", views.browse, name="catalog-browse"),
    path("product/<str:asin>/", views.product_detail, name="catalog-product"),
    path("product/<str:asin>/image.svg", views.product_image, name="catalog-image"),
    path(
        "catalog-export/",
        include(
            [
                path("", views.catalog_exports, name="catalog-exports"),
                path("<int:business_id>/", views.catalog_export, name="catalog-export"),
                path("file/<int:export_id>/", views.catalog_export_download, name="catalog-export-download"),
            ]
        ),
    ),
]
