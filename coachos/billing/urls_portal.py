from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views_portal

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_portal.index, name="index"),
    path("buy/<int:plan_id>/", views_portal.buy, name="buy"),
    path("join/<int:membershipplan_id>/", views_portal.join, name="join"),
    path("<int:purchase_id>/receipt.pdf", views_portal.receipt, name="receipt"),
    path("pay/<str:token>/", views_portal.pay, name="pay"),
    path("test-checkout/<str:token>/", views_portal.test_checkout, name="test_checkout"),
]
