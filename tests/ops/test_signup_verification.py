"""A business made at sign-up is unpublished, and sends nothing to clients, until its owner confirms their email."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from coachos.comms import sender
from coachos.comms.models import OutboundMessage
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, member

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")
SIGNUP = {"name": "Ana Rivera", "business_name": "Rivera Strength Lab", "email": "ana@rivera.example",
          "password1": "violet-Kettle-4817", "timezone": "Europe/Madrid", "country": "ES"}


def queue_client_email(organization: Organization) -> OutboundMessage:
    from django.utils import timezone

    with scope(organization=organization):
        client = ClientFactory(organization=organization, email="client@example.com")
        return OutboundMessage.objects.create(organization=organization, channel="email", kind="test", client=client,
                                              to=client.email, subject="Hi", body="Hello",
                                              scheduled_for=timezone.now(), quiet_hours_exempt=True)


def test_unverified_business_is_not_published_and_holds_messages_until_confirmed(db: None) -> None:
    http = DjangoClient()
    assert http.post(reverse("account_signup"), SIGNUP).status_code == 302
    organization = Organization.objects.get()
    assert organization.owner_verified is False
    page = DjangoClient().get(reverse("booking:index", kwargs={"org_slug": organization.slug}))
    assert page.status_code == 404 and "is still setting up" in page.content.decode()
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(1)

    message = queue_client_email(organization)
    mail.outbox.clear()
    assert sender.deliver(message.pk) == OutboundMessage.Status.DEFERRED
    with scopes_disabled():
        message.refresh_from_db()
    assert message.status == OutboundMessage.Status.DEFERRED and message.attempts == 0
    assert mail.outbox == []

    # The owner confirms the sign-up email: the page opens and messages go out.
    assert DjangoClient().post(link).status_code == 302
    assert Organization.objects.get(pk=organization.pk).owner_verified is True
    assert DjangoClient().get(reverse("booking:index", kwargs={"org_slug": organization.slug})).status_code == 200
    with scopes_disabled():
        OutboundMessage.objects.filter(pk=message.pk).update(scheduled_for=message.created_at)
    mail.outbox.clear()
    assert sender.deliver(message.pk) == OutboundMessage.Status.SENT
    assert [m.to for m in mail.outbox] == [["client@example.com"]]


def test_banner_with_resend_for_an_unverified_business(org: Any) -> None:
    owner = member(org, Role.OWNER)
    http = login_as(owner)
    assert "Resend confirmation email" not in http.get(f"/o/{org.slug}/").content.decode()
    Organization.objects.filter(pk=org.pk).update(owner_verified=False)
    html = http.get(f"/o/{org.slug}/").content.decode()
    assert "Confirm your email address to publish your booking page" in html
    assert "Resend confirmation email" in html and reverse("account_email") in html


def test_businesses_made_by_a_signed_in_person_are_published(org: Any) -> None:
    owner = member(org, Role.OWNER)
    login_as(owner).post(reverse("business_new"), {"name": "Second gym", "timezone": "Europe/Paris"})
    assert Organization.objects.get(name="Second gym").owner_verified is True
