from django.urls import path

from . import views

urlpatterns = [
    path("", views.plan_list, name="index"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:plan_id>/off-sale/", views.plan_off_sale, name="plan_off_sale"),
    path("<int:plan_id>/on-sale/", views.plan_on_sale, name="plan_on_sale"),
    path("clients/", views.active_packages, name="active"),
]
