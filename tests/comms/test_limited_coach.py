"""Messages for a coach the owner limited to their own clients: the outbox and the inbox leave out
messages to and from other clients (and their counts); another client's message is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from coachos.comms.models import InboundMessage, OutboundMessage
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, InboundMessageFactory, OutboundMessageFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(org: Organization) -> Any:
    return member(org, Role.COACH, email="maya@example.com", name="Maya Coach")


def test_limited_coach_sees_only_their_clients_messages(org, coach):
    with scope(organization=org):
        mine = Membership.objects.get(user=coach)
        mine.sees_all_clients = False
        mine.save()
        zoe = ClientFactory(organization=org, first_name="Zoe", coach_membership=mine)
        otto = ClientFactory(organization=org, first_name="Otto")
        own_out = OutboundMessageFactory(organization=org, client=zoe, status=OutboundMessage.Status.FAILED)
        other_out = OutboundMessageFactory(organization=org, client=otto, status=OutboundMessage.Status.FAILED)
        own_in = InboundMessageFactory(organization=org, client=zoe)
        other_in = InboundMessageFactory(organization=org, client=otto)
    web = login_as(coach)
    base = f"/o/{org.slug}/messages/"
    outbox = web.get(base)
    assert [row["message"] for row in outbox.context["rows"]] == [own_out]
    assert outbox.context["counts"] == {OutboundMessage.Status.FAILED: 1}
    assert list(web.get(base + "inbox/").context["page"].object_list) == [own_in]
    assert web.get(f"{base}{own_out.pk}/").status_code == 200
    assert web.get(f"{base}{other_out.pk}/").status_code == 404
    assert web.post(f"{base}{other_out.pk}/send-again/").status_code == 404
    assert web.post(f"{base}inbox/{other_in.pk}/read/").status_code == 404
    assert web.post(f"{base}inbox/{other_in.pk}/reply/", {f"r{other_in.pk}-body": "Hi"}).status_code == 404
    with scope(organization=org):
        assert InboundMessage.objects.get(pk=other_in.pk).read_at is None
        assert OutboundMessage.objects.filter(client=otto).count() == 1
