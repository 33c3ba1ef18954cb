"""Secrets (issue #21): with DEBUG off a web server refuses to start on the development SECRET_KEY or
without one, saying which variable to set; ``check --deploy`` warns about it (coachos.W001)."""

from __future__ import annotations

import secrets
import subprocess
import sys
from typing import Any

import pytest

from coachos.common.secret_key import DEV_SECRET_KEY, check_secret_key, refuse_development_key
from tests.test_security import ROOT, manage, production_env

LOAD_ASGI = "import coachos.asgi"
LOAD_WSGI = "import coachos.wsgi"


def local_env(**extra: str) -> dict[str, str]:
    """Plain http on this machine (PUBLIC_BASE_URL https already demands a key in the settings)."""
    env = production_env(PUBLIC_BASE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS="127.0.0.1", COACHOS_TESTING="0")
    env.pop("SECRET_KEY")
    env.update(extra)
    return env


def start(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("code", [LOAD_ASGI, LOAD_WSGI])
def test_a_server_without_debug_refuses_to_start_without_a_key(code: str) -> None:
    result = start(code, local_env())
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set." in result.stderr
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_a_server_without_debug_refuses_the_development_key() -> None:
    result = start(LOAD_ASGI, local_env(SECRET_KEY=DEV_SECRET_KEY))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is the development key" in result.stderr


def test_a_server_starts_with_a_key_of_its_own_or_with_debug() -> None:
    assert start(LOAD_ASGI, local_env(SECRET_KEY=secrets.token_urlsafe(50))).returncode == 0
    result = start(LOAD_ASGI, local_env(DEBUG="1"))
    assert result.returncode == 0, result.stderr


def test_check_deploy_warns_about_the_development_key() -> None:
    result = manage("check", "--deploy", env=local_env())
    assert "coachos.W001" in result.stdout + result.stderr
    assert "SECRET_KEY is not set" in result.stdout + result.stderr
    # A management command still runs without a key: it can say what is wrong.
    assert result.returncode == 0, result.stderr


def test_the_check_and_the_refusal_in_process(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings.SECRET_KEY = DEV_SECRET_KEY
    assert [m.id for m in check_secret_key()] == ["coachos.W001"]
    settings.DEBUG, settings.TESTING = False, False
    with pytest.raises(Exception, match="SECRET_KEY is not set"):
        refuse_development_key()
    settings.TESTING = True  # the test suite's own servers keep the development key
    refuse_development_key()
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    settings.SECRET_KEY, settings.TESTING = "x" * 60, False
    assert check_secret_key() == []
    refuse_development_key()
