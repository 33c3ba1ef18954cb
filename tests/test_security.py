"""Deployment settings, security headers and CSRF."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.tenancy.models import AuditEntry, Organization
from coachos.tenancy.roles import Role

from .factories import InvitationFactory, member

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_HOST = "coach.example.com"


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COACHOS_", "PYTEST"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        PUBLIC_BASE_URL=f"https://{PUBLIC_HOST}",
        ALLOWED_HOSTS=PUBLIC_HOST,
        DJANGO_SETTINGS_MODULE="coachos.settings",
    )
    env.pop("LOG_FORMAT", None)
    env.pop("SECURE_SSL_REDIRECT", None)
    env.pop("SECURE_HSTS_SECONDS", None)
    if "DATABASE_URL" in os.environ:
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_production_configuration_passes_the_deploy_check():
    env = production_env()
    assert len(env["SECRET_KEY"]) >= 60
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_notices_a_weak_configuration():
    """Control: the check above would fail if the settings were weak (a short key here)."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(SECRET_KEY="short"))
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_https_mode_sends_hsts_and_secure_cookies():
    code = f"""
import json
from django.conf import settings
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory

request = RequestFactory().get("/", secure=True, HTTP_HOST="{PUBLIC_HOST}")
secure = SecurityMiddleware(lambda r: HttpResponse("ok"))(request)
plain = SecurityMiddleware(lambda r: HttpResponse("ok"))(RequestFactory().get("/", HTTP_HOST="{PUBLIC_HOST}"))
print(json.dumps({{
    "hsts_header": secure.headers.get("Strict-Transport-Security"),
    "http_redirect": [plain.status_code, plain.headers.get("Location")],
    "HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "DEBUG": settings.DEBUG,
}}))
"""
    result = manage("shell", "-c", code, env=production_env())
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["DEBUG"] is False
    assert got["HSTS_SECONDS"] >= 31536000
    assert got["hsts_header"] == f"max-age={got['HSTS_SECONDS']}; includeSubDomains"
    assert got["http_redirect"] == [301, f"https://{PUBLIC_HOST}/"]
    assert got["SESSION_COOKIE_SECURE"] is True
    assert got["CSRF_COOKIE_SECURE"] is True
    assert got["SESSION_COOKIE_HTTPONLY"] is True
    assert got["SSL_REDIRECT"] is True


def test_https_without_a_secret_key_refuses_to_start():
    env = production_env()
    env.pop("SECRET_KEY")
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_plain_http_development_sends_no_hsts():
    assert settings.SECURE_HSTS_SECONDS == 0
    assert settings.SESSION_COOKIE_SECURE is False


def _csp(response: Any) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/o/{slug}/", "/o/{slug}/settings/", "/healthz",
                                  "/no-such-page/"])
def test_pages_send_the_security_headers(org: Organization, web: DjangoClient, path: str):
    response = web.get(path.format(slug=org.slug))
    assert response.status_code == (404 if "no-such" in path else 302 if path in ("/", "/accounts/login/") else 200)
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp.get("script-src", [])
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_session_cookie_is_http_only_and_same_site():
    from .factories import UserFactory

    user = UserFactory(email="cookie@example.com")
    browser = DjangoClient()
    response = browser.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    cookie = browser.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(org: Organization, owner: Any):
    browser = DjangoClient(enforce_csrf_checks=True)
    browser.force_login(owner)
    from tests.tenancy.test_settings_and_audit import form_data

    data = form_data(org, name="Hijacked", timezone="UTC")
    response = browser.post(f"/o/{org.slug}/settings/", data)
    assert response.status_code == 403
    org.refresh_from_db()
    assert (org.name, org.timezone) == ("Northside Strength", "America/Chicago")
    with scope(organization=org):
        assert not AuditEntry.objects.exists()

    # Control: the same post with the token from the page goes through.
    page = browser.get(f"/o/{org.slug}/settings/")
    token = page.context["csrf_token"]
    response = browser.post(f"/o/{org.slug}/settings/", {**data, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Hijacked"


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._current = {"method": (attributes.get("method") or "get").lower(),
                             "action": attributes.get("action"), "inputs": set()}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None:
            self._current["inputs"].add(attributes.get("name"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


@pytest.mark.django_db
def test_every_post_form_carries_a_csrf_token(org: Organization, owner: Any, web: DjangoClient):
    member(org, Role.COACH)
    member(org, Role.CLIENT)
    InvitationFactory(organization=org)
    post_forms = 0
    for path in ("/o/{slug}/", "/o/{slug}/settings/", "/o/{slug}/team/", "/o/{slug}/audit/"):
        response = web.get(path.format(slug=org.slug))
        assert response.status_code == 200
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            if form["method"] == "post":
                post_forms += 1
                assert "csrfmiddlewaretoken" in form["inputs"], f"{path}: form to {form['action']} has no token"
    # The team page alone has role, remove, resend, revoke and invite forms.
    assert post_forms >= 6
