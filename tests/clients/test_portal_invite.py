"""Inviting a client to the portal from their own record (the Team page's invitation service)."""

from __future__ import annotations

from django_scopes import scope

from coachos.accounts.models import Invitation
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, UserFactory, member


def _page(web, org, client) -> str:
    return web.get(f"/o/{org.slug}/clients/{client.pk}/").content.decode()


def test_invite_from_the_record_then_pending_then_resend(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name="Zoe", last_name="Allen", email="Zoe@Example.com")
    assert "Invite to the portal" in _page(web, org, client)
    response = web.post(f"/o/{org.slug}/clients/{client.pk}/invite/")
    assert response.status_code == 302
    with scope(organization=org):
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role, invitation.status) == ("zoe@example.com", Role.CLIENT, "pending")
        assert invitation.name == "Zoe Allen"
    html = _page(web, org, client)
    assert "Portal invitation pending" in html and "Invite to the portal again" in html
    web.post(f"/o/{org.slug}/clients/{client.pk}/invite/")
    with scope(organization=org):
        assert Invitation.objects.count() == 1
        assert org.audit_entries.filter(action="invitation.resent").count() == 1


def test_accepted_invitation_and_portal_user_show_as_such(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org, email="ana@example.com", user=UserFactory(email="ana@example.com"))
    html = _page(web, org, client)
    assert "Uses the portal" in html and "Invite to the portal" not in html
    web.post(f"/o/{org.slug}/clients/{client.pk}/invite/")
    with scope(organization=org):
        assert not Invitation.objects.exists()


def test_a_client_without_email_cannot_be_invited(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org, email="")
    assert "Add an email address to invite them" in _page(web, org, client)
    web.post(f"/o/{org.slug}/clients/{client.pk}/invite/")
    with scope(organization=org):
        assert not Invitation.objects.exists()


def test_front_desk_may_invite_a_client(org):
    desk = member(org, Role.STAFF, email="desk@example.com")
    with scope(organization=org):
        client = ClientFactory(organization=org, email="ben@example.com")
    login_as(desk).post(f"/o/{org.slug}/clients/{client.pk}/invite/")
    with scope(organization=org):
        assert Invitation.objects.filter(email="ben@example.com", role=Role.CLIENT).exists()
