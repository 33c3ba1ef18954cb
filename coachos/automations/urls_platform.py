from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views_platform

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_platform.jobs, name="jobs"),
]
