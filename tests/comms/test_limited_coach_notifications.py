"""The bell and the inbox for a coach the owner limited to their own clients: the unread counts,
the list and "mark all read" leave out what is about other clients (``clients_visible_to``), even
entries written before the owner limited the coach; and no new notification about another client
reaches them on any channel."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from coachos.comms import notify
from coachos.comms.models import InboundMessage, Notification, OutboundMessage
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, InboundMessageFactory, NotificationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(org: Organization) -> Any:
    return member(org, Role.COACH, email="maya@example.com", name="Maya Coach")


def _limit(org: Organization, user: Any) -> Membership:
    with scope(organization=org):
        membership = Membership.objects.get(user=user)
        membership.sees_all_clients = False
        membership.save()
        return membership


def _url(org: Organization, name: str, **kwargs: Any) -> str:
    return reverse(f"notifications:{name}", kwargs={"org_slug": org.slug, **kwargs})


def test_bell_list_and_read_all_leave_other_clients_out(org: Organization, coach: Any) -> None:
    with scope(organization=org):
        mine = Membership.objects.get(user=coach)
        zoe = ClientFactory(organization=org, first_name="Zoe", coach_membership=mine)
        otto = ClientFactory(organization=org, first_name="Otto")
        # Written while Maya still saw every client.
        about_zoe = NotificationFactory(organization=org, user=coach, client=zoe, title="Zoe booked")
        about_otto = NotificationFactory(organization=org, user=coach, client=otto, title="Otto booked")
        general = NotificationFactory(organization=org, user=coach, title="Automation failed")
    _limit(org, coach)
    web = login_as(coach)

    index = web.get(_url(org, "index"))
    assert index.context["unread"] == 2
    assert list(index.context["page"].object_list) == [general, about_zoe]
    assert "Otto" not in index.content.decode()
    assert web.get(_url(org, "bell")).context["count"] == 2
    assert "Notifications: 2 unread" in web.get(f"/o/{org.slug}/").content.decode()  # the top bar's bell
    assert web.get(_url(org, "open", notification_id=about_otto.pk)).status_code == 404
    assert web.post(_url(org, "read", notification_id=about_otto.pk)).status_code == 404

    web.post(_url(org, "read_all"))
    with scopes_disabled():
        unread = set(Notification.objects.filter(user=coach, read_at__isnull=True).values_list("pk", flat=True))
    assert unread == {about_otto.pk}
    assert web.get(_url(org, "bell")).context["count"] == 0


def test_the_owner_still_sees_and_counts_every_entry(org: Organization, owner: Any, coach: Any) -> None:
    _limit(org, coach)
    with scope(organization=org):
        otto = ClientFactory(organization=org, first_name="Otto")
        NotificationFactory(organization=org, user=owner, client=otto)
        NotificationFactory(organization=org, user=owner)
    assert login_as(owner).get(_url(org, "bell")).context["count"] == 2


def test_no_new_notification_about_another_client_reaches_a_limited_coach(org: Organization, owner: Any,
                                                                          coach: Any) -> None:
    mine = _limit(org, coach)
    with scope(organization=org):
        zoe = ClientFactory(organization=org, first_name="Zoe", coach_membership=mine)
        otto = ClientFactory(organization=org, first_name="Otto")
        # "client_message" goes by email too by default: neither channel may carry Otto's name to Maya.
        notify.team(organization=org, kind="client_message", client=otto,
                    context={"client_name": "Otto", "message": "Running late"}, dedupe_key="otto")
        notify.team(organization=org, kind="client_message", client=zoe,
                    context={"client_name": "Zoe", "message": "Running late"}, dedupe_key="zoe")
    with scopes_disabled():
        to_maya = Notification.objects.filter(user=coach)
        assert [n.client_id for n in to_maya] == [zoe.pk]
        assert set(Notification.objects.filter(user=owner).values_list("client_id", flat=True)) == {zoe.pk, otto.pk}
        assert not OutboundMessage.objects.filter(user=coach, body__contains="Otto").exists()


def test_inbox_unread_count_and_read_all_leave_other_clients_out(org: Organization, coach: Any) -> None:
    with scope(organization=org):
        mine = Membership.objects.get(user=coach)
        zoe = ClientFactory(organization=org, first_name="Zoe", coach_membership=mine)
        otto = ClientFactory(organization=org, first_name="Otto")
        InboundMessageFactory(organization=org, client=zoe)
        other = InboundMessageFactory(organization=org, client=otto)
    _limit(org, coach)
    web = login_as(coach)
    assert web.get(f"/o/{org.slug}/messages/inbox/").context["unread_count"] == 1
    web.post(f"/o/{org.slug}/messages/inbox/read-all/")
    with scopes_disabled():
        assert list(InboundMessage.objects.filter(read_at__isnull=True)) == [other]
