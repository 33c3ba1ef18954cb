"""A coach signs up: user, business, owner membership, audit entry, verification email."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.accounts.models import User
from coachos.tenancy.models import AuditEntry, Membership, Organization
from coachos.tenancy.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"
STRONG_PASSWORD = "violet-Kettle-4817"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Ana Rivera",
        "business_name": "Rivera Strength Lab",
        "email": "ana@rivera.example",
        "password1": STRONG_PASSWORD,
        "timezone": "Europe/Madrid",
    }
    data.update(overrides)
    return data


def confirmation_path(message: Any) -> str:
    match = CONFIRM_LINK.search(message.body)
    assert match, f"no confirmation link in: {message.body}"
    return match.group(1)


def nothing_created() -> None:
    with scopes_disabled():
        assert User.objects.count() == 0
        assert Organization.objects.count() == 0
        assert Membership.objects.count() == 0
        assert AuditEntry.objects.count() == 0
    assert mail.outbox == []


def test_signup_creates_user_business_owner_membership_and_sends_verification(client: DjangoClient) -> None:
    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="ana@rivera.example")
    assert user.name == "Ana Rivera"
    assert user.check_password(STRONG_PASSWORD)
    organization = Organization.objects.get(name="Rivera Strength Lab")
    assert organization.timezone == "Europe/Madrid"
    assert organization.slug == "rivera-strength-lab"
    with scopes_disabled():
        membership = Membership.objects.get(organization=organization)
        assert membership.user == user
        assert membership.role == Role.OWNER
        entry = AuditEntry.objects.get(organization=organization, action="organization.created")
        assert entry.actor == user
        assert entry.object_id == str(organization.pk)
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@rivera.example"]
    confirmation_path(mail.outbox[0])


def test_unverified_coach_cannot_reach_the_dashboard(client: DjangoClient) -> None:
    client.post(SIGNUP_URL, signup_data())
    slug = Organization.objects.get().slug

    # Right after signup the person is not logged in.
    response = client.get(f"/o/{slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    # Logging in with the right password stops at "verify your email".
    response = client.post("/accounts/login/", {"login": "ana@rivera.example", "password": STRONG_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "account/verification_sent.html" in [t.name for t in page.templates]
    assert "_auth_user_id" not in client.session
    response = client.get(f"/o/{slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_confirmation_link_verifies_logs_in_and_lands_on_the_dashboard(client: DjangoClient) -> None:
    client.post(SIGNUP_URL, signup_data())
    path = confirmation_path(mail.outbox[0])
    user = User.objects.get(email="ana@rivera.example")
    slug = Organization.objects.get().slug

    # GET only shows a page with a confirm button (ACCOUNT_CONFIRM_EMAIL_ON_GET is off).
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="{path}"' in html
    assert 'type="submit"' in html
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session

    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)

    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/o/{slug}/"
    assert response.request["PATH_INFO"] == f"/o/{slug}/"
    assert "Rivera Strength Lab" in response.content.decode()


def test_a_tampered_confirmation_key_confirms_nothing(client: DjangoClient) -> None:
    client.post(SIGNUP_URL, signup_data())
    path = confirmation_path(mail.outbox[0])
    bad = path.rstrip("/")[:-4] + "abcd/"

    page = client.get(bad)
    assert page.status_code == 200
    assert "This email confirmation link expired or is invalid." in page.content.decode()
    response = client.post(bad)

    assert response.status_code == 404
    assert not EmailAddress.objects.get(email="ana@rivera.example").verified
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "ana@"}, "email", "Enter a valid email address."),
        ({"email": "not an email"}, "email", "Enter a valid email address."),
        ({"password1": "password"}, "password1", "This password is too common."),
        ({"password1": "12345678"}, "password1", "This password is entirely numeric."),
        ({"password1": "12345678"}, "password1", "at least 10 characters"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Mars/Olympus_Mons is not one of the available choices"),
        ({"business_name": ""}, "business_name", "This field is required."),
        ({"business_name": "   "}, "business_name", "This field is required."),
    ],
)
def test_bad_signup_input_changes_nothing_and_keeps_what_was_typed(
    client: DjangoClient, overrides: dict[str, str], field: str, message: str
) -> None:
    data = signup_data(**overrides)

    response = client.post(SIGNUP_URL, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert any(message in error for error in form.errors[field])
    html = response.content.decode()
    assert message in html
    assert 'value="Ana Rivera"' in html
    if data["business_name"].strip():
        assert f'value="{data["business_name"]}"' in html
    nothing_created()


def test_signup_with_a_used_email_creates_nothing_and_does_not_reveal_the_account(client: DjangoClient) -> None:
    """ACCOUNT_PREVENT_ENUMERATION is on: the form cannot say "this email is taken" (that would tell
    anyone which emails have accounts). The visitor sees the same "check your email" step as a new
    signup; only the real owner of the address is told, by email, that an account exists."""
    existing = UserFactory(email="ana@rivera.example", name="Original Ana")
    before_password = existing.password

    response = client.post(SIGNUP_URL, signup_data(name="Intruder", business_name="Hijack Gym"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.name == "Original Ana"
    assert existing.password == before_password
    assert Organization.objects.count() == 0
    with scopes_disabled():
        assert Membership.objects.count() == 0
        assert AuditEntry.objects.count() == 0
    # No verification link is sent: only a notice to the address's owner.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@rivera.example"]
    assert "already exists" in mail.outbox[0].body
    assert not CONFIRM_LINK.search(mail.outbox[0].body)
    assert "_auth_user_id" not in client.session


def test_signup_with_a_used_email_in_other_case_creates_nothing(client: DjangoClient) -> None:
    UserFactory(email="ana@rivera.example")

    client.post(SIGNUP_URL, signup_data(email="ANA@Rivera.Example"))

    assert User.objects.count() == 1
    assert Organization.objects.count() == 0
    assert all(not CONFIRM_LINK.search(m.body) for m in mail.outbox)
