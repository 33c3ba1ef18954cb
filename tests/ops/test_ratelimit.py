"""Rate limits (coachos/common/ratelimit.py): 429 + Retry-After, problem details on the API, a page elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as DjangoClient
from django.urls import reverse

from coachos.common import ratelimit
from coachos.tenancy.roles import Role

from ..conftest import bearer
from ..factories import member


def test_parse_rate() -> None:
    assert ratelimit.parse_rate("5/10m") == ratelimit.Rate(5, 600)
    assert ratelimit.parse_rate("30/m") == ratelimit.Rate(30, 60)
    assert ratelimit.parse_rate("2/h") == ratelimit.Rate(2, 3600)
    assert ratelimit.parse_rate("") is None
    with pytest.raises(ValueError):
        ratelimit.parse_rate("five a minute")


def test_hit_counts_per_key_and_says_how_long_to_wait(settings: Any) -> None:
    settings.RATE_LIMITS = {"thing": "2/m"}
    assert ratelimit.hit("thing", "a") is None
    assert ratelimit.hit("thing", "a") is None
    wait = ratelimit.hit("thing", "a")
    assert wait is not None and 1 <= wait <= 60
    assert ratelimit.hit("thing", "b") is None  # another key has its own count
    settings.RATE_LIMITS_ENABLED = False
    assert ratelimit.hit("thing", "a") is None


def test_unreachable_cache_lets_requests_through(settings: Any) -> None:
    settings.RATE_LIMITS = {"thing": "1/m"}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2}}}
    assert [ratelimit.hit("thing", "a") for _ in range(3)] == [None, None, None]


def test_public_page_limited_per_address_then_per_business(settings: Any, org: Any) -> None:
    settings.RATE_LIMITS = {"public_ip": "3/m", "public_org": "5/m"}
    page = reverse("booking:index", kwargs={"org_slug": org.slug})
    http = DjangoClient(REMOTE_ADDR="203.0.113.7")
    assert [http.get(page).status_code for _ in range(3)] == [200, 200, 200]
    refused = http.get(page)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.content.decode()
    # Another address still gets in, until the business's own limit (5 a minute from everyone).
    other = DjangoClient(REMOTE_ADDR="203.0.113.8")
    assert [other.get(page).status_code for _ in range(2)] == [200, 200]
    assert DjangoClient(REMOTE_ADDR="203.0.113.9").get(page).status_code == 429


def test_api_limited_per_token_with_problem_details(settings: Any, org: Any) -> None:
    settings.RATE_LIMITS = {"api_token": "2/m"}
    owner = member(org, Role.OWNER)
    http = DjangoClient(**bearer(owner, org))
    assert [http.get("/api/v1/me").status_code for _ in range(2)] == [200, 200]
    refused = http.get("/api/v1/me")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429 and refused.json()["type"].endswith("/rate-limited")
    assert int(refused["Retry-After"]) >= 1
    # Another token of the same person has its own budget.
    assert DjangoClient(**bearer(owner, org)).get("/api/v1/me").status_code == 200


def test_token_guessing_is_refused_per_address(settings: Any, org: Any) -> None:
    settings.RATE_LIMITS = {"api_bad_token": "3/10m"}
    owner = member(org, Role.OWNER)
    guesser = DjangoClient(REMOTE_ADDR="198.51.100.4")
    statuses = [guesser.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer guess{n}").status_code for n in range(3)]
    assert statuses == [401, 401, 401]
    # Now even a real token from that address is refused before it is looked up ...
    refused = guesser.get("/api/v1/me", **bearer(owner, org))
    assert refused.status_code == 429 and "Retry-After" in refused
    # ... while the same token from elsewhere works.
    assert DjangoClient(REMOTE_ADDR="198.51.100.5").get("/api/v1/me", **bearer(owner, org)).status_code == 200


def test_new_businesses_per_user_are_limited(settings: Any, org: Any) -> None:
    settings.RATE_LIMITS = {"business_new": "2/h"}
    owner = member(org, Role.OWNER)
    http = DjangoClient()
    http.force_login(owner)
    made = [http.post(reverse("business_new"), {"name": f"Gym {n}", "timezone": "Europe/Paris"}).status_code
            for n in range(3)]
    assert made == [302, 302, 429]


def test_signups_are_limited_per_address(settings: Any, db: None) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    http = DjangoClient(REMOTE_ADDR="192.0.2.10")
    statuses = []
    for n in range(3):
        statuses.append(http.post(reverse("account_signup"), {
            "email": f"new{n}@example.com", "password1": "a-long-Passphrase-9", "name": f"New {n}",
            "business_name": f"Gym {n}", "country": "US", "timezone": "America/Chicago",
        }).status_code)
    assert statuses[:2] != [429, 429] and statuses[2] == 429
