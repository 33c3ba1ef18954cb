"""Two-factor authentication with an authenticator app (TOTP) and recovery codes, through allauth's pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.test import Client as DjangoClient

from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role
from tests.factories import member

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # UserFactory's password
LOGIN_URL = "/accounts/login/"
ACTIVATE_URL = "/accounts/2fa/totp/activate/"
DEACTIVATE_URL = "/accounts/2fa/totp/deactivate/"
AUTHENTICATE_URL = "/accounts/2fa/authenticate/"
REAUTHENTICATE_URL = "/accounts/reauthenticate/"
RECOVERY_CODES_URL = "/accounts/2fa/recovery-codes/"
GENERATE_CODES_URL = "/accounts/2fa/recovery-codes/generate/"
REAUTH_WINDOW = timedelta(seconds=300)  # ACCOUNT_REAUTHENTICATION_TIMEOUT (allauth's default)
TOTP_STEP = timedelta(seconds=30)


@pytest.fixture
def clock(time_machine: Any) -> Any:
    time_machine.move_to(datetime(2026, 5, 4, 9, 0, tzinfo=UTC), tick=False)
    return time_machine


@pytest.fixture
def coach(org: Organization) -> Any:
    return member(org, Role.COACH, email="mia@example.com", name="Mia Coach")


def is_logged_in(client: DjangoClient, user: Any) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def password_login(user: Any) -> tuple[DjangoClient, Any]:
    client = DjangoClient()
    response = client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD})
    return client, response


def reauthenticate(client: DjangoClient, next_url: str) -> None:
    """Opening ``next_url`` asks for the password again; enter it."""
    response = client.get(next_url)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE_URL)
    response = client.post(response["Location"], {"password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


def activate_totp(client: DjangoClient, clock: Any) -> str:
    """Turn TOTP on from the activation page; returns the secret."""
    reauthenticate(client, ACTIVATE_URL)
    page = client.get(ACTIVATE_URL)
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.context["totp_url"]
    response = client.post(ACTIVATE_URL, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert response["Location"] == RECOVERY_CODES_URL
    clock.shift(TOTP_STEP)  # the code just used may not be used again in its window
    return secret


def recovery_codes(client: DjangoClient) -> list[str]:
    page = client.get(RECOVERY_CODES_URL)
    assert page.status_code == 200
    assert page.context["can_view_codes"]
    codes = list(page.context["unused_codes"])
    assert codes and all(code.isdigit() for code in codes)
    return codes


def recovery_codes_unchecked(user: Any) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


def start_login(user: Any) -> DjangoClient:
    """Password accepted, the second step is asked for; not logged in yet."""
    client, response = password_login(user)
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE_URL
    assert not is_logged_in(client, user)
    return client


@pytest.fixture
def with_totp(coach: Any, clock: Any) -> tuple[Any, str, list[str]]:
    client, response = password_login(coach)
    assert response.status_code == 302
    secret = activate_totp(client, clock)
    codes = recovery_codes(client)
    client.post("/accounts/logout/")
    assert not is_logged_in(client, coach)
    return coach, secret, codes


def test_activation_requires_the_password_again(coach: Any, clock: Any) -> None:
    client, _response = password_login(coach)

    response = client.get(ACTIVATE_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{REAUTHENTICATE_URL}?next={ACTIVATE_URL.replace('/', '%2F')}"
    wrong = client.post(REAUTHENTICATE_URL, {"password": "not-my-password", "next": ACTIVATE_URL})
    assert wrong.status_code == 200
    assert "Incorrect password." in wrong.content.decode()
    assert client.get(ACTIVATE_URL).status_code == 302


def test_wrong_code_does_not_activate_totp(coach: Any, clock: Any) -> None:
    client, _response = password_login(coach)
    reauthenticate(client, ACTIVATE_URL)
    secret = client.get(ACTIVATE_URL).context["form"].secret
    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = client.post(ACTIVATE_URL, {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Incorrect code."]
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=coach).exists()


def test_right_code_activates_totp_and_creates_recovery_codes(coach: Any, clock: Any) -> None:
    client, _response = password_login(coach)

    activate_totp(client, clock)

    assert Authenticator.objects.filter(user=coach, type=Authenticator.Type.TOTP).count() == 1
    assert Authenticator.objects.filter(user=coach, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert len(recovery_codes(client)) == 10


def test_login_asks_for_the_code_and_refuses_a_wrong_one(
    with_totp: tuple[Any, str, list[str]], org: Organization
) -> None:
    coach, secret, _codes = with_totp
    client = start_login(coach)
    page = client.get(AUTHENTICATE_URL)
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()

    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(AUTHENTICATE_URL, {"code": wrong})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not is_logged_in(client, coach)
    response = client.get(f"/o/{org.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_login_with_the_right_code_reaches_the_dashboard(
    with_totp: tuple[Any, str, list[str]], org: Organization
) -> None:
    coach, secret, _codes = with_totp
    client = start_login(coach)

    response = client.post(AUTHENTICATE_URL, {"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 302
    assert is_logged_in(client, coach)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == f"/o/{org.slug}/"


def test_a_totp_code_cannot_be_replayed_in_its_window(with_totp: tuple[Any, str, list[str]], clock: Any) -> None:
    coach, secret, _codes = with_totp
    code = pyotp.TOTP(secret).now()
    first = start_login(coach)
    first.post(AUTHENTICATE_URL, {"code": code})
    assert is_logged_in(first, coach)

    second = start_login(coach)
    response = second.post(AUTHENTICATE_URL, {"code": code})

    assert "Incorrect code." in response.content.decode()
    assert not is_logged_in(second, coach)
    clock.shift(TOTP_STEP)
    second.post(AUTHENTICATE_URL, {"code": pyotp.TOTP(secret).now()})
    assert is_logged_in(second, coach)


def test_a_recovery_code_works_once(with_totp: tuple[Any, str, list[str]], org: Organization) -> None:
    coach, _secret, codes = with_totp
    client = start_login(coach)

    response = client.post(AUTHENTICATE_URL, {"code": codes[0]})

    assert response.status_code == 302
    assert is_logged_in(client, coach)
    assert client.get(f"/o/{org.slug}/").status_code == 200

    again = start_login(coach)
    response = again.post(AUTHENTICATE_URL, {"code": codes[0]})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not is_logged_in(again, coach)

    # Another unused code still works.
    again.post(AUTHENTICATE_URL, {"code": codes[1]})
    assert is_logged_in(again, coach)


def test_regenerating_recovery_codes_needs_the_password_and_voids_the_old_codes(
    with_totp: tuple[Any, str, list[str]], clock: Any
) -> None:
    coach, secret, old_codes = with_totp
    client = start_login(coach)
    client.post(AUTHENTICATE_URL, {"code": pyotp.TOTP(secret).now()})
    assert is_logged_in(client, coach)

    clock.shift(REAUTH_WINDOW + timedelta(seconds=1))
    response = client.post(GENERATE_CODES_URL)
    # Not regenerated yet: the request waits for the password.
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE_URL)
    assert recovery_codes_unchecked(coach) == old_codes

    # With the password, the waiting request goes through.
    response = client.post(response["Location"], {"password": PASSWORD, "next": GENERATE_CODES_URL})
    assert response.status_code == 302
    assert response["Location"] == RECOVERY_CODES_URL
    new_codes = recovery_codes(client)
    assert set(new_codes).isdisjoint(old_codes)
    client.post("/accounts/logout/")

    clock.shift(TOTP_STEP)
    stale = start_login(coach)
    response = stale.post(AUTHENTICATE_URL, {"code": old_codes[2]})
    assert "Incorrect code." in response.content.decode()
    assert not is_logged_in(stale, coach)
    stale.post(AUTHENTICATE_URL, {"code": new_codes[0]})
    assert is_logged_in(stale, coach)


def test_turning_totp_off_needs_the_password_then_login_needs_no_code(
    with_totp: tuple[Any, str, list[str]], clock: Any, org: Organization
) -> None:
    coach, secret, _codes = with_totp
    client = start_login(coach)
    client.post(AUTHENTICATE_URL, {"code": pyotp.TOTP(secret).now()})
    assert is_logged_in(client, coach)

    clock.shift(REAUTH_WINDOW + timedelta(seconds=1))
    response = client.post(DEACTIVATE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE_URL)
    assert Authenticator.objects.filter(user=coach, type=Authenticator.Type.TOTP).exists()

    wrong = client.post(REAUTHENTICATE_URL, {"password": "guess-guess-guess", "next": DEACTIVATE_URL})
    assert "Incorrect password." in wrong.content.decode()
    assert Authenticator.objects.filter(user=coach, type=Authenticator.Type.TOTP).exists()

    # With the password, the waiting request goes through.
    response = client.post(REAUTHENTICATE_URL, {"password": PASSWORD, "next": DEACTIVATE_URL})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"
    assert not Authenticator.objects.filter(user=coach).exists()
    client.post("/accounts/logout/")

    fresh, response = password_login(coach)
    assert response.status_code == 302
    assert response["Location"] != AUTHENTICATE_URL
    assert is_logged_in(fresh, coach)
    assert fresh.get(f"/o/{org.slug}/").status_code == 200
