"""Log out my other sessions (allauth.usersessions)."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client as DjangoClient

from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role
from tests.factories import member

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # UserFactory's password
SESSIONS_URL = "/accounts/sessions/"


def browser_login(user: Any, agent: str, ip: str) -> DjangoClient:
    client = DjangoClient(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    return client


def test_sign_out_other_sessions_logs_out_the_other_browser_only(owner: Any, org: Organization) -> None:
    laptop = browser_login(owner, "Laptop Firefox", "198.51.100.7")
    phone = browser_login(owner, "Phone Safari", "203.0.113.9")
    dashboard = f"/o/{org.slug}/"
    assert laptop.get(dashboard).status_code == 200
    assert phone.get(dashboard).status_code == 200

    page = laptop.get(SESSIONS_URL)
    assert page.status_code == 200
    listed = page.context["sessions"]
    assert {s.user_agent for s in listed} == {"Laptop Firefox", "Phone Safari"}
    assert page.context["session_count"] == 2

    response = laptop.post(SESSIONS_URL)

    assert response.status_code == 302
    assert response["Location"] == SESSIONS_URL
    # The phone is logged out: the dashboard sends it to the login page.
    phone_response = phone.get(dashboard)
    assert phone_response.status_code == 302
    assert phone_response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in phone.session
    # The laptop is still logged in.
    assert laptop.get(dashboard).status_code == 200
    assert laptop.session["_auth_user_id"] == str(owner.pk)
    assert [s.user_agent for s in UserSession.objects.filter(user=owner)] == ["Laptop Firefox"]
    assert laptop.get(SESSIONS_URL).context["session_count"] == 1


def test_other_users_sessions_are_not_touched(owner: Any, org: Organization) -> None:
    colleague = member(org, Role.COACH, email="colleague@example.com")
    mine = browser_login(owner, "Laptop Firefox", "198.51.100.7")
    theirs = browser_login(colleague, "Desk Chrome", "198.51.100.8")

    mine.post(SESSIONS_URL)

    assert theirs.get(f"/o/{org.slug}/").status_code == 200
    assert theirs.session["_auth_user_id"] == str(colleague.pk)
