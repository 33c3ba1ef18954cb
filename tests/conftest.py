from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client as DjangoClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.database import DirectoryBasedExampleDatabase

from coachos.accounts.services import api_token_create
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role

from .factories import OrganizationFactory, member

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Hypothesis. Locally, failing examples are saved in var/hypothesis/ and replayed first on the next
# run. CI (CI=true): no deadline (a slow shared machine is not a bug), a moderate number of examples,
# every failure printed with its `@reproduce_failure` blob, and one seed for the whole run, printed in
# the header and taken from HYPOTHESIS_SEED when set: `CI=true HYPOTHESIS_SEED=<seed> make test`
# generates the same examples again. Tests with their own @settings(max_examples=...) keep their count.
HYPOTHESIS_DB = DirectoryBasedExampleDatabase(Path(__file__).resolve().parent.parent / "var" / "hypothesis")
hypothesis_settings.register_profile("default", database=HYPOTHESIS_DB)
hypothesis_settings.register_profile(
    "ci", database=HYPOTHESIS_DB, deadline=None, max_examples=60, print_blob=True, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if IN_CI else "default"))


def _hypothesis_seed(config: pytest.Config) -> int | None:
    """The seed of a CI run: --hypothesis-seed, HYPOTHESIS_SEED, or a new one. The environment
    carries it to pytest-xdist's workers, so that every worker uses the seed the header shows."""
    given = config.getoption("hypothesis_seed", None) or os.environ.get("HYPOTHESIS_SEED")
    if given is None and not IN_CI:
        return None
    seed = int(given) if given is not None else random.SystemRandom().randrange(2**32)
    os.environ["HYPOTHESIS_SEED"] = str(seed)
    return seed


@pytest.hookimpl(tryfirst=True)  # before Hypothesis' own plugin reads --hypothesis-seed
def pytest_configure(config: pytest.Config) -> None:
    seed = _hypothesis_seed(config)
    if seed is not None:
        config.option.hypothesis_seed = seed
    engine = settings.DATABASES["default"]["ENGINE"]
    smoke_only = (config.getoption("-m") or "").strip() == "smoke"
    if IN_CI and not smoke_only and "postgresql" not in engine:
        raise pytest.UsageError("In CI the suite must run on PostgreSQL (set DATABASE_URL).")


def pytest_report_header(config: pytest.Config) -> str:
    seed = os.environ.get("HYPOTHESIS_SEED")
    replay = f"; seed {seed} (replay: HYPOTHESIS_SEED={seed})" if seed else ""
    return f"hypothesis: profile {hypothesis_settings.get_current_profile_name()!r}{replay}"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    seed = os.environ.get("HYPOTHESIS_SEED")
    if seed and exitstatus:
        terminalreporter.write_line(f"hypothesis seed of this run: {seed} (replay: HYPOTHESIS_SEED={seed})")
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
