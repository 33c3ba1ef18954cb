from django.urls import path

from . import views_portal

urlpatterns = [
    path("", views_portal.index, name="index"),
    path("<int:package_id>/", views_portal.detail, name="detail"),
]
