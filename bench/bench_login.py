"""Logging in: server time of one email + password login, PBKDF2 (before) against Argon2 (now).

Target: at most 300 ms of server time per login with the project's hashers.
"""

from __future__ import annotations

import statistics
import time

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client as HttpClient
from django.test.utils import override_settings

from coachos.accounts.models import User

LOGINS = 15
PASSWORD = "bench-password-1"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def _user(email: str, hasher: str) -> User:
    user = User.objects.create_user(email=email, password=None, name="Bench")
    user.password = make_password(PASSWORD, hasher=hasher)
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _login_ms(email: str) -> list[float]:
    samples = []
    for _ in range(LOGINS):
        http = HttpClient(HTTP_HOST="127.0.0.1")
        started = time.perf_counter()
        response = http.post("/accounts/login/", {"login": email, "password": PASSWORD})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.status_code
    return sorted(samples)


def run() -> list[tuple[str, str]]:
    figures: list[tuple[str, str]] = []
    # Before: PBKDF2 first (Django's default), a PBKDF2 hash.
    with override_settings(PASSWORD_HASHERS=[PBKDF2]):
        _user("pbkdf2@example.com", "pbkdf2_sha256")
        before = _login_ms("pbkdf2@example.com")
    # Now: the project's hashers (Argon2 first), an Argon2 hash.
    with override_settings(PASSWORD_HASHERS=list(settings.PASSWORD_HASHERS)):
        _user("argon2@example.com", "argon2")
        after = _login_ms("argon2@example.com")
    for label, samples in (("PBKDF2 (before)", before), ("Argon2 (now)", after)):
        figures.append((f"POST /accounts/login/, {label}: median ms", f"{statistics.median(samples):.1f}"))
        figures.append((f"POST /accounts/login/, {label}: max ms", f"{samples[-1]:.1f}"))
    figures.append(("target: median server time per login ms", "<= 300"))
    return figures
