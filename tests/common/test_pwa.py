"""The installable app's files: the manifest, the service worker, the offline page, the icons."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from coachos.common import pwa
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_the_manifest_is_served_from_the_root_as_a_web_app_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"].startswith("/") and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == pwa.THEME_COLOR
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= purposes


def test_every_icon_in_the_manifest_is_a_png_of_its_stated_size(client):
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
        assert image.format == "PNG"
        assert f"{image.width}x{image.height}" == icon["sizes"]
        if icon["purpose"] == "maskable":
            # Full bleed: a launcher may crop to any shape, so the corners are brand green, not transparent.
            assert image.convert("RGBA").getpixel((1, 1))[3] == 255


def test_the_service_worker_is_javascript_at_the_root_scope_and_precaches_the_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*?\});\n", body).group(1))
    assert config["version"] == pwa.shell_version()
    assert "/offline/" in config["shell"]
    assert config["offline"] == "/offline/"
    for url in config["shell"]:
        fetched = client.get(url)
        assert fetched.status_code == 200, url
    # The worker knows to keep pages of the portal and the back office, and installs/activates/fetches.
    assert config["pagePrefixes"] == ["/portal/", "/o/"]
    for event in ("install", "activate", "fetch", "push", "notificationclick"):
        assert f'addEventListener("{event}"' in body


def test_the_version_changes_when_a_precached_file_changes(monkeypatch, tmp_path: Path):
    before = pwa._compute_version()
    assert pwa._compute_version() == before  # stable while nothing changes
    changed = tmp_path / "app.js"
    changed.write_text("console.log('a new release');")
    real_find = finders.find

    def find(path: str, *args, **kwargs):
        return str(changed) if path == "coachos/app.js" else real_find(path, *args, **kwargs)

    monkeypatch.setattr(pwa.finders, "find", find)
    assert pwa._compute_version() != before


def test_the_offline_page_holds_nothing_personal(org):
    user = member(org, Role.CLIENT, name="Zebulon Quarterfield")
    browser = login_as(user)
    response = browser.get("/offline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are offline" in html and "data-offline-page" in html
    assert "Zebulon" not in html and user.email not in html and org.name not in html
    assert "csrfmiddlewaretoken" not in html


def test_portal_and_back_office_pages_link_the_manifest_and_the_page_script(org, owner, web):
    client_user = member(org, Role.CLIENT)
    for browser, url in ((web, f"/o/{org.slug}/"), (login_as(client_user), f"/portal/{org.slug}/")):
        html = browser.get(url).content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html, url
        assert re.search(r'<script src="/static/coachos/pwa\.js" defer data-sw="/sw\.js"', html), url
        # The words the page script shows come translated from the server.
        assert 'data-refused="You are offline, so this was not sent' in html


def test_the_manifest_and_worker_need_no_login_and_refuse_writes(client):
    assert client.post("/sw.js").status_code == 405
    assert client.post("/manifest.webmanifest").status_code == 405


def test_the_portal_s_first_load_stays_within_the_javascript_budget(org):
    """The Lighthouse-style budget `make bench` prints (bench/bench_pwa.py): ≤ 200 KB gzipped per page."""
    from bench.bench_pwa import BUDGET_KB, first_load_bytes

    user = member(org, Role.CLIENT)
    browser = login_as(user)
    for page in ("", "bookings/", "notifications/settings/"):
        response = browser.get(f"/portal/{org.slug}/{page}")
        assert response.status_code == 200, page
        count, size = first_load_bytes(response.content.decode())
        assert count >= 3  # htmx, app.js, pwa.js at least: the measure is not vacuous
        assert size <= BUDGET_KB * 1024, (page, size)
