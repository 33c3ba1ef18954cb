from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client as DjangoClient

from coachos.accounts.services import api_token_create
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role

from .factories import OrganizationFactory, member

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    smoke_only = (config.getoption("-m") or "").strip() == "smoke"
    if IN_CI and not smoke_only and "postgresql" not in engine:
        raise pytest.UsageError("In CI the suite must run on PostgreSQL (set DATABASE_URL).")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if IN_CI and skipped:
        terminalreporter.write_line(f"CI: {len(skipped)} test(s) skipped; in CI every test must run.", red=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped") and session.exitstatus == 0:
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _fast_and_clean(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Private files (signatures, receipts) go to a temporary folder, never to var/private."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.getbasetemp() / "private"


@pytest.fixture
def org(db: None) -> Organization:
    return OrganizationFactory(name="Northside Strength", slug="northside-test", timezone="America/Chicago")


@pytest.fixture
def other_org(db: None) -> Organization:
    return OrganizationFactory(name="Southside Fitness", slug="southside-test", timezone="Europe/London")


@pytest.fixture
def owner(org: Organization) -> Any:
    return member(org, Role.OWNER, email="owner@example.com", name="Olga Owner")


@pytest.fixture
def web(owner: Any) -> DjangoClient:
    """A browser-like test client logged in as the owner of ``org``."""
    client = DjangoClient()
    client.force_login(owner)
    return client


def login_as(user: Any) -> DjangoClient:
    client = DjangoClient()
    client.force_login(user)
    return client


def bearer(user: Any, organization: Organization) -> dict[str, str]:
    _token, raw = api_token_create(user=user, organization=organization, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
