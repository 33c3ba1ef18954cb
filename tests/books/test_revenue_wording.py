"""The revenue page's outstanding balances: real plurals (no "package(s)") and amounts as the business
writes them (no "750.00 USD")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import ClientFactory, ClientPackageFactory, PackagePlanFactory

pytestmark = pytest.mark.django_db


def _owed(web: Any, org: Any) -> str:
    page = web.get(f"/o/{org.slug}/books/revenue/").content.decode()
    return page.split("Outstanding balances", 1)[1]


def test_one_package_is_singular(web: Any, org: Any) -> None:
    plan = PackagePlanFactory(organization=org, sessions=10, price_minor=75000)
    ClientPackageFactory(client=ClientFactory(organization=org), plan=plan, total=10, remaining=1)
    text = _owed(web, org)
    assert ("You owe your clients 1 session on 1 active package, worth $75.00 at their plan's price per "
            "session.") in text
    assert "(s)" not in text and "USD" not in text


def test_several_packages_are_plural(web: Any, org: Any) -> None:
    plan = PackagePlanFactory(organization=org, sessions=10, price_minor=75000)
    for remaining in (10, 4):
        ClientPackageFactory(client=ClientFactory(organization=org), plan=plan, total=10, remaining=remaining)
    text = _owed(web, org)
    assert ("You owe your clients 14 sessions on 2 active packages, worth $1,050.00 at their plan's price per "
            "session.") in text
    assert "(s)" not in text and "USD" not in text
