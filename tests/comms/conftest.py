"""Shared fixtures for messaging tests. Helpers may add fixtures here (append only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django_scopes import scope

from coachos.comms import gateways
from coachos.tenancy.models import Organization
from tests.factories import ClientFactory


@pytest.fixture(autouse=True)
def sms_sent() -> Iterator[list[gateways.Sms]]:
    """Texts the in-memory gateway 'sent' during the test."""
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
    """A client with a mobile number who agreed to texts and emails."""
    with scope(organization=sms_org):
        return ClientFactory(organization=sms_org, first_name="Tess", last_name="Texter", phone="+13125550142",
                             email="tess@example.com", sms_consent=True, email_consent=True)


@pytest.fixture
def outbox_mail() -> list[Any]:
    mail.outbox.clear()
    return mail.outbox


# --- Twilio webhooks (inbound texts, delivery reports) -----------------------------------------
TWILIO_TOKEN = "test-auth-token-4f1c2a9b7d"
PUBLIC_BASE = "https://coach.example.com"


@pytest.fixture
def twilio(settings: Any) -> Any:
    """Webhooks configured: an auth token and the public address Twilio calls."""
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC_BASE
    return settings


def twilio_post(path: str, params: dict[str, str], *, token: str = TWILIO_TOKEN, url: str | None = None,
                client: Any = None) -> Any:
    """POST as Twilio does: form fields signed with Twilio's own validator over the public URL."""
    from django.test import Client as DjangoClient
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(token).compute_signature(url or PUBLIC_BASE + path, params)
    return (client or DjangoClient()).post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)
