"""Production settings serve pages: ``collectstatic`` with DEBUG off, then the main pages.

Tests normally use plain static storage. Production uses WhiteNoise's manifest storage, where a
static file that ``collectstatic`` could not process (a vendored script naming a source map that
was never copied, for instance) turns every HTML page into a 500. So: run ``collectstatic`` the
way production does (a separate process, DEBUG off, not in test mode), then serve each page that
the back office's and the portal's navigation link to from that manifest, with DEBUG off.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client as DjangoClient

from .test_security import manage, production_env

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIRS = [ROOT / "coachos" / "static"]
HASHED_HTMX = re.compile(r"/static/vendor/htmx\.min\.[0-9a-f]{12}\.js")
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href.split("#")[0])


def links_under(html: str, prefix: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return sorted({href for href in parser.hrefs if href.startswith(prefix) and "logout" not in href})


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    var_dir = tmp_path_factory.mktemp("production-var")
    result = manage("collectstatic", "--noinput", "-v", "0", env=production_env(VAR_DIR=str(var_dir)))
    assert result.returncode == 0, result.stdout + result.stderr
    static_root = var_dir / "static"
    assert (static_root / "staticfiles.json").exists(), "collectstatic wrote no manifest"
    return static_root


@pytest.fixture
def production(settings, collected: Path) -> Path:
    settings.DEBUG = False
    settings.STATIC_ROOT = collected
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    settings.WHITENOISE_USE_FINDERS = False
    return collected


def test_every_vendored_file_has_the_source_maps_it_names():
    """The cause of the production 500s: chart.umd.min.js names a map that was not copied."""
    pattern = re.compile(rb"[/][/*]# sourceMappingURL=([^\s*]+)")
    missing = []
    for folder in STATIC_DIRS:
        for path in folder.rglob("*"):
            if path.suffix not in {".js", ".css"}:
                continue
            for name in pattern.findall(path.read_bytes()):
                if not name.startswith(b"data:") and not (path.parent / name.decode()).exists():
                    missing.append(f"{path.relative_to(ROOT)} -> {name.decode()}")
    assert (ROOT / "coachos/static/vendor/chart.umd.min.js").exists(), "run scripts/vendor_assets.py"
    assert not missing, missing


@pytest.mark.django_db
def test_the_main_pages_answer_200_with_production_static_files(production: Path):
    call_command("seed_demo")
    owner, client = DjangoClient(), DjangoClient()
    assert owner.login(username="owner@northside.example", password="coachos-demo")
    assert client.login(username="client@northside.example", password="coachos-demo")

    dashboard = owner.get("/o/northside/")
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert HASHED_HTMX.search(html), "pages must use the manifest's hashed static names"
    backoffice = links_under(html, "/o/northside/")
    portal_home = client.get("/portal/northside/")
    assert portal_home.status_code == 200
    portal = links_under(portal_home.content.decode(), "/portal/northside/")
    assert len(backoffice) >= 10 and len(portal) >= 3, (backoffice, portal)

    failures = []
    for who, browser, paths in (("owner", owner, backoffice), ("client", client, portal),
                                ("visitor", DjangoClient(), ["/", "/accounts/login/", "/accounts/signup/",
                                                             "/book/northside/"])):
        for path in paths:
            response = browser.get(path, follow=True)  # e.g. a finished onboarding leads back home
            if response.status_code != 200:
                failures.append(f"{who} {path}: {response.status_code}")
    assert not failures, failures


def test_a_missing_source_map_breaks_collectstatic(tmp_path: Path):
    """Control: the production storage really refuses a file whose map is missing, so the test
    above would catch the defect coming back."""
    static = tmp_path / "src"
    (static / "vendor").mkdir(parents=True)
    (static / "vendor" / "lib.min.js").write_text("var a=1;\n//# sourceMappingURL=lib.min.js.map\n")
    code = (
        "import django, sys; from django.conf import settings; django.setup();"
        f"settings.STATICFILES_DIRS=[{str(static)!r}]; settings.STATIC_ROOT={str(tmp_path / 'out')!r};"
        "from django.core.management import call_command;"
        "call_command('collectstatic', interactive=False, verbosity=0)"
    )
    import subprocess
    import sys

    env = production_env(VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode != 0
    assert "lib.min.js.map" in result.stderr
