"""/o/<org_slug>/notifications/ (namespace ``notifications``): the team's notification centre."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views_notifications as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
    path("<int:notification_id>/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.read, name="read"),
]
