"""Failed logins are limited: 5 per account and 5 per IP address within 5 minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client as DjangoClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
PASSWORD = "correct-horse-battery"  # UserFactory's password
TOO_MANY = "Too many failed login attempts. Try again later."
WRONG = "The email address and/or password you specified are not correct."


def attempt(email: str, password: str, ip: str) -> Any:
    """A login from a fresh browser at the given address."""
    return DjangoClient(REMOTE_ADDR=ip).post(LOGIN_URL, {"login": email, "password": password})


def logged_in(response: Any) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def refused_for_throttling(response: Any) -> bool:
    return response.status_code == 200 and TOO_MANY in response.content.decode() and "_auth_user_id" not in response.client.session


@pytest.fixture
def start(time_machine: Any) -> datetime:
    moment = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    time_machine.move_to(moment, tick=False)
    return moment


def test_sixth_failure_for_one_account_is_refused_even_with_the_right_password(
    start: datetime, time_machine: Any
) -> None:
    user = UserFactory(email="kim@example.com")
    # Each failure from its own address, so only the per-account limit can be what trips.
    for n in range(5):
        response = attempt(user.email, "wrong-password-123", ip=f"198.51.100.{n + 1}")
        assert response.status_code == 200
        assert WRONG in response.content.decode()
        time_machine.shift(timedelta(seconds=30))

    refused = attempt(user.email, PASSWORD, ip="198.51.100.99")
    assert refused_for_throttling(refused)
    assert refused.context["form"].non_field_errors() == [TOO_MANY]

    # Still inside the window (measured from the first failure): still refused.
    time_machine.move_to(start + timedelta(minutes=4, seconds=59), tick=False)
    assert refused_for_throttling(attempt(user.email, PASSWORD, ip="198.51.100.98"))

    # Five minutes after the failures, the right password works again.
    time_machine.move_to(start + timedelta(minutes=7, seconds=1), tick=False)
    assert logged_in(attempt(user.email, PASSWORD, ip="198.51.100.97"))


def test_the_account_limit_does_not_lock_other_accounts(start: datetime) -> None:
    victim = UserFactory(email="victim@example.com")
    other = UserFactory(email="other@example.com")
    for n in range(5):
        attempt(victim.email, "wrong-password-123", ip=f"203.0.113.{n + 1}")

    assert refused_for_throttling(attempt(victim.email, PASSWORD, ip="203.0.113.50"))
    assert logged_in(attempt(other.email, PASSWORD, ip="203.0.113.51"))


def test_a_successful_login_does_not_count_as_a_failure(start: datetime) -> None:
    user = UserFactory(email="steady@example.com")
    for n in range(8):
        assert logged_in(attempt(user.email, PASSWORD, ip=f"192.0.2.{n + 1}"))


def test_sixth_attempt_from_one_ip_is_refused_across_accounts(start: datetime, time_machine: Any) -> None:
    users = [UserFactory(email=f"member{n}@example.com") for n in range(7)]
    for user in users[:5]:
        response = attempt(user.email, "wrong-password-123", ip="192.0.2.10")
        assert WRONG in response.content.decode()

    # A sixth account, with its right password, from the same address: refused.
    assert refused_for_throttling(attempt(users[5].email, PASSWORD, ip="192.0.2.10"))
    # The same account from another address is not affected by that address's limit.
    assert logged_in(attempt(users[5].email, PASSWORD, ip="192.0.2.11"))
    assert logged_in(attempt(users[6].email, PASSWORD, ip="192.0.2.12"))

    # After five minutes the first address may try again.
    time_machine.shift(timedelta(minutes=5, seconds=1))
    assert logged_in(attempt(users[6].email, PASSWORD, ip="192.0.2.10"))
