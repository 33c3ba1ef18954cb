"""/o/<org_slug>/notifications/ (namespace ``notifications``): the team's notification centre."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views_notifications as views
from . import views_push

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
    path("<int:notification_id>/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.read, name="read"),
    path("push/subscribe/", views_push.subscribe, name="push_subscribe"),
    path("push/unsubscribe/", views_push.unsubscribe, name="push_unsubscribe"),
    path("push/<int:push_subscription_id>/remove/", views_push.remove, name="push_remove"),
]
