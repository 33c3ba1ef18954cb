from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from coachos.clients import services
from coachos.clients.models import Client
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import BookingFactory, ClientFactory, ClientPackageFactory, TrainingSessionFactory, member


def names(response) -> list[str]:
    return [c.first_name for c in response.context["page"].object_list]


def test_empty_state(org, web):
    response = web.get(f"/o/{org.slug}/clients/")
    assert response.status_code == 200
    assert "No clients yet — add one or import a CSV." in response.content.decode()


def test_search_and_no_match(org, web):
    with scope(organization=org):
        ClientFactory(organization=org, first_name="Ana", last_name="Diaz", email="ana@example.com",
                      phone="+13125550111")
        ClientFactory(organization=org, first_name="Ben", last_name="Cole", email="ben@example.com",
                      phone="+13125550222")
    url = f"/o/{org.slug}/clients/"
    assert names(web.get(url, {"q": "ana diaz"})) == ["Ana"]
    assert names(web.get(url, {"q": "BEN@"})) == ["Ben"]
    assert names(web.get(url, {"q": "555-0222"})) == ["Ben"]
    response = web.get(url, {"q": "zzz"})
    assert names(response) == [] and "No client matches these filters." in response.content.decode()


def test_filters_and_sorting(org, owner, web):
    now = timezone.now()
    with scope(organization=org):
        ana = ClientFactory(organization=org, first_name="Ana", last_name="A", status="lead")
        ben = ClientFactory(organization=org, first_name="Ben", last_name="B")
        cy = ClientFactory(organization=org, first_name="Cy", last_name="C")
        dee = ClientFactory(organization=org, first_name="Dee", last_name="D", status="archived")
        services.client_tag(client=ben, actor=owner, name="VIP")
        ClientPackageFactory(client=ana, remaining=8)                                            # plenty
        ClientPackageFactory(client=ben, remaining=1)                                            # low
        ClientPackageFactory(client=cy, remaining=5, expires_at=now + timedelta(days=5))         # expiring
        ClientPackageFactory(client=dee, remaining=0)                                            # used up
        session = TrainingSessionFactory(coach__membership__organization=org, starts_at=now - timedelta(days=3),
                                         ends_at=now - timedelta(days=3) + timedelta(hours=1))
        BookingFactory(organization=org, session=session, client=ben)
        old = TrainingSessionFactory(coach=session.coach, session_type=session.session_type,
                                     starts_at=now - timedelta(days=60), ends_at=now - timedelta(days=60, hours=-1))
        BookingFactory(organization=org, session=old, client=cy)
        vip = ben.tags.get().pk
    url = f"/o/{org.slug}/clients/"
    assert names(web.get(url, {"status": "lead"})) == ["Ana"]
    assert names(web.get(url, {"tag": vip})) == ["Ben"]
    assert names(web.get(url, {"credits": "has"})) == ["Ana", "Ben", "Cy"]
    assert names(web.get(url, {"credits": "low"})) == ["Ben", "Cy", "Dee"]
    assert names(web.get(url, {"credits": "expiring"})) == ["Cy"]
    assert names(web.get(url, {"credits": "none"})) == ["Dee"]
    assert names(web.get(url, {"inactive": "30"})) == ["Ana", "Cy", "Dee"]
    assert names(web.get(url, {"sort": "last_booking"}))[:2] == ["Ben", "Cy"]
    assert names(web.get(url, {"sort": "newest"})) == ["Dee", "Cy", "Ben", "Ana"]
    # Filters combine and stay in the pagination links.
    assert names(web.get(url, {"credits": "has", "status": "active", "q": "b"})) == ["Ben"]
    # Nonsense filters are ignored rather than an error.
    assert web.get(url, {"inactive": "abc", "tag": "999999", "sort": "evil"}).status_code == 200


def test_pagination_keeps_filters(org, web):
    with scope(organization=org):
        for i in range(30):
            ClientFactory(organization=org, first_name=f"P{i:02d}", last_name="Same", status="paused")
    response = web.get(f"/o/{org.slug}/clients/", {"status": "paused"})
    assert "status=paused&amp;page=2" in response.content.decode()
    assert len(names(web.get(f"/o/{org.slug}/clients/", {"status": "paused", "page": 2}))) == 5


def _queries(web, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert web.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_constant_queries_whatever_the_page_size(org, owner, web):
    url = f"/o/{org.slug}/clients/?sort=last_booking&credits=has"
    with scope(organization=org):
        for _i in range(2):
            c = ClientFactory(organization=org)
            ClientPackageFactory(client=c)
            services.client_tag(client=c, actor=owner, name="VIP")
    _queries(web, url)  # the first request of a login session saves the session; later ones do not
    few = _queries(web, url)
    with scope(organization=org):
        for _i in range(20):
            c = ClientFactory(organization=org)
            ClientPackageFactory(client=c)
            services.client_tag(client=c, actor=owner, name="Morning")
    many = _queries(web, url)
    assert few == many
    assert len(web.get(url).context["page"].object_list) == 22


@pytest.mark.parametrize("role", [Role.STAFF, Role.COACH])
def test_front_desk_and_coaches_may_use_the_pages(org, role):
    user = member(org, role, email=f"{role}@example.com")
    assert login_as(user).get(f"/o/{org.slug}/clients/").status_code == 200


def test_clients_of_the_portal_may_not(org):
    user = member(org, Role.CLIENT, email="c@example.com")
    assert login_as(user).get(f"/o/{org.slug}/clients/").status_code == 403


def test_another_business_list_is_a_404(org, other_org):
    outsider = member(other_org, Role.OWNER, email="other@example.com")
    assert login_as(outsider).get(f"/o/{org.slug}/clients/").status_code == 404


def test_dashboard_cards(org, web):
    with scope(organization=org):
        ClientPackageFactory(client=ClientFactory(organization=org), remaining=1)
        ClientPackageFactory(client=ClientFactory(organization=org), remaining=4,
                             expires_at=timezone.now() + timedelta(days=3))
    response = web.get(f"/o/{org.slug}/")
    html = response.content.decode()
    assert response.context["credit_counts"] == {"low_credits": 2, "expiring_packages": 1}
    assert "Clients low on credits" in html and "?credits=expiring" in html
    assert Client  # imported for readers: the model the list shows
