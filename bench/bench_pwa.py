"""The portal's JavaScript budget, Lighthouse-style: the scripts a portal page references on its first
load, gzipped, must stay within 200 KB.

Each portal page is fetched as a signed-in client; every `<script src>` it names is read from the
static files and gzipped (level 9, as WhiteNoise serves it). The service worker (`/sw.js`) is
fetched once, after the first load, so it is shown apart and not counted in the budget.
"""

from __future__ import annotations

import gzip
import re
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client as HttpClient
from django_scopes import scope

from coachos.clients.models import Client
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

BUDGET_KB = 200
SCRIPT = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)
PAGES = ("", "bookings/", "packages/", "notifications/", "notifications/settings/", "chat/", "progress/",
         "journal/", "payments/", "onboarding/", "help/")


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def _script_bytes(src: str) -> bytes:
    path = urlparse(src).path
    if not path.startswith(settings.STATIC_URL):
        raise ValueError(f"a portal page loads a script from outside the static files: {src}")
    found = finders.find(path.removeprefix(settings.STATIC_URL))
    if isinstance(found, list):
        found = found[0] if found else None
    if not found:
        raise FileNotFoundError(src)
    with open(found, "rb") as handle:
        return handle.read()


def first_load_bytes(html: str) -> tuple[int, int]:
    """(scripts, bytes gzipped) of the JavaScript a page's HTML references."""
    sources = list(dict.fromkeys(SCRIPT.findall(html)))
    return len(sources), sum(_gzipped(_script_bytes(src)) for src in sources)


def run() -> list[tuple[str, str]]:
    from coachos.accounts.models import User

    org = Organization.objects.create(name="Bench PWA", slug="bench-pwa", timezone="Europe/London")
    user = User.objects.create_user(email="pwa-client@example.com", password=None, name="Pat Portal")
    Membership.objects.create(organization=org, user=user, role=Role.CLIENT)
    with scope(organization=org):
        Client.objects.create(organization=org, user=user, first_name="Pat", last_name="Portal",
                              email="pwa-client@example.com")
    http = HttpClient(HTTP_HOST="127.0.0.1")
    http.force_login(user)
    figures: list[tuple[str, str]] = []
    worst = 0
    for page in PAGES:
        response = http.get(f"/portal/{org.slug}/{page}")
        if response.status_code != 200:
            continue
        count, total = first_load_bytes(response.content.decode())
        worst = max(worst, total)
        figures.append((f"portal {page.rstrip('/') or 'home'}: {count} scripts, KB gzipped", f"{total / 1024:.1f}"))
    figures.append(("largest portal first load, KB of JavaScript gzipped", f"{worst / 1024:.1f}"))
    figures.append(("budget, KB gzipped", f"<= {BUDGET_KB}"))
    figures.append(("within budget", "yes" if worst <= BUDGET_KB * 1024 else "NO"))
    worker = http.get("/sw.js")
    figures.append(("/sw.js (after the first load, not counted), KB gzipped", f"{_gzipped(worker.content) / 1024:.1f}"))
    return figures
