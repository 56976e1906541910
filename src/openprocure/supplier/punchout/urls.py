"""URLs of PunchOut sessions. The cart pages are used inside ``/po/<key>/`` (see the middleware)."""

from django.urls import include, path

from openprocure.supplier.punchout import views

urlpatterns = [
    path("po/start/<str:token>/", views.start, name="punchout-start"),
    path("welcome/", views.welcome, name="punchout-welcome"),
    path(
        "cart/",
        include(
            [
                path("", views.cart, name="cart"),
                path("add/", views.cart_add, name="cart-add"),
                path("update/", views.cart_update, name="cart-update"),
                path("submit/", views.submit, name="cart-submit"),
                path("cancel/", views.cancel, name="cart-cancel"),
            ]
        ),
    ),
    path("oci/", views.oci_entry, name="punchout-oci"),
]
