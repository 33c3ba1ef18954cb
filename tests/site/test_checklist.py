"""The "Get started" checklist ticks itself from real data; only SMS and payments can be skipped."""

import pytest
from django_scopes import scope

from coachos.accounts.models import Invitation
from coachos.billing.models import BillingAccount
from coachos.site.checklist import setup_steps
from coachos.site.models import SetupProgress
from coachos.tenancy.models import AuditEntry
from coachos.tenancy.roles import Role
from coachos.tenancy.services import organization_update

from ..conftest import login_as
from ..factories import (
    ClientFactory,
    CoachFactory,
    InvitationFactory,
    PackagePlanFactory,
    SessionTypeFactory,
    WeeklyAvailabilityFactory,
    member,
)

pytestmark = pytest.mark.django_db


def done(org):
    with scope(organization=org):
        return {s.key: s.done for s in setup_steps(organization=org)}


def test_a_new_business_has_every_step_open(org, owner):
    assert done(org) == {"hours": False, "types": False, "package": False, "payments": False, "sms": False,
                         "link": False, "client": False}


def test_each_step_ticks_itself_from_real_data(org, owner, web):
    coach = CoachFactory(organization=org)
    WeeklyAvailabilityFactory(coach=coach)
    SessionTypeFactory(organization=org)
    PackagePlanFactory(organization=org)
    organization_update(organization=org, actor=owner, data={"sms_number": "+13125550101"})
    with scope(organization=org):
        BillingAccount.objects.create(organization=org, stripe_account_id="acct_1", charges_enabled=True)
    InvitationFactory(organization=org, role=Role.CLIENT, status=Invitation.Status.PENDING)
    assert web.post(f"/o/{org.slug}/booking-link/shared/").status_code == 204
    assert all(done(org).values())


def test_inactive_session_types_and_packages_off_sale_do_not_count(org, owner):
    SessionTypeFactory(organization=org, active=False)
    PackagePlanFactory(organization=org, active=False)
    steps = done(org)
    assert steps["types"] is False
    assert steps["package"] is False


def test_a_stripe_account_that_cannot_charge_yet_does_not_tick_payments(org, owner):
    with scope(organization=org):
        BillingAccount.objects.create(organization=org, stripe_account_id="acct_1", charges_enabled=False)
    assert done(org)["payments"] is False


def test_an_invited_coach_is_not_a_first_client(org, owner):
    InvitationFactory(organization=org, role=Role.COACH, status=Invitation.Status.PENDING)
    assert done(org)["client"] is False
    client_user = member(org, Role.CLIENT)
    ClientFactory(organization=org, user=client_user)
    assert done(org)["client"] is True


def test_skipping_sms_and_taking_cash_tick_those_steps_once_with_an_audit_entry(org, owner, web):
    for _ in range(2):
        web.post(f"/o/{org.slug}/setup/choice/", {"choice": "sms_skip"})
    response = web.post(f"/o/{org.slug}/setup/choice/", {"choice": "manual_payments"})
    assert response.status_code == 302
    steps = done(org)
    assert steps["sms"] and steps["payments"]
    with scope(organization=org):
        assert AuditEntry.objects.filter(action="setup.sms_skip").count() == 1
        assert AuditEntry.objects.filter(action="setup.manual_payments").count() == 1


def test_an_unknown_choice_changes_nothing(org, owner, web):
    assert web.post(f"/o/{org.slug}/setup/choice/", {"choice": "hours"}).status_code == 404
    with scope(organization=org):
        assert not SetupProgress.objects.exists()


def test_only_an_owner_may_skip_steps(org, owner):
    coach = member(org, Role.COACH)
    assert login_as(coach).post(f"/o/{org.slug}/setup/choice/", {"choice": "sms_skip"}).status_code == 403


def test_another_business_cannot_tick_this_ones_steps(org, owner, other_org):
    stranger = member(other_org, Role.OWNER)
    client = login_as(stranger)
    assert client.post(f"/o/{org.slug}/setup/choice/", {"choice": "sms_skip"}).status_code == 404
    assert client.post(f"/o/{org.slug}/booking-link/shared/").status_code == 404
    assert done(org)["sms"] is False
    assert done(org)["link"] is False


def test_the_card_links_each_open_step_to_its_page_and_goes_away_when_all_are_done(org, owner, web):
    page = web.get(f"/o/{org.slug}/").content.decode()
    assert "Get started" in page
    assert f'href="/o/{org.slug}/schedule/"' in page
    assert f'href="/o/{org.slug}/schedule/session-types/"' in page
    assert f'href="/o/{org.slug}/packages/new/"' in page
    assert "Skip SMS for now" in page
    coach = CoachFactory(organization=org)
    WeeklyAvailabilityFactory(coach=coach)
    SessionTypeFactory(organization=org)
    PackagePlanFactory(organization=org)
    web.post(f"/o/{org.slug}/setup/choice/", {"choice": "sms_skip"})
    web.post(f"/o/{org.slug}/setup/choice/", {"choice": "manual_payments"})
    web.get(f"/o/{org.slug}/booking-link/qr.svg?download=1")
    InvitationFactory(organization=org, role=Role.CLIENT, status=Invitation.Status.PENDING)
    page = web.get(f"/o/{org.slug}/").content.decode()
    assert "Get started" not in page
