from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views_portal

urlpatterns: list[URLPattern | URLResolver] = [
    path("unsubscribe/<str:token>/", views_portal.unsubscribe, name="unsubscribe"),
]
