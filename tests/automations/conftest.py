"""Shared fixtures for automation tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

import pytest
from django_scopes import scope

from coachos.automations import services
from coachos.comms import gateways
from coachos.tenancy.models import Organization
from tests.factories import ClientFactory


def local(org: Organization, day: date, hour: int, minute: int = 0) -> datetime:
    """An aware instant at a wall-clock time in the business's zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=org.tzinfo)


@pytest.fixture(autouse=True)
def sms_sent() -> Iterator[list[Any]]:
    gateways.MemorySmsGateway.sent.clear()
    gateways.use_sms_gateway(None)
    yield gateways.MemorySmsGateway.sent
    gateways.MemorySmsGateway.sent.clear()
    gateways.use_sms_gateway(None)


@pytest.fixture
def sms_org(org: Organization) -> Organization:
    Organization.objects.filter(pk=org.pk).update(sms_number="+13125550199")
    org.refresh_from_db()
    return org


@pytest.fixture
def texter(sms_org: Organization) -> Any:
    """A client who agreed to texts and emails."""
    with scope(organization=sms_org):
        return ClientFactory(organization=sms_org, first_name="Tess", last_name="Texter", phone="+13125550142",
                             email="tess@example.com", sms_consent=True, email_consent=True)


def make(org: Organization, actor: Any = None, *, tags: list[Any] | None = None, **data: Any) -> Any:
    """An automation through the service (validated), switched on unless told otherwise."""
    data.setdefault("name", "Test automation")
    data.setdefault("enabled", True)
    data.setdefault("statuses", [])
    data.setdefault("actions", [{"type": "create_todo", "title": "Call {client_name}"}])
    with scope(organization=org):
        return services.automation_create(organization=org, actor=actor, data=data, tags=tags)
