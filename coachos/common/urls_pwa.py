"""The installable app's files at the site's root (namespace ``pwa``): see ``common/pwa.py``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import pwa

app_name = "pwa"

urlpatterns: list[URLPattern | URLResolver] = [
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
]
