"""The audit log reads as sentences and filters by person, kind and date (all in the URL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django_scopes import scope

from coachos.clients.models import Client
from coachos.tenancy import audit
from coachos.tenancy.roles import Role

from ..factories import ClientFactory, PurchaseFactory, member


def _shown(response) -> list[str]:
    return [e.sentence for e in response.context["page"].object_list]


def test_a_refund_reads_as_a_sentence(org, web):
    maya = member(org, Role.COACH, email="maya@example.com", name="Maya")
    with scope(organization=org):
        zoe = ClientFactory(organization=org, first_name="Zoe", last_name="Allen")
        purchase = PurchaseFactory(client=zoe, plan__name="Intro pack")
        audit.log(organization=org, actor=maya, action="purchase.refunded", obj=purchase,
                  data={"amount_minor": 5000, "credits_removed": 0})
    response = web.get(f"/o/{org.slug}/audit/")
    assert _shown(response) == ["Maya refunded $50.00 of Zoe Allen's purchase Intro pack"]
    assert "Maya refunded $50.00 of Zoe Allen&#x27;s purchase Intro pack" in response.content.decode()


def test_client_and_settings_sentences_and_the_fallback(org, owner, web):
    with scope(organization=org):
        zoe = ClientFactory(organization=org, first_name="Zoe", last_name="Allen")
        audit.log(organization=org, actor=owner, action="client.created", obj=zoe)
        audit.log(organization=org, actor=owner, action="organization.updated", obj=org,
                  data={"changed": {"time_zone": ["UTC", "Europe/London"]}})
        audit.log(organization=org, actor=None, action="widget.polished", obj=zoe)
    shown = _shown(web.get(f"/o/{org.slug}/audit/"))
    assert shown == [
        "Coach OS: Widget — polished (Zoe Allen)",
        "Olga Owner changed the business settings (time zone)",
        "Olga Owner added the client Zoe Allen",
    ]


def test_a_deleted_object_still_reads(org, owner, web):
    with scope(organization=org):
        zoe = ClientFactory(organization=org, first_name="Zoe")
        audit.log(organization=org, actor=owner, action="client.created", obj=zoe)
        Client.objects.filter(pk=zoe.pk).delete()
    assert _shown(web.get(f"/o/{org.slug}/audit/")) == [f"Olga Owner added the client Client #{zoe.pk}"]


def test_filters_by_person_kind_and_date(org, owner, web):
    maya = member(org, Role.COACH, email="maya@example.com", name="Maya")
    with scope(organization=org):
        zoe = ClientFactory(organization=org, first_name="Zoe", last_name="Allen")
        audit.log(organization=org, actor=owner, action="client.created", obj=zoe)
        audit.log(organization=org, actor=maya, action="client.status_changed", obj=zoe,
                  data={"from": "active", "to": "paused"})
        # An entry from ten days ago (at noon, the business's time): the log is append-only, so it is
        # written then.
        ten_days_ago = (datetime.now(ZoneInfo(org.timezone)) - timedelta(days=10)).replace(hour=12)
        with time_machine.travel(ten_days_ago, tick=False):
            audit.log(organization=org, actor=maya, action="organization.updated", obj=org)

    by_maya = web.get(f"/o/{org.slug}/audit/", {"actor": maya.pk})
    assert len(_shown(by_maya)) == 2
    assert "Maya changed Zoe Allen's status from active to paused" in _shown(by_maya)

    clients_only = web.get(f"/o/{org.slug}/audit/", {"action": "client"})
    assert {e.action for e in clients_only.context["page"].object_list} == {"client.created", "client.status_changed"}

    recent = web.get(f"/o/{org.slug}/audit/", {"from": (ten_days_ago + timedelta(days=2)).date().isoformat()})
    assert "organization.updated" not in {e.action for e in recent.context["page"].object_list}
    that_day = ten_days_ago.date().isoformat()
    back_then = web.get(f"/o/{org.slug}/audit/", {"from": that_day, "to": that_day})
    assert [e.action for e in back_then.context["page"].object_list] == ["organization.updated"]
    nonsense = web.get(f"/o/{org.slug}/audit/", {"from": "not-a-date", "actor": "x"})
    assert nonsense.status_code == 200 and len(_shown(nonsense)) == 3


def test_pages_keep_the_filters(org, owner, web):
    with scope(organization=org):
        for _n in range(51):
            audit.log(organization=org, actor=owner, action="client.tagged", obj=org)
    html = web.get(f"/o/{org.slug}/audit/", {"action": "client"}).content.decode()
    assert "?action=client&amp;page=2" in html


def test_another_business_entries_are_never_shown(org, other_org, owner, web):
    with scope(organization=other_org):
        stranger = ClientFactory(organization=other_org, first_name="Far")
        audit.log(organization=other_org, actor=None, action="client.created", obj=stranger)
    assert _shown(web.get(f"/o/{org.slug}/audit/")) == []
