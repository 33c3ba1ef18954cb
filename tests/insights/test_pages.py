"""The Insights page, its CSV and PDF, dismissing cards and the revenue target."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django_scopes import scope

from coachos.insights.models import CardDismissal, RevenueTarget
from coachos.tenancy.models import AuditEntry, Membership
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import member
from tests.insights.dataset import NOW, build

pytestmark = pytest.mark.django_db
MARCH = "?preset=custom&start=2026-03-01&end=2026-03-31"


@pytest.fixture
def known(org: Any, owner: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        with scope(organization=org):
            membership = Membership.objects.get(user=owner)
        return build(org, membership)


def url(org: Any, tail: str = "") -> str:
    return f"/o/{org.slug}/insights/{tail}"


def test_the_page_shows_the_numbers_charts_and_cards(known: Any, web: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        page = web.get(url(known.org) + MARCH)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="completed">4<' in html
    assert 'id="revenue-chart"' in html and 'id="utilization-chart"' in html and "vendor/chart.umd.min.js" in html
    assert 'data-kind="credits_expiring"' in html
    assert "$210.00" in html and "$420.00" in html  # revenue and forecast


def test_presets_and_bad_dates_keep_the_page_working(known: Any, web: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        for query in ("?preset=week", "?preset=year", "?preset=30d", "?preset=quarter", "?start=nope&end=x",
                      "?preset=custom&start=2026-03-31&end=2026-03-01"):
            assert web.get(url(known.org) + query).status_code == 200, query
        bad = web.get(url(known.org) + "?preset=custom&start=2026-03-31&end=2026-03-01").content.decode()
    assert "The end must be on or after the start." in bad


def test_csv_and_pdf(known: Any, web: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        csv_response = web.get(url(known.org, "export.csv") + MARCH)
        pdf_response = web.get(url(known.org, "export.pdf") + MARCH)
    lines = csv_response.content.decode().splitlines()
    assert lines[0] == "section,metric,value"
    assert "revenue,total_minor,21000" in lines and "sessions,completed,4" in lines
    assert "sessions,no_show_rate,0.2" in lines and "clients,churned,1" in lines
    assert pdf_response["Content-Type"] == "application/pdf" and pdf_response.content.startswith(b"%PDF")


def test_dismissed_cards_stay_away_until_the_numbers_change(known: Any, web: Any, owner: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        html = web.get(url(known.org) + MARCH).content.decode()
        fingerprint = html.split('name="fingerprint" value="')[1].split('"')[0]
        response = web.post(url(known.org, "cards/dismiss/"), {"kind": "credits_expiring", "fingerprint": fingerprint})
        assert response.status_code == 302
        assert 'data-kind="credits_expiring"' not in web.get(url(known.org) + MARCH).content.decode()
        with scope(organization=known.org):
            assert CardDismissal.objects.count() == 1
            assert AuditEntry.objects.filter(action="insights.card_dismissed").count() == 1
            # One more credit expiring: the facts changed, the card is back.
            from tests.factories import ClientPackageFactory
            from tests.insights.dataset import local
            ClientPackageFactory(client=known.clients["D"], total=2, remaining=2, expires_at=local(3, 25))
        assert 'data-kind="credits_expiring"' in web.get(url(known.org) + MARCH).content.decode()


def test_a_made_up_card_cannot_be_dismissed(known: Any, web: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        response = web.post(url(known.org, "cards/dismiss/"), {"kind": "credits_expiring", "fingerprint": "x" * 32})
    assert response.status_code == 404
    with scope(organization=known.org):
        assert not CardDismissal.objects.exists()


def test_owner_sets_the_revenue_target_and_sees_progress(known: Any, web: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        assert web.post(url(known.org, "target/"), {"amount": "420.00"}).status_code == 302
        html = web.get(url(known.org) + MARCH).content.decode()
        assert web.post(url(known.org, "target/"), {"amount": "-3"}).status_code == 302  # a form error, nothing saved
    with scope(organization=known.org):
        [target] = RevenueTarget.objects.all()
    assert target.amount_minor == 42000 and str(target.month) == "2026-03-01"
    assert '<progress value="21000" max="42000"' in html


def test_a_coach_cannot_set_the_target(known: Any) -> None:
    coach = member(known.org, Role.COACH)
    with time_machine.travel(NOW, tick=False):
        response = login_as(coach).post(url(known.org, "target/"), {"amount": "1"})
    assert response.status_code in (403, 404)
    with scope(organization=known.org):
        assert not RevenueTarget.objects.exists()


def test_another_business_gets_404(known: Any, other_org: Any) -> None:
    stranger = login_as(member(other_org, Role.OWNER))
    for tail in ("", "export.csv", "export.pdf"):
        assert stranger.get(url(known.org, tail)).status_code == 404
    assert stranger.post(url(known.org, "cards/dismiss/"), {"kind": "x", "fingerprint": "y"}).status_code == 404
    assert stranger.post(url(known.org, "target/"), {"amount": "1"}).status_code == 404


def test_a_limited_coach_sees_no_money_on_the_page(known: Any) -> None:
    from tests.people import team_member

    coach = team_member(known.org, Role.COACH, sees_all_clients=False)
    with scope(organization=known.org):
        coach.membership.sees_money = False
        coach.membership.save()
    with time_machine.travel(NOW, tick=False):
        html = login_as(coach.user).get(url(known.org) + MARCH).content.decode()
        csv_text = login_as(coach.user).get(url(known.org, "export.csv") + MARCH).content.decode()
    assert 'id="revenue-chart"' not in html and "$210.00" not in html
    assert "revenue" not in csv_text and "sessions,completed," in csv_text
