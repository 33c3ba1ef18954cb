"""Where a person lands after logging in: platform staff on the platform admin, others on their business."""

from __future__ import annotations

from django.test import Client as DjangoClient

from coachos.tenancy.roles import Role

from ..factories import UserFactory, member

PASSWORD = "correct-horse-battery"  # UserFactory's password


def _login(email: str, **extra: str):
    return DjangoClient().post("/accounts/login/", {"login": email, "password": PASSWORD, **extra})


def test_platform_staff_land_on_the_admin(db):
    UserFactory(email="ops@coachos.example", is_staff=True)
    response = _login("ops@coachos.example")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_a_coach_lands_on_their_business(org):
    member(org, Role.OWNER, email="coach@example.com")
    response = _login("coach@example.com")
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_next_link_still_wins_for_staff(db):
    UserFactory(email="ops@coachos.example", is_staff=True)
    response = _login("ops@coachos.example", next="/platform/jobs/")
    assert response["Location"] == "/platform/jobs/"
