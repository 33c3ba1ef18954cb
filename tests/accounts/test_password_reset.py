"""Password reset by emailed link, with no way to learn which emails have accounts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client as DjangoClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET_URL = "/accounts/password/reset/"
OLD_PASSWORD = "correct-horse-battery"  # UserFactory's password
NEW_PASSWORD = "quiet-Harbor-7731"
CSRF = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)")


@pytest.fixture
def user() -> Any:
    return UserFactory(email="lee@example.com", name="Lee Park")


def reset_path(message: Any) -> str:
    match = RESET_LINK.search(message.body)
    assert match, f"no reset link in: {message.body}"
    return match.group(1)


def without_csrf(html: str) -> str:
    return CSRF.sub(r"\1", html)


def request_reset(client: DjangoClient, email: str) -> Any:
    return client.post(RESET_URL, {"email": email})


def can_log_in(email: str, password: str) -> bool:
    response = DjangoClient().post("/accounts/login/", {"login": email, "password": password})
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def open_reset_form(client: DjangoClient, path: str) -> Any:
    """Following the emailed link shows the form to choose a new password."""
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert "password1" in response.context["form"].fields
    return response


def test_reset_request_sends_one_email_with_a_link(client: DjangoClient, user: Any) -> None:
    response = request_reset(client, "lee@example.com")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lee@example.com"]
    reset_path(mail.outbox[0])


def test_reset_request_matches_the_email_in_any_case(client: DjangoClient, user: Any) -> None:
    request_reset(client, "LEE@Example.com")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lee@example.com"]


def test_following_the_link_sets_a_new_password(client: DjangoClient, user: Any) -> None:
    request_reset(client, user.email)
    page = open_reset_form(client, reset_path(mail.outbox[0]))
    form_path = page.request["PATH_INFO"]

    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(OLD_PASSWORD)
    assert can_log_in(user.email, NEW_PASSWORD)
    assert not can_log_in(user.email, OLD_PASSWORD)


def test_a_reset_link_works_only_once(client: DjangoClient, user: Any) -> None:
    request_reset(client, user.email)
    path = reset_path(mail.outbox[0])
    page = open_reset_form(client, path)
    client.post(page.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = DjangoClient().get(path, follow=True)

    assert again.status_code == 200
    assert again.context["token_fail"] is True
    assert 'name="password1"' not in again.content.decode()


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("password", "This password is too common."),
        ("12345678", "This password is entirely numeric."),
        ("short1A", "at least 10 characters"),
        ("lee@example.com", "too similar"),
    ],
)
def test_a_weak_new_password_is_refused_and_nothing_changes(
    client: DjangoClient, user: Any, new_password: str, message: str
) -> None:
    request_reset(client, user.email)
    page = open_reset_form(client, reset_path(mail.outbox[0]))

    response = client.post(page.request["PATH_INFO"], {"password1": new_password, "password2": new_password})

    assert response.status_code == 200
    errors = response.context["form"].errors["password1"]
    assert any(message in error for error in errors)
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD_PASSWORD)
    assert not user.check_password(new_password)


def test_mismatched_passwords_are_refused(client: DjangoClient, user: Any) -> None:
    request_reset(client, user.email)
    page = open_reset_form(client, reset_path(mail.outbox[0]))

    response = client.post(page.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})

    assert response.status_code == 200
    assert response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(OLD_PASSWORD)


def test_unknown_email_sends_nothing_and_looks_the_same_as_a_known_one(user: Any) -> None:
    known_client, unknown_client = DjangoClient(), DjangoClient()

    known = request_reset(known_client, user.email)
    assert len(mail.outbox) == 1
    mail.outbox.clear()
    unknown = request_reset(unknown_client, "nobody@example.com")

    assert mail.outbox == []
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    known_done = known_client.get(known["Location"])
    unknown_done = unknown_client.get(unknown["Location"])
    assert unknown_done.status_code == known_done.status_code == 200
    assert without_csrf(unknown_done.content.decode()) == without_csrf(known_done.content.decode())


def test_a_reset_logs_out_sessions_that_used_the_old_password(client: DjangoClient, user: Any) -> None:
    elsewhere = DjangoClient()
    assert elsewhere.post("/accounts/login/", {"login": user.email, "password": OLD_PASSWORD}).status_code == 302
    assert elsewhere.get("/account/").status_code == 200

    request_reset(client, user.email)
    page = open_reset_form(client, reset_path(mail.outbox[0]))
    client.post(page.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = elsewhere.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
