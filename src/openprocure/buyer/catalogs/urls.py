from django.urls import path

from openprocure.buyer.catalogs import views

app_name = "catalogs"

urlpatterns = [
    path("", views.versions, name="versions"),
    path("<int:pk>/", views.version_detail, name="version"),
    path("<int:pk>/changes/", views.changes, name="changes"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path("<int:pk>/file/", views.download, name="download"),
    path("search/", views.search, name="search"),
    path("search/add/", views.add_item, name="add"),
    path("search/open/", views.open_item, name="open"),
]
