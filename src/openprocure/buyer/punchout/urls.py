from django.urls import path

from openprocure.buyer.punchout import views

app_name = "punchout"

urlpatterns = [
    path("shop/", views.shop, name="shop"),
    path("punchout/launch/<int:pk>/", views.launch, name="launch"),
    path("punchout/return/<str:cookie>/", views.cart_return, name="return"),
]
