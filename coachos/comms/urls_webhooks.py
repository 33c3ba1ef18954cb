"""Twilio's webhooks under /webhooks/twilio/ (namespace ``twilio_webhooks``). Paste these addresses
into the Twilio console: see docs/operations.md."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views_webhooks

urlpatterns: list[URLPattern | URLResolver] = [
    path("sms", views_webhooks.sms, name="sms"),
    path("status", views_webhooks.status, name="status"),
]
