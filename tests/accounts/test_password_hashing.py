"""Passwords are hashed with Argon2; an old PBKDF2 hash still works and becomes Argon2 on login."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client as DjangoClient

import coachos.settings as project_settings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def production_hashers(settings: Any) -> list[str]:
    """The suite hashes with MD5 for speed; these tests use the project's own list."""
    settings.PASSWORD_HASHERS = list(project_settings.PASSWORD_HASHERS)
    return settings.PASSWORD_HASHERS


def test_argon2_is_the_first_hasher_and_pbkdf2_still_verifies(production_hashers: list[str]) -> None:
    assert production_hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production_hashers
    assert make_password(PASSWORD).startswith("argon2$")


def test_a_pbkdf2_hash_is_upgraded_to_argon2_on_the_next_login(production_hashers: list[str]) -> None:
    user: Any = UserFactory(email="old@example.com")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$")

    response = DjangoClient().post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert "_auth_user_id" in response.client.session
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)
