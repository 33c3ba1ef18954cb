"""The back-office package pages: plans (list, create, edit, off sale) and the active packages
overview. Happy paths, bad input (nothing written, typed values kept), roles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from coachos.credits.models import ClientPackage, PackagePlan
from coachos.credits.services import (
    CreditError,
    low_balance_clients,
    package_grant,
    package_plan_update,
    use_session,
)
from coachos.tenancy.models import AuditEntry, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    ClientFactory,
    ClientPackageFactory,
    OrganizationFactory,
    PackagePlanFactory,
    SessionTypeFactory,
    member,
)

pytestmark = pytest.mark.django_db


def base(org: Organization) -> str:
    return f"/o/{org.slug}/packages/"


def plan_data(**overrides: Any) -> dict[str, Any]:
    data = {"name": "10 sessions", "sessions": "10", "price": "750.00", "validity_days": "90", "active": "on"}
    data.update(overrides)
    return data


def plans(org: Organization) -> list[PackagePlan]:
    with scope(organization=org):
        return list(PackagePlan.objects.prefetch_related("session_types"))


# --- plan list --------------------------------------------------------------------------------

def test_empty_state_invites_the_first_plan(web, org):
    response = web.get(base(org))
    assert response.status_code == 200
    assert "No packages yet — create your first package plan (e.g. 10 sessions, valid 90 days)" in \
        response.content.decode()


def test_the_list_shows_price_validity_types_and_counts(web, org):
    pt = SessionTypeFactory(organization=org, name="Personal training")
    plan = PackagePlanFactory(organization=org, name="10 sessions", price_minor=75000, validity_days=90)
    PackagePlanFactory(organization=org, name="Drop-in", sessions=1, price_minor=2500, validity_days=1, active=False)
    with scope(organization=org):
        plan.session_types.set([pt])
        client = ClientFactory(organization=org)
        package_grant(client=client, plan=plan, actor=None)
        old = package_grant(client=client, plan=plan, actor=None, now=timezone.now() - timedelta(days=100))
        assert old.expires_at < timezone.now()
    body = web.get(base(org)).content.decode()
    assert "$750.00" in body
    assert "$25.00" in body
    assert "90 days" in body and "1 day" in body
    assert "Personal training" in body
    assert "All" in body  # the drop-in covers every type
    assert "off sale" in body
    assert "2 given, 1 active" in body


def test_the_nav_lists_packages(web, org):
    body = web.get(f"/o/{org.slug}/").content.decode()
    assert f'href="{base(org)}"' in body


# --- create -----------------------------------------------------------------------------------

def test_create_a_plan_stores_the_price_in_minor_units(web, org, owner):
    pt = SessionTypeFactory(organization=org, name="Personal training")
    response = web.post(base(org) + "new/", plan_data(price="749.99", session_types=[str(pt.pk)]))
    assert response.status_code == 302, response.content.decode()
    [plan] = plans(org)
    assert (plan.name, plan.sessions, plan.price_minor, plan.validity_days, plan.active) == (
        "10 sessions", 10, 74999, 90, True)
    assert list(plan.session_types.all()) == [pt]
    with scope(organization=org):
        assert AuditEntry.objects.filter(action="package_plan.created", object_id=str(plan.pk)).exists()


@pytest.mark.parametrize(("typed", "minor"), [("750", 75000), ("0", 0), ("0.5", 50), ("1234.56", 123456)])
def test_price_conversion(web, org, typed, minor):
    assert web.post(base(org) + "new/", plan_data(price=typed)).status_code == 302
    assert plans(org)[0].price_minor == minor


def test_zero_decimal_currency_takes_whole_amounts(org, owner):
    yen = OrganizationFactory(slug="tokyo-gym", currency="JPY", timezone="Asia/Tokyo")
    user = member(yen, Role.OWNER)
    browser = login_as(user)
    assert browser.post(base(yen) + "new/", plan_data(price="5000")).status_code == 302
    assert plans(yen)[0].price_minor == 5000
    assert "¥5,000" in browser.get(base(yen)).content.decode()
    response = browser.post(base(yen) + "new/", plan_data(name="Half", price="10.5"))
    assert response.status_code == 200
    assert len(plans(yen)) == 1


@pytest.mark.parametrize("bad", [
    {"name": ""},
    {"sessions": "0"},
    {"sessions": "ten"},
    {"price": "-1"},
    {"price": "12.345"},
    {"price": "abc"},
    {"price": "99999999999"},
    {"validity_days": "0"},
    {"session_types": ["999999"]},
])
def test_bad_input_writes_nothing_and_keeps_what_was_typed(web, org, bad):
    data = plan_data(name="Summer pack", sessions="8", price="320.00", validity_days="45")
    data.update(bad)
    response = web.post(base(org) + "new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "field-error" in body or "form-errors" in body
    assert plans(org) == []
    for key, value in data.items():
        if key not in bad and key != "active":
            assert f'value="{value}"' in body, key


def test_another_business_session_type_is_refused(web, org, other_org):
    foreign = SessionTypeFactory(organization=other_org)
    response = web.post(base(org) + "new/", plan_data(session_types=[str(foreign.pk)]))
    assert response.status_code == 200
    assert plans(org) == []


def test_create_off_sale(web, org):
    data = plan_data()
    del data["active"]
    assert web.post(base(org) + "new/", data).status_code == 302
    assert plans(org)[0].active is False


# --- edit -------------------------------------------------------------------------------------

def test_edit_changes_the_plan_and_shows_the_decimal_price(web, org):
    plan = PackagePlanFactory(organization=org, price_minor=75000)
    url = base(org) + f"{plan.pk}/edit/"
    assert 'value="750.00"' in web.get(url).content.decode()
    response = web.post(url, plan_data(name="Ten pack", sessions="12", price="800", validity_days="120"))
    assert response.status_code == 302
    [plan] = plans(org)
    assert (plan.name, plan.sessions, plan.price_minor, plan.validity_days) == ("Ten pack", 12, 80000, 120)
    with scope(organization=org):
        entry = AuditEntry.objects.get(action="package_plan.updated", object_id=str(plan.pk))
    assert entry.data["changes"]["price_minor"] == [75000, 80000]


def test_editing_a_plan_never_changes_packages_already_given(web, org):
    pt = SessionTypeFactory(organization=org, name="Personal training")
    group = SessionTypeFactory(organization=org, name="Bootcamp", capacity=6)
    plan = PackagePlanFactory(organization=org, sessions=10, validity_days=90, price_minor=75000)
    client = ClientFactory(organization=org)
    with scope(organization=org):
        plan.session_types.set([pt])
        package = package_grant(client=client, plan=plan, actor=None)
        use_session(client=client, package=package, actor=None, idempotency_key="k1")
        before = ClientPackage.objects.filter(pk=package.pk).values(
            "name", "total", "remaining", "expires_at", "status").get()
    response = web.post(base(org) + f"{plan.pk}/edit/", plan_data(
        name="Renamed", sessions="3", price="10", validity_days="7", session_types=[str(group.pk)]))
    assert response.status_code == 302
    with scope(organization=org):
        after = ClientPackage.objects.filter(pk=package.pk).values(
            "name", "total", "remaining", "expires_at", "status").get()
        assert after == before
        assert list(ClientPackage.objects.get(pk=package.pk).session_types.all()) == [pt]
        # A package given after the edit takes the new numbers.
        fresh = package_grant(client=client, plan=PackagePlan.objects.get(pk=plan.pk), actor=None)
        assert (fresh.name, fresh.total) == ("Renamed", 3)
        assert list(fresh.session_types.all()) == [group]


def test_bad_edit_changes_nothing(web, org):
    plan = PackagePlanFactory(organization=org, name="Keep", sessions=10, price_minor=75000)
    response = web.post(base(org) + f"{plan.pk}/edit/", plan_data(name="Changed", sessions="-2"))
    assert response.status_code == 200
    assert 'value="Changed"' in response.content.decode()
    [plan] = plans(org)
    assert (plan.name, plan.sessions) == ("Keep", 10)


def test_take_off_sale_and_back(web, org):
    plan = PackagePlanFactory(organization=org)
    assert web.get(base(org) + f"{plan.pk}/off-sale/").status_code == 405
    assert web.post(base(org) + f"{plan.pk}/off-sale/").status_code == 302
    assert plans(org)[0].active is False
    assert web.post(base(org) + f"{plan.pk}/on-sale/").status_code == 302
    assert plans(org)[0].active is True


def test_service_refuses_unknown_fields_and_bad_values(org):
    plan = PackagePlanFactory(organization=org)
    with scope(organization=org):
        for data in ({"organization": None}, {"sessions": 0}, {"name": "  "}, {"price_minor": -1},
                     {"validity_days": 0}):
            with pytest.raises(CreditError):
                package_plan_update(plan=plan, actor=None, data=dict(data))
        assert not AuditEntry.objects.filter(action="package_plan.updated").exists()
        # Saving the same values is not a change: no audit row.
        package_plan_update(plan=plan, actor=None, data={"name": plan.name, "sessions": plan.sessions})
        assert not AuditEntry.objects.filter(action="package_plan.updated").exists()


# --- permissions ------------------------------------------------------------------------------

def test_coach_can_create(org):
    coach = login_as(member(org, Role.COACH))
    assert coach.post(base(org) + "new/", plan_data()).status_code == 302
    assert len(plans(org)) == 1


def test_front_desk_sees_the_list_but_cannot_create_or_change(org):
    plan = PackagePlanFactory(organization=org, name="10 sessions", price_minor=75000)
    desk = login_as(member(org, Role.STAFF))
    body = desk.get(base(org)).content.decode()
    assert "$750.00" in body
    assert "New package plan" not in body and "/edit/" not in body
    assert desk.get(base(org) + "new/").status_code == 403
    assert desk.post(base(org) + "new/", plan_data(name="Sneaky")).status_code == 403
    assert desk.post(base(org) + f"{plan.pk}/edit/", plan_data(name="Sneaky")).status_code == 403
    assert desk.post(base(org) + f"{plan.pk}/off-sale/").status_code == 403
    assert [p.name for p in plans(org)] == ["10 sessions"]
    assert plans(org)[0].active
    assert desk.get(base(org) + "clients/").status_code == 200


def test_a_client_cannot_see_the_back_office(org):
    plan = PackagePlanFactory(organization=org)
    client = login_as(member(org, Role.CLIENT))
    for url in ("", "new/", f"{plan.pk}/edit/", "clients/"):
        assert client.get(base(org) + url).status_code == 403
    assert client.post(base(org) + "new/", plan_data()).status_code == 403
    assert len(plans(org)) == 1


def test_anonymous_is_sent_to_log_in(client, org):
    response = client.get(base(org))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- active packages overview -----------------------------------------------------------------

@pytest.fixture
def overview(org: Organization) -> dict[str, ClientPackage]:
    now = timezone.now()
    made = {
        "plenty": ClientPackageFactory(organization=org, client=ClientFactory(organization=org, first_name="Plenty"),
                                       remaining=8, expires_at=now + timedelta(days=60)),
        "low": ClientPackageFactory(organization=org, client=ClientFactory(organization=org, first_name="Lowry"),
                                    remaining=1, expires_at=now + timedelta(days=60)),
        "soon": ClientPackageFactory(organization=org, client=ClientFactory(organization=org, first_name="Soonest"),
                                     remaining=5, expires_at=now + timedelta(days=7)),
        "past": ClientPackageFactory(organization=org, client=ClientFactory(organization=org, first_name="Pastor"),
                                     remaining=5, expires_at=now - timedelta(days=1)),
        "expired": ClientPackageFactory(organization=org, client=ClientFactory(organization=org, first_name="Gone"),
                                        remaining=0, expires_at=now - timedelta(days=9),
                                        status=ClientPackage.Status.EXPIRED),
    }
    return made


def test_overview_lists_active_packages_with_warnings_and_client_links(web, org, overview):
    body = web.get(base(org) + "clients/").content.decode()
    for name in ("Plenty", "Lowry", "Soonest"):
        assert name in body
    assert "Pastor" not in body and "Gone" not in body
    assert f'href="/o/{org.slug}/clients/{overview["low"].client_id}/"' in body
    assert "1 left" in body
    assert "expires soon" in body
    assert "<strong>8</strong> / 10" in body


@pytest.mark.parametrize(("show", "names", "absent"), [
    ("low", ["Lowry"], ["Plenty", "Soonest"]),
    ("expiring", ["Soonest"], ["Plenty", "Lowry"]),
    ("nonsense", ["Plenty", "Lowry", "Soonest"], []),
])
def test_overview_filters(web, org, overview, show, names, absent):
    body = web.get(base(org) + f"clients/?show={show}").content.decode()
    for name in names:
        assert name in body
    for name in absent:
        assert name not in body


def test_low_balance_clients(org, overview):
    with scope(organization=org):
        rows = low_balance_clients()
        assert [p.pk for p in rows] == [overview["soon"].pk, overview["low"].pk]
        assert [(p.is_low, p.is_expiring) for p in rows] == [(False, True), (True, False)]
        assert [p.pk for p in low_balance_clients(threshold=0, within_days=0)] == []
        assert overview["plenty"].pk in [p.pk for p in low_balance_clients(threshold=8)]


def test_overview_empty_state(web, org):
    assert "No active packages" in web.get(base(org) + "clients/").content.decode()
