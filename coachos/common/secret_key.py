"""The secret key outside development: a web server with DEBUG off refuses to start on the
development key or on none (the settings fall back to the development key when SECRET_KEY is unset),
and ``manage.py check --deploy`` warns about it (``coachos.W001``).

The refusal is at the server's start (coachos/asgi.py, coachos/wsgi.py), not in the settings, so that
``check --deploy``, ``migrate`` and ``collectstatic`` still run and say what is wrong. The test suite
(and the servers it starts, with COACHOS_TESTING=1) keeps the development key.
"""

from __future__ import annotations

import os
from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

DEV_SECRET_KEY = "coachos-development-secret-key-not-for-production-use-0123456789"
HOW = ("Set the SECRET_KEY environment variable to a long random value, e.g. the output of "
       "`python -c \"import secrets; print(secrets.token_urlsafe(50))\"`, the same on every web process and "
       "worker (DEBUG=1 runs on the development key, for development only).")


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` may not sign anything in production, or None."""
    if not os.environ.get("SECRET_KEY") and (not key or key == DEV_SECRET_KEY):
        return f"SECRET_KEY is not set. {HOW}"
    if not key or key == DEV_SECRET_KEY:
        return f"SECRET_KEY is the development key, which is public. {HOW}"
    return None


def refuse_development_key() -> None:
    """Called as a web server loads the app: DEBUG off needs a real SECRET_KEY."""
    from django.conf import settings

    if settings.DEBUG or getattr(settings, "TESTING", False):
        return
    problem = secret_key_problem(settings.SECRET_KEY)
    if problem:
        raise ImproperlyConfigured(problem)


def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from django.conf import settings

    problem = secret_key_problem(settings.SECRET_KEY)
    if problem is None:
        return []
    return [checks.Warning(problem, id="coachos.W001")]
