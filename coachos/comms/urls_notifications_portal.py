"""/portal/<org_slug>/notifications/ (namespace ``portal_notifications``): a client's notifications."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views_notifications as views
from . import views_push

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.portal_index, name="index"),
    path("bell/", views.portal_bell, name="bell"),
    path("read-all/", views.portal_read_all, name="read_all"),
    path("settings/", views.portal_preferences, name="preferences"),
    path("<int:notification_id>/", views.portal_open, name="open"),
    path("<int:notification_id>/read/", views.portal_read, name="read"),
    path("push/subscribe/", views_push.portal_subscribe, name="push_subscribe"),
    path("push/unsubscribe/", views_push.portal_unsubscribe, name="push_unsubscribe"),
    path("push/<int:push_subscription_id>/remove/", views_push.portal_remove, name="push_remove"),
]
