"""Who may open what: owner, coach, front desk (staff), client, a stranger, nobody."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import Invitation
from coachos.accounts.services import AccountError, invitation_create
from coachos.tenancy import services
from coachos.tenancy.models import AuditEntry, Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import bearer, login_as
from ..factories import member

pytestmark = pytest.mark.django_db


def urls(org: Organization) -> dict[str, str]:
    return {
        "dashboard": f"/o/{org.slug}/",
        "team": f"/o/{org.slug}/team/",
        "settings": f"/o/{org.slug}/settings/",
        "audit": f"/o/{org.slug}/audit/",
        "portal": f"/portal/{org.slug}/",
    }


def _membership(org: Organization, user: Any) -> Membership:
    with scope(organization=org):
        return Membership.objects.get(user=user)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OWNER, {"dashboard": 200, "team": 200, "settings": 200, "audit": 200, "portal": 403}),
        (Role.COACH, {"dashboard": 200, "team": 200, "settings": 403, "audit": 403, "portal": 403}),
        (Role.STAFF, {"dashboard": 200, "team": 200, "settings": 403, "audit": 403, "portal": 403}),
        (Role.CLIENT, {"dashboard": 403, "team": 403, "settings": 403, "audit": 403, "portal": 200}),
    ],
)
def test_what_each_role_may_open(org: Organization, role: str, expected: dict[str, int]):
    browser = login_as(member(org, role))
    got = {page: browser.get(url).status_code for page, url in urls(org).items()}
    assert got == expected


@pytest.mark.parametrize("role", [Role.COACH, Role.STAFF])
def test_coach_and_front_desk_cannot_change_settings(org: Organization, role: str):
    browser = login_as(member(org, role))
    response = browser.post(urls(org)["settings"], {"name": "Taken Over", "slug": org.slug, "timezone": "UTC"})
    assert response.status_code == 403
    assert "Ask the owner of the business if you need access." in response.content.decode()
    org.refresh_from_db()
    assert org.name == "Northside Strength"
    with scope(organization=org):
        assert not AuditEntry.objects.filter(action="organization.updated").exists()


def test_front_desk_cannot_invite_a_coach_through_the_service(org: Organization):
    staff = member(org, Role.STAFF)
    with pytest.raises(AccountError, match="cannot invite a coach"):
        invitation_create(organization=org, actor=staff, actor_membership=_membership(org, staff),
                          email="new-coach@example.com", role=Role.COACH)
    with scopes_disabled():
        assert not Invitation.objects.filter(email="new-coach@example.com").exists()


def test_front_desk_cannot_invite_a_coach_through_the_page(org: Organization):
    browser = login_as(member(org, Role.STAFF))
    response = browser.post(urls(org)["team"], {"email": "new-coach@example.com", "name": "", "role": Role.COACH})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors, "the form must show why nothing was sent"
    assert "not one of the available choices" in response.content.decode()
    # The page offers staff only the client role.
    assert [value for value, _label in form.fields["role"].choices] == [Role.CLIENT]
    with scopes_disabled():
        assert not Invitation.objects.filter(email="new-coach@example.com").exists()
        assert not AuditEntry.objects.filter(organization=org, action="invitation.created").exists()


def test_front_desk_can_invite_a_client(org: Organization):
    browser = login_as(member(org, Role.STAFF))
    response = browser.post(urls(org)["team"], {"email": "New.Client@Example.com", "name": "", "role": Role.CLIENT})
    assert response.status_code == 302
    with scope(organization=org):
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role, invitation.status) == ("new.client@example.com", Role.CLIENT,
                                                                          "pending")
        assert AuditEntry.objects.filter(action="invitation.created", object_id=str(invitation.pk)).exists()


def test_owner_can_invite_a_coach(org: Organization, web: DjangoClient):
    response = web.post(urls(org)["team"], {"email": "coach2@example.com", "name": "", "role": Role.COACH})
    assert response.status_code == 302
    with scope(organization=org):
        assert Invitation.objects.get().role == Role.COACH


def test_client_is_kept_out_of_the_back_office_and_reaches_the_portal(org: Organization):
    browser = login_as(member(org, Role.CLIENT))
    assert browser.get(urls(org)["dashboard"]).status_code == 403
    response = browser.get(urls(org)["portal"])
    assert response.status_code == 200
    assert response.templates[0].name == "clients/portal_home.html"


@pytest.mark.parametrize("role", [Role.OWNER, Role.COACH, Role.STAFF])
def test_team_member_reaches_the_back_office(org: Organization, role: str):
    response = login_as(member(org, role)).get(urls(org)["dashboard"])
    assert response.status_code == 200
    assert response.templates[0].name == "site/dashboard.html"
    assert response.context["organization"] == org


@pytest.mark.parametrize("page", ["dashboard", "settings", "audit", "team", "portal"])
def test_anonymous_is_sent_to_login(org: Organization, page: str):
    url = urls(org)[page]
    response = DjangoClient().get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=")
    assert url in response.headers["Location"].replace("%2F", "/")


@pytest.mark.parametrize("page", ["dashboard", "settings", "portal", "team"])
def test_someone_elses_business_is_a_404(org: Organization, other_org: Organization, page: str):
    stranger = member(other_org, Role.OWNER)
    assert login_as(stranger).get(urls(org)[page]).status_code == 404
    assert login_as(stranger).get(urls(other_org)[page]).status_code in (200, 403)


def test_a_user_without_any_business_gets_404(org: Organization):
    from ..factories import UserFactory

    browser = login_as(UserFactory())
    assert browser.get(urls(org)["dashboard"]).status_code == 404
    assert browser.get(urls(org)["portal"]).status_code == 404


def test_unknown_business_is_a_404(owner: Any):
    browser = login_as(owner)
    assert browser.get("/o/no-such-business/").status_code == 404
    assert browser.get("/portal/no-such-business/").status_code == 404
    assert DjangoClient().get("/o/no-such-business/").status_code == 404


def test_coach_cannot_change_settings_through_the_api(org: Organization):
    coach = member(org, Role.COACH)
    response = DjangoClient().patch(
        "/api/v1/organization", data=json.dumps({"name": "Taken Over", "timezone": "UTC"}),
        content_type="application/json", **bearer(coach, org),
    )
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 403
    org.refresh_from_db()
    assert (org.name, org.timezone) == ("Northside Strength", "America/Chicago")
    with scope(organization=org):
        assert not AuditEntry.objects.filter(action="organization.updated").exists()


def test_owner_can_change_settings_through_the_api(org: Organization, owner: Any):
    response = DjangoClient().patch(
        "/api/v1/organization", data=json.dumps({"name": "Northside Strength & Conditioning"}),
        content_type="application/json", **bearer(owner, org),
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Northside Strength & Conditioning"
    org.refresh_from_db()
    assert org.name == "Northside Strength & Conditioning"


def _owner_state(org: Organization) -> list[tuple[int, str]]:
    with scope(organization=org):
        return list(Membership.objects.order_by("pk").values_list("pk", "role"))


def test_the_last_owner_cannot_be_demoted(org: Organization, owner: Any):
    membership = _membership(org, owner)
    before = _owner_state(org)
    with scope(organization=org), pytest.raises(services.TenancyError, match="at least one owner"):
        services.membership_set_role(membership=membership, actor=owner, role=Role.COACH)
    assert _owner_state(org) == before
    with scope(organization=org):
        assert not AuditEntry.objects.filter(action="membership.role_changed").exists()


def test_the_last_owner_cannot_be_removed(org: Organization, owner: Any):
    membership = _membership(org, owner)
    before = _owner_state(org)
    with scope(organization=org), pytest.raises(services.TenancyError, match="at least one owner"):
        services.membership_remove(membership=membership, actor=owner)
    assert _owner_state(org) == before
    with scope(organization=org):
        assert not AuditEntry.objects.filter(action="membership.removed").exists()


def test_the_last_owner_cannot_be_demoted_or_removed_from_the_team_page(org: Organization, owner: Any,
                                                                        web: DjangoClient):
    membership = _membership(org, owner)
    before = _owner_state(org)
    response = web.post(f"/o/{org.slug}/team/members/{membership.pk}/role/", {"role": Role.STAFF}, follow=True)
    assert "at least one owner" in response.content.decode()
    response = web.post(f"/o/{org.slug}/team/members/{membership.pk}/remove/", follow=True)
    assert "at least one owner" in response.content.decode()
    assert _owner_state(org) == before


def test_an_owner_can_be_demoted_when_another_owner_remains(org: Organization, owner: Any):
    second = member(org, Role.OWNER)
    with scope(organization=org):
        membership = services.membership_set_role(membership=_membership(org, second), actor=owner, role=Role.COACH)
        assert membership.role == Role.COACH
        entry = AuditEntry.objects.get(action="membership.role_changed")
        assert entry.data == {"role": [Role.OWNER, Role.COACH]}


def test_owners_and_coaches_become_bookable_through_the_membership_events(owner: Any):
    """tenancy does not import scheduling: ``membership.created`` / ``membership.role_changed`` reach
    scheduling's listener, which gives owners and coaches a Coach record in the same transaction."""
    from coachos.scheduling.models import Coach

    organization = services.organization_create(name="Events Gym", owner=owner, timezone="Europe/Berlin")
    staff = member(organization, Role.STAFF)
    with scope(organization=organization):
        assert set(Coach.objects.values_list("membership__user_id", flat=True)) == {owner.pk}
        services.membership_set_role(membership=Membership.objects.get(user=staff), actor=owner, role=Role.COACH)
        assert set(Coach.objects.values_list("membership__user_id", flat=True)) == {owner.pk, staff.pk}
