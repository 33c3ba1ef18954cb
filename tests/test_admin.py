"""The platform admin lists businesses and users, across tenants, for platform staff only."""

import pytest

from coachos.tenancy.roles import Role

from .conftest import login_as
from .factories import AuditEntryFactory, ClientFactory, InvitationFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_admin():
    return UserFactory(email="admin@platform.example", is_staff=True, is_superuser=True)


def test_platform_staff_see_every_business_and_user(platform_admin, org, other_org, owner):
    web = login_as(platform_admin)
    businesses = web.get("/admin/tenancy/organization/")
    assert businesses.status_code == 200
    assert org.name in businesses.content.decode() and other_org.name in businesses.content.decode()
    users = web.get("/admin/accounts/user/")
    assert users.status_code == 200
    assert owner.email in users.content.decode()


def test_change_pages_of_tenant_objects_open(platform_admin, org, owner):
    ClientFactory(organization=org)
    InvitationFactory(organization=org)
    AuditEntryFactory(organization=org)
    web = login_as(platform_admin)
    for path in (f"/admin/tenancy/organization/{org.pk}/change/", f"/admin/accounts/user/{owner.pk}/change/",
                 "/admin/clients/client/", "/admin/accounts/invitation/", "/admin/tenancy/auditentry/",
                 "/admin/tenancy/membership/", "/admin/accounts/apitoken/"):
        assert web.get(path).status_code == 200, path


def test_business_owners_are_not_platform_staff(org):
    owner = member(org, Role.OWNER)
    response = login_as(owner).get("/admin/tenancy/organization/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
