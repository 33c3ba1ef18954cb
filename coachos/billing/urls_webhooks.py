from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views_webhooks

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_webhooks.stripe_webhook, name="stripe"),
]
