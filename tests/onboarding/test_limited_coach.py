"""Onboarding for a coach the owner limited to their own clients: the overview lists only their
clients (and no invitation without a client record); another client's signed waiver is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    ClientFactory,
    InvitationFactory,
    UserFactory,
    WaiverSignatureFactory,
    WaiverVersionFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(org: Organization) -> Any:
    return member(org, Role.COACH, email="maya@example.com", name="Maya Coach")


def test_limited_coach_onboarding_overview_and_signatures(org, coach, owner):
    with scope(organization=org):
        mine = Membership.objects.get(user=coach)
        mine.sees_all_clients = False
        mine.save()
        zoe = ClientFactory(organization=org, first_name="Zoe", last_name="Allen", coach_membership=mine,
                            email="zoe@example.com", user=UserFactory(email="zoe@example.com"))
        otto = ClientFactory(organization=org, first_name="Otto", last_name="Other", email="otto@example.com",
                             user=UserFactory(email="otto@example.com"))
        InvitationFactory(organization=org, role=Role.CLIENT, email="nina@example.com", name="Nina New")
        version = WaiverVersionFactory(template__organization=org)
        own_signature = WaiverSignatureFactory(version=version, client=zoe)
        other_signature = WaiverSignatureFactory(version=version, client=otto)
    web = login_as(coach)
    overview = web.get(f"/o/{org.slug}/onboarding/")
    assert [row["name"] for row in overview.context["rows"]] == ["Zoe Allen"]
    assert web.get(f"/o/{org.slug}/onboarding/signatures/{own_signature.pk}/pdf/").status_code == 200
    assert web.get(f"/o/{org.slug}/onboarding/signatures/{other_signature.pk}/pdf/").status_code == 404
    everyone = login_as(owner).get(f"/o/{org.slug}/onboarding/")
    assert {row["name"] for row in everyone.context["rows"]} == {"Zoe Allen", "Otto Other", "Nina New"}
