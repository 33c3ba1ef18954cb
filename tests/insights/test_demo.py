"""The demo business has enough history for every chart and at least three insight cards."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client as DjangoClient
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import User
from coachos.insights import cards
from coachos.insights.demo import seed_insights
from coachos.insights.metrics import Viewer
from coachos.insights.models import InsightsSettings, RevenueTarget
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_the_demo_has_cards_charts_and_a_target() -> None:
    call_command("seed_demo")
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
        owner = Membership.objects.filter(organization=org, role=Role.OWNER).select_related("user").first()
    with scope(organization=org):
        found = cards.all_cards(Viewer(org, owner), timezone.now())
        assert len(found) >= 3, [c.kind for c in found]
        assert RevenueTarget.objects.count() == 1 and InsightsSettings.objects.get().assistant_enabled
        seed_insights(org)  # idempotent
        assert RevenueTarget.objects.count() == 1
    browser = DjangoClient()
    browser.force_login(User.objects.get(pk=owner.user_id))
    html = browser.get(f"/o/{org.slug}/insights/?preset=year").content.decode()
    assert 'id="revenue-chart"' in html and 'id="utilization-chart"' in html and "insight-card" in html
