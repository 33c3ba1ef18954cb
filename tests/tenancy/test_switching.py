"""One person, several businesses: the last one used, the list, and starting another."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.tenancy.models import AuditEntry, Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_hats() -> dict[str, Any]:
    """A coach at Alpha Gym who is also a client of Beta Yoga."""
    gym = OrganizationFactory(name="Alpha Gym", slug="alpha-gym")
    yoga = OrganizationFactory(name="Beta Yoga", slug="beta-yoga")
    user = UserFactory(email="two.hats@example.com")
    MembershipFactory(organization=gym, user=user, role=Role.COACH)
    MembershipFactory(organization=yoga, user=user, role=Role.CLIENT)
    return {"gym": gym, "yoga": yoga, "user": user, "browser": login_as(user)}


def test_home_goes_to_the_business_used_last(two_hats: dict[str, Any]):
    browser: DjangoClient = two_hats["browser"]
    # Nothing used yet and two businesses: let the person choose.
    response = browser.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/businesses/"

    assert browser.get("/portal/beta-yoga/").status_code == 200
    assert browser.session["current_org"] == "beta-yoga"
    response = browser.get("/")
    assert response.headers["Location"] == "/portal/beta-yoga/"

    assert browser.get("/o/alpha-gym/").status_code == 200
    assert browser.session["current_org"] == "alpha-gym"
    response = browser.get("/")
    assert response.headers["Location"] == "/o/alpha-gym/"


def test_a_business_one_cannot_open_does_not_become_current(two_hats: dict[str, Any]):
    browser: DjangoClient = two_hats["browser"]
    browser.get("/o/alpha-gym/")
    assert browser.get("/o/beta-yoga/").status_code == 403  # a client there, not team
    assert browser.get("/o/no-such-place/").status_code == 404
    assert browser.session["current_org"] == "alpha-gym"
    assert browser.get("/").headers["Location"] == "/o/alpha-gym/"


def test_home_with_one_business_goes_straight_there(org: Organization, web: DjangoClient):
    response = web.get("/")
    assert response.headers["Location"] == f"/o/{org.slug}/"


def test_the_business_list_links_to_the_right_place(two_hats: dict[str, Any]):
    response = two_hats["browser"].get("/businesses/")
    assert response.status_code == 200
    items = {item["membership"].organization.slug: item["url"] for item in response.context["items"]}
    assert items == {"alpha-gym": "/o/alpha-gym/", "beta-yoga": "/portal/beta-yoga/"}
    html = response.content.decode()
    assert 'href="/o/alpha-gym/"><strong>Alpha Gym</strong><small>Coach' in html
    assert 'href="/portal/beta-yoga/"><strong>Beta Yoga</strong><small>Client' in html
    # The switcher in the top bar offers the same places.
    page = two_hats["browser"].get("/o/alpha-gym/").content.decode()
    assert "Switch business" in page
    assert 'href="/portal/beta-yoga/"' in page


def test_the_list_shows_only_ones_own_businesses(two_hats: dict[str, Any]):
    OrganizationFactory(name="Gamma Boxing", slug="gamma-boxing")
    response = two_hats["browser"].get("/businesses/")
    assert "Gamma Boxing" not in response.content.decode()
    assert len(response.context["items"]) == 2


def test_creating_another_business_makes_the_user_its_owner(two_hats: dict[str, Any]):
    browser: DjangoClient = two_hats["browser"]
    user = two_hats["user"]
    response = browser.post("/businesses/new/", {"name": "Delta Running Club", "timezone": "Europe/Paris"})
    assert response.status_code == 302
    new = Organization.objects.get(name="Delta Running Club")
    assert response.headers["Location"] == f"/o/{new.slug}/"
    assert new.slug == "delta-running-club"
    assert new.timezone == "Europe/Paris"
    with scope(organization=new):
        membership = Membership.objects.get()
        assert (membership.user, membership.role) == (user, Role.OWNER)
        assert set(AuditEntry.objects.values_list("action", flat=True)) == {"organization.created",
                                                                             "membership.created"}
    assert browser.get(f"/o/{new.slug}/settings/").status_code == 200
    assert len(browser.get("/businesses/").context["items"]) == 3


def test_creating_a_business_with_bad_input_creates_nothing(two_hats: dict[str, Any]):
    before = Organization.objects.count()
    response = two_hats["browser"].post("/businesses/new/", {"name": "", "timezone": "Mars/Base"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "timezone"}
    assert Organization.objects.count() == before


def test_a_new_business_named_like_a_reserved_address_gets_a_usable_one(two_hats: dict[str, Any]):
    response = two_hats["browser"].post("/businesses/new/", {"name": "Admin", "timezone": "UTC"})
    assert response.status_code == 302
    new = Organization.objects.get(name="Admin")
    assert new.slug == "admin-coaching"
    assert response.headers["Location"] == "/o/admin-coaching/"


def test_business_pages_need_login():
    for url in ("/businesses/", "/businesses/new/"):
        response = DjangoClient().get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/accounts/login/")
