from django.urls import include, path

from openprocure.buyer.fulfilment import views

app_name = "fulfilment"

urlpatterns = [
    path("", views.to_receive, name="to_receive"),
    path("issues/", views.issues, name="issues"),
    path("issues/<int:pk>/resolve/", views.resolve_issue, name="resolve_issue"),
    path(
        "orders/<str:number>/",
        include(
            [
                path("", views.order_detail, name="order"),
                path("receive/", views.receive, name="receive"),
                path("return/", views.return_goods, name="return"),
            ]
        ),
    ),
    path("ship-notices/<int:pk>/receive/", views.receive_ship_notice, name="receive_ship_notice"),
    path("lines/<int:pk>/", views.line_history, name="line_history"),
]
