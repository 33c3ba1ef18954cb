"""The installable app (PWA): the web app manifest, the service worker and the offline page.

``/manifest.webmanifest`` and ``/sw.js`` are served from the root so that the service worker's scope
is the whole site (the portal and the back office). The worker precaches the shell — the offline
page, the stylesheets, the scripts and the icons every page loads — under a version computed from
those files' URLs and contents (hashed names in production's static manifest), so a deploy that
changes any of them installs a new worker, which drops the old caches. What the worker does with
requests is in ``templates/pwa/sw.js``; the page side (registering it, the offline banner, refusing
forms while offline, the install prompt, push sign-up) is ``static/coachos/pwa.js``.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME_COLOR = "#007a50"
BACKGROUND_COLOR = "#ffffff"

# What every page loads (base.html) plus the icons: cached when the worker installs.
SHELL_STATIC: tuple[str, ...] = (
    "vendor/pico.min.css",
    "coachos/app.css",
    "comms/notifications.css",
    "vendor/htmx.min.js",
    "coachos/app.js",
    "coachos/pwa.js",
    "coachos/favicon.svg",
    "coachos/icons/icon-192.png",
)
ICONS: tuple[tuple[str, str, str], ...] = (
    ("coachos/icons/icon-192.png", "192x192", "any"),
    ("coachos/icons/icon-512.png", "512x512", "any"),
    ("coachos/icons/maskable-192.png", "192x192", "maskable"),
    ("coachos/icons/maskable-512.png", "512x512", "maskable"),
)
# Pages the worker keeps a copy of, so they open offline (never the API, accounts or admin).
PAGE_PREFIXES: tuple[str, ...] = ("/portal/", "/o/")


def shell_urls() -> list[str]:
    return [reverse("pwa:offline"), *(static(path) for path in SHELL_STATIC)]


def _file_digest(path: str) -> str:
    found = finders.find(path)
    if isinstance(found, list):
        found = found[0] if found else None
    if not found:
        return ""
    return hashlib.sha256(Path(found).read_bytes()).hexdigest()


def _compute_version() -> str:
    digest = hashlib.sha256()
    for url, path in zip(shell_urls()[1:], SHELL_STATIC, strict=True):
        digest.update(url.encode())
        digest.update(_file_digest(path).encode())
    for template in ("pwa/sw.js", "pwa/offline.html"):
        origin = get_template(template).origin.name  # type: ignore[attr-defined]
        digest.update(Path(origin).read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _cached_version() -> str:
    return _compute_version()


def shell_version() -> str:
    """Changes whenever a precached file or the worker itself changes (recomputed each time in DEBUG)."""
    return _compute_version() if settings.DEBUG else _cached_version()


def manifest_data() -> dict[str, Any]:
    return {
        "id": "/",
        "name": "Coach OS",
        "short_name": "Coach OS",
        "description": _("Your sessions, packages and messages with your coach."),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "start_url": "/?source=app",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [{"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
                  for path, sizes, purpose in ICONS],
    }


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    return HttpResponse(json.dumps(manifest_data(), ensure_ascii=False, indent=1),
                        content_type="application/manifest+json")


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    config = {
        "version": shell_version(),
        "shell": shell_urls(),
        "offline": reverse("pwa:offline"),
        "pagePrefixes": list(PAGE_PREFIXES),
        "staticPrefix": settings.STATIC_URL,
        "icon": static("coachos/icons/icon-192.png"),
        "offlineAction": _("You are offline, so this was not sent. Nothing was changed: try again when "
                           "you are back online."),
    }
    body = render_to_string("pwa/sw.js", {"config": json.dumps(config, ensure_ascii=False)})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page it has no copy of while offline (the same for everyone:
    nothing personal, since it is cached for whoever uses the device)."""
    return render(request, "pwa/offline.html", {"theme_color": THEME_COLOR})
