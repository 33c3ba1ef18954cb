"""Redis pointed at a closed port: logins, password resets, pages and bookings still work; /healthz says what is down."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client as DjangoClient
from django.urls import reverse

from coachos.common import cache as fallback_cache
from coachos.tenancy.roles import Role

from ..factories import member

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings: Any) -> Any:
    settings.REDIS_URL = DEAD_REDIS
    settings.CELERY_BROKER_URL = DEAD_REDIS
    settings.CACHES = {
        "default": {"BACKEND": "coachos.common.cache.FallbackCache",
                    "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "fallback", "RETRY_SECONDS": 5}},
        "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS,
                  "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
        "fallback": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fallback"},
        "chat": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chat"},
    }
    fallback_cache.reset()
    yield settings
    fallback_cache.reset()


def test_fallback_cache_serves_from_the_database_cache_while_redis_is_down(redis_down: Any) -> None:
    cache = caches["default"]
    assert cache.add("k", 1, 60) is True
    assert cache.incr("k") == 2
    assert cache.get("k") == 2
    assert caches["fallback"].get("k") == 2  # it went to the fallback
    assert fallback_cache.primary_down("redis")


def test_login_and_password_reset_work(redis_down: Any, org: Any) -> None:
    member(org, Role.OWNER, email="olga@example.com")
    http = DjangoClient()
    response = http.post(reverse("account_login"), {"login": "olga@example.com", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert "_auth_user_id" in http.session
    reset = DjangoClient().post(reverse("account_reset_password"), {"email": "olga@example.com"})
    assert reset.status_code == 302
    assert any("olga@example.com" in m.to for m in mail.outbox)


def test_public_pages_work(redis_down: Any, org: Any) -> None:
    assert DjangoClient().get(reverse("booking:index", kwargs={"org_slug": org.slug})).status_code == 200


def test_healthz_reports_each_dependency_and_503_when_a_required_one_is_down(redis_down: Any, db: None) -> None:
    response = DjangoClient().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"] == {**body["checks"]["redis"], "status": "down", "required": True}
    assert body["checks"]["broker"]["status"] == "down"
    assert "jobs" in body["checks"]
    # An operator may decide that only the database decides (pages work without Redis).
    redis_down.HEALTHZ_REQUIRED = ["database"]
    relaxed = DjangoClient().get("/healthz")
    assert relaxed.status_code == 200 and relaxed.json()["checks"]["redis"]["status"] == "down"


def test_healthz_embedded_default_is_healthy(db: None) -> None:
    response = DjangoClient().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "not configured"
