"""Feature flags per business: flag_active(request_or_org, name) over django-waffle's flags."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory
from waffle.models import Flag

from coachos.common.flags import flag_active
from coachos.tenancy.roles import Role

from ..factories import OrganizationFactory, member


def test_unknown_flag_is_off(org: Any) -> None:
    assert flag_active(org, "new-calendar") is False


def test_everyone_switches_all_businesses(org: Any, other_org: Any) -> None:
    flag = Flag.objects.create(name="new-calendar", everyone=True)
    assert flag_active(org, "new-calendar") and flag_active(other_org, "new-calendar")
    flag.everyone = False
    flag.save()
    flag.flush()  # waffle clears its cache on commit; the test's transaction never commits
    assert not flag_active(org, "new-calendar")


def test_percent_rolls_out_to_a_stable_share_of_businesses(db: None) -> None:
    businesses = [OrganizationFactory() for _ in range(60)]
    flag = Flag.objects.create(name="new-calendar", everyone=None, percent=25)
    on_at_25 = {b.pk for b in businesses if flag_active(b, "new-calendar")}
    assert on_at_25 == {b.pk for b in businesses if flag_active(b, "new-calendar")}  # same answer every time
    assert 3 <= len(on_at_25) <= 27
    flag.percent = 75
    flag.save()
    flag.flush()
    on_at_75 = {b.pk for b in businesses if flag_active(b, "new-calendar")}
    assert on_at_25 <= on_at_75 and len(on_at_75) > len(on_at_25)


def test_request_uses_its_business_and_waffles_user_rules(org: Any) -> None:
    Flag.objects.create(name="beta", everyone=None, staff=True)
    request = RequestFactory().get("/")
    request.organization = org
    request.user = member(org, Role.OWNER)
    assert flag_active(request, "beta") is False
    request.user.is_staff = True
    assert flag_active(request, "beta") is True


def test_platform_staff_manage_flags_in_the_admin(org: Any) -> None:
    from ..conftest import login_as

    staff = member(org, Role.OWNER, is_staff=True, is_superuser=True)
    assert login_as(staff).get("/admin/waffle/flag/").status_code == 200
    assert login_as(member(org, Role.OWNER)).get("/admin/waffle/flag/").status_code == 302
