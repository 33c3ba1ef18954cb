"""The client portal's packages: own packages only, credits left, expiry in the business zone,
warnings, and the history in plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django_scopes import scope

from coachos.credits.models import ClientPackage
from coachos.credits.services import package_grant, packages_expire, release_session, use_session
from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    BookingFactory,
    ClientFactory,
    ClientPackageFactory,
    PackagePlanFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    member,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)  # Sunday 1 March 2026, 12:00 in Chicago


def base(org: Organization) -> str:
    return f"/portal/{org.slug}/packages/"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def me(org: Organization) -> dict[str, Any]:
    user = member(org, Role.CLIENT, email="me@example.com", name="Mia Client")
    client = ClientFactory(organization=org, user=user, first_name="Mia")
    return {"user": user, "client": client, "web": login_as(user)}


def test_a_client_sees_credits_expiry_and_history_in_plain_words(clock, org, me):
    pt = SessionTypeFactory(organization=org, name="Personal training")
    plan = PackagePlanFactory(organization=org, name="10 sessions", sessions=10, validity_days=90)
    client = me["client"]
    # Tue 3 Mar 2026, 10:00 in Chicago = 16:00 UTC.
    first = TrainingSessionFactory(organization=org, session_type=pt,
                                   starts_at=datetime(2026, 3, 3, 16, 0, tzinfo=UTC),
                                   ends_at=datetime(2026, 3, 3, 17, 0, tzinfo=UTC))
    second = TrainingSessionFactory(organization=org, session_type=pt, coach=first.coach,
                                    starts_at=datetime(2026, 3, 5, 16, 0, tzinfo=UTC),
                                    ends_at=datetime(2026, 3, 5, 17, 0, tzinfo=UTC))
    with scope(organization=org):
        package = package_grant(client=client, plan=plan, actor=None)
        used = BookingFactory(organization=org, session=first, client=client, status=Booking.Status.COMPLETED)
        use_session(client=client, booking=used, actor=None)
        returned = BookingFactory(organization=org, session=second, client=client)
        use_session(client=client, booking=returned, actor=None)
        release_session(booking=returned, actor=None, reason="cancelled")
    web = me["web"]
    body = web.get(base(org)).content.decode()
    assert "9 sessions left" in body
    assert "of 10" in body
    # 90 days after 12:00 in Chicago on 1 March: Saturday 30 May 2026 in the business zone.
    assert "Valid until Saturday, May 30, 2026" in body
    assert "Ask your coach to add a package" in body
    assert "Buy" not in body  # buying comes with payments: no fake button
    body = web.get(base(org) + f"{package.pk}/").content.decode()
    assert "Used for Tue, Mar 3, 10:00 AM Personal training" in body
    assert "Returned: cancelled" in body
    assert "Added by your coach" in body
    assert ">+10<" in body and ">-1<" in body and ">+1<" in body


def test_low_and_expiring_soon_warnings(clock, org, me):
    ClientPackageFactory(organization=org, client=me["client"], name="Almost out", total=10, remaining=1,
                         expires_at=NOW + timedelta(days=60))
    body = me["web"].get(base(org)).content.decode()
    assert "Only 1 session left" in body
    assert "Expires soon" not in body
    ClientPackageFactory(organization=org, client=me["client"], name="Soon over", total=5, remaining=4,
                         expires_at=NOW + timedelta(days=6))
    body = me["web"].get(base(org)).content.decode()
    assert "Expires soon: use your sessions by Sat, Mar 7" in body
    assert "You have <strong>5 sessions</strong> left." in body


def test_expired_package_is_past_with_an_expired_line(clock, org, me):
    plan = PackagePlanFactory(organization=org, name="Intro pack", sessions=3, validity_days=30)
    with scope(organization=org):
        package = package_grant(client=me["client"], plan=plan, actor=None, now=NOW - timedelta(days=40))
        assert packages_expire(now=NOW) == 1
    body = me["web"].get(base(org)).content.decode()
    assert "Past packages" in body
    assert "No sessions available" in body
    body = me["web"].get(base(org) + f"{package.pk}/").content.decode()
    assert "This package has expired." in body
    assert "Expired" in body and ">-3<" in body


def test_a_client_sees_only_their_own_packages(clock, org, me):
    other = ClientFactory(organization=org, first_name="Other")
    mine = ClientPackageFactory(organization=org, client=me["client"], name="Mine")
    theirs = ClientPackageFactory(organization=org, client=other, name="Theirs")
    web = me["web"]
    body = web.get(base(org)).content.decode()
    assert "Mine" in body and "Theirs" not in body
    assert web.get(base(org) + f"{mine.pk}/").status_code == 200
    assert web.get(base(org) + f"{theirs.pk}/").status_code == 404
    assert web.get(base(org) + "999999/").status_code == 404


def test_a_client_without_a_record_sees_a_note_not_an_error(org):
    web = login_as(member(org, Role.CLIENT))
    response = web.get(base(org))
    assert response.status_code == 200
    assert "has not linked your client record" in response.content.decode()
    package = ClientPackageFactory(organization=org)
    assert web.get(base(org) + f"{package.pk}/").status_code == 404


def test_the_team_does_not_use_the_portal_page(web, org):
    assert web.get(base(org)).status_code == 403


def test_portal_nav_lists_packages(org, me):
    body = me["web"].get(f"/portal/{org.slug}/").content.decode()
    assert f'href="{base(org)}"' in body


def test_used_up_package_says_so(clock, org, me):
    ClientPackageFactory(organization=org, client=me["client"], total=5, remaining=0,
                         expires_at=NOW + timedelta(days=30), status=ClientPackage.Status.ACTIVE)
    body = me["web"].get(base(org)).content.decode()
    assert "All sessions used. Ask your coach to add a package." in body


def test_a_session_type_name_is_escaped(clock, org, me):
    evil = SessionTypeFactory(organization=org, name="<script>x</script>")
    session = TrainingSessionFactory(organization=org, session_type=evil, status=TrainingSession.Status.COMPLETED)
    plan = PackagePlanFactory(organization=org)
    with scope(organization=org):
        package = package_grant(client=me["client"], plan=plan, actor=None)
        booking = BookingFactory(organization=org, session=session, client=me["client"])
        use_session(client=me["client"], booking=booking, actor=None)
    body = me["web"].get(base(org) + f"{package.pk}/").content.decode()
    assert "<script>x</script>" not in body
    assert "&lt;script&gt;" in body
