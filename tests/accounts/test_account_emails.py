"""The verification and password-reset emails name the business the person signed up for or was invited
to — or Coach OS — never the host name or "example.com" (allauth's default wording uses the site's)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from django.core import mail
from django.test import Client as DjangoClient
from django.utils import translation

from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, member

pytestmark = pytest.mark.django_db

HOSTS = ("testserver", "example.com", "127.0.0.1", "localhost")


def sent() -> Any:
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def words_of(message: Any) -> str:
    """Subject and text without the links (a link names the host, as it must)."""
    return re.sub(r"https?://\S+", "<link>", f"{message.subject}\n{message.body}")


def assert_no_host(message: Any) -> None:
    text = words_of(message)
    assert not [host for host in HOSTS if host in text], text


def reset(email: str) -> Any:
    mail.outbox.clear()
    assert DjangoClient().post("/accounts/password/reset/", {"email": email}).status_code == 302
    return sent()


def test_the_verification_email_of_a_coach_who_signs_up_names_their_business() -> None:
    response = DjangoClient().post("/accounts/signup/", {
        "name": "Ana Rivera", "business_name": "Rivera Strength Lab", "email": "ana@rivera.example",
        "password1": "violet-Kettle-4817", "timezone": "Europe/Madrid"})
    assert response.status_code == 302

    message = sent()

    assert message.subject == "[Rivera Strength Lab] Confirm your email address"
    assert "Hello from Rivera Strength Lab," in message.body and "/accounts/confirm-email/" in message.body
    assert_no_host(message)


def test_a_client_invited_to_one_business_resets_their_password_from_it(org: Organization) -> None:
    member(org, Role.CLIENT, email="pat@example.org")

    message = reset("pat@example.org")

    assert message.subject == "[Northside Strength] Reset your password"
    assert "your Northside Strength account" in message.body and "/accounts/password/reset/key/" in message.body
    assert_no_host(message)


def test_someone_of_no_business_or_of_several_hears_from_coach_os(org: Organization) -> None:
    UserFactory(email="solo@example.org")
    message = reset("solo@example.org")
    assert message.subject == "[Coach OS] Reset your password" and "Hello from Coach OS," in message.body
    assert_no_host(message)

    two = member(org, Role.COACH, email="two@example.org")
    MembershipFactory(organization=OrganizationFactory(name="Second Gym"), user=two, role=Role.COACH)
    message = reset("two@example.org")
    assert message.subject == "[Coach OS] Reset your password"
    assert "Northside" not in message.body and "Second Gym" not in message.body


def test_the_reset_email_is_written_in_the_persons_own_language(org: Organization, monkeypatch: Any) -> None:
    """A person who chose a language reads it, whatever the browser that asked (our wording of these
    emails is translated with the rest of the catalog; here: the language active while it is written)."""
    written_in: list[str] = []
    render = DefaultAccountAdapter.render_mail

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        written_in.append(translation.get_language())
        return render(self, *args, **kwargs)

    monkeypatch.setattr(DefaultAccountAdapter, "render_mail", spy)
    member(org, Role.CLIENT, email="lola@example.org", language="es")
    member(org, Role.CLIENT, email="max@example.org")

    reset("lola@example.org")
    reset("max@example.org")

    assert written_in == ["es", "en"]
