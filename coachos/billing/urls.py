from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("connect/", views.connect, name="connect"),
    path("connect/return/", views.connect_return, name="connect_return"),
    path("list/", views.payment_list, name="list"),
    path("record/", views.manual_payment, name="manual"),
    path("link/", views.payment_link, name="link"),
    path("<int:purchase_id>/", views.purchase_detail, name="purchase"),
    path("<int:purchase_id>/refund/", views.purchase_refund, name="refund"),
    path("<int:purchase_id>/cancel/", views.purchase_cancel, name="cancel"),
    path("<int:purchase_id>/receipt.pdf", views.purchase_receipt, name="receipt"),
    path("memberships/", views.membership_list, name="memberships"),
    path("memberships/plans/<int:membershipplan_id>/toggle/", views.membership_plan_toggle, name="membership_plan_toggle"),
    path("memberships/<int:clientmembership_id>/cancel/", views.membership_cancel, name="membership_cancel"),
    path("memberships/<int:clientmembership_id>/simulate/", views.membership_simulate, name="membership_simulate"),
    path("plan/", views.platform_page, name="platform"),
    path("plan/subscribe/", views.platform_subscribe, name="platform_subscribe"),
    path("plan/test-checkout/<str:token>/", views.platform_test_checkout, name="platform_test_checkout"),
    path("clients/<int:client_id>/section/", views.client_section, name="client_section"),
]
