import pytest

from coachos.accounts.models import Invitation
from coachos.tenancy.roles import Role
from coachos.tenancy.services import organization_update

from ..conftest import login_as
from ..factories import (
    CoachFactory,
    InvitationFactory,
    PackagePlanFactory,
    SessionTypeFactory,
    WeeklyAvailabilityFactory,
    member,
)

pytestmark = pytest.mark.django_db


def test_new_business_sees_the_get_started_checklist(org, web):
    page = web.get(f"/o/{org.slug}/").content.decode()
    assert "Get started" in page
    assert "Set your working hours" in page
    assert "Invite your first client" in page


def test_checklist_disappears_once_every_step_is_done(org, owner, web):
    organization_update(organization=org, actor=owner, data={"phone": "+13125550100", "sms_number": "+13125550101"})
    WeeklyAvailabilityFactory(coach=CoachFactory(organization=org))
    SessionTypeFactory(organization=org)
    PackagePlanFactory(organization=org)
    web.post(f"/o/{org.slug}/setup/choice/", {"choice": "manual_payments"})
    web.post(f"/o/{org.slug}/booking-link/shared/")
    InvitationFactory(organization=org, role=Role.CLIENT, status=Invitation.Status.PENDING)
    page = web.get(f"/o/{org.slug}/").content.decode()
    assert "Get started" not in page


def test_forbidden_page_inside_a_business_names_it(org):
    staff = member(org, Role.STAFF)
    response = login_as(staff).get(f"/o/{org.slug}/settings/")
    assert response.status_code == 403
    page = response.content.decode()
    assert org.name in page
    assert "Your role doesn" in page
