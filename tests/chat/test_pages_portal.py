"""A client's conversation pages (/portal/<slug>/chat/): their own conversation and their groups, in
their own time zone, the team by first names; another client's or another business's is a 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_scopes import scope

from coachos.chat.models import Conversation, Message
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import ClientFactory, GroupConversationFactory, GroupMemberFactory, member

from .conftest import portal_client
from .test_pages import conversation_of, say

pytestmark = pytest.mark.django_db
NOON_CHICAGO = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def portal_url(org, suffix: str = "") -> str:
    return f"/portal/{org.slug}/chat/{suffix}"


def test_portal_navigation_has_messages_with_the_unread_count(org, coach, olivia):
    say(conversation_of(olivia), coach, "Welcome, Olivia!")
    html = login_as(olivia.user).get(f"/portal/{org.slug}/").content.decode()
    nav = html.split('class="container portalnav"')[1].split("</nav>")[0]
    assert f'href="/portal/{org.slug}/chat/"' in nav and "Messages" in nav and "(1 unread)" in nav


def test_no_conversation_yet_offers_to_write_and_starts_it(org, olivia):
    web = login_as(olivia.user)
    html = web.get(portal_url(org)).content.decode()
    assert f"Write to {org.name}" in html and f'action="/portal/{org.slug}/chat/start/"' in html
    response = web.post(portal_url(org, "start/"))
    with scope(organization=org):
        conversation = Conversation.objects.get(client=olivia.client)
    assert response.status_code == 302 and response["Location"] == portal_url(org, f"{conversation.pk}/")
    web.post(portal_url(org, "start/"))
    with scope(organization=org):
        assert Conversation.objects.count() == 1
    listed = web.get(portal_url(org))
    assert [r["id"] for r in listed.context["rows"]] == [conversation.pk]
    assert listed.context["rows"][0]["title"] == org.name
    assert "Write to" not in listed.content.decode()


def test_a_login_without_a_client_record_has_nobody_to_write_to(org):
    lonely = member(org, Role.CLIENT, name="Lone Person")
    web = login_as(lonely)
    html = web.get(portal_url(org)).content.decode()
    assert "not linked to a client record" in html and "chat/start/" not in html
    assert web.post(portal_url(org, "start/")).status_code == 404


def test_the_list_has_their_groups_but_not_others(org, coach, olivia, liam):
    with scope(organization=org):
        bootcamp = GroupConversationFactory(organization=org, title="Saturday bootcamp")
        GroupMemberFactory(conversation=bootcamp, client=olivia.client)
        GroupMemberFactory(conversation=bootcamp, client=liam.client)
        other_group = GroupConversationFactory(organization=org, title="Evening runners")
        GroupMemberFactory(conversation=other_group, client=liam.client)
    own = conversation_of(olivia)
    liams = conversation_of(liam)
    rows = login_as(olivia.user).get(portal_url(org)).context["rows"]
    assert {r["id"] for r in rows} == {own.pk, bootcamp.pk}
    assert liams.pk not in {r["id"] for r in rows}
    group = login_as(olivia.user).get(portal_url(org, f"{bootcamp.pk}/"))
    assert group.status_code == 200
    html = group.content.decode()
    assert "Saturday bootcamp" in html and "Liam" in html and "Johnson" not in html  # first names only


def test_thread_in_the_clients_zone_with_the_coachs_first_name(org, coach, olivia):
    with scope(organization=org):
        olivia.client.timezone = "Europe/London"
        olivia.client.save(update_fields=["timezone"])
    conversation = conversation_of(olivia)
    with time_machine.travel(NOON_CHICAGO, tick=False):
        say(conversation, coach, "Lunch after the session?", at=NOON_CHICAGO)
        response = login_as(olivia.user).get(portal_url(org, f"{conversation.pk}/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "6:00\u202fPM" in html  # 18:00 UTC is 6 pm in London
    assert "Times in London time" in html and '"zone": "Europe/London"' in html
    assert "Jordan" in html and "Jordan Reyes" not in html
    row = response.context["rows"][0]
    assert row["sender"]["name"] == "Jordan" and row["can_report"] and not row["can_delete"]
    assert "Report this message" in html


def test_client_sends_without_script(org, coach, olivia):
    conversation = conversation_of(olivia)
    web = login_as(olivia.user)
    key = web.get(portal_url(org, f"{conversation.pk}/")).context["client_key"]
    response = web.post(portal_url(org, f"{conversation.pk}/"), {"body": "Knee feels better", "client_key": key,
                                                                "channel": "sms"})
    assert response.status_code == 302
    with scope(organization=org):
        message = Message.objects.get()
    # A client cannot send "by text": it is an in-app message from them.
    assert message.kind == Message.Kind.IN_APP and message.sender_client_id == olivia.client.pk


def test_a_client_cannot_open_another_clients_thread(org, coach, olivia, liam):
    theirs = conversation_of(liam)
    say(theirs, coach, "Liam's plan")
    web = login_as(olivia.user)
    assert web.get(portal_url(org, f"{theirs.pk}/")).status_code == 404
    assert web.post(portal_url(org, f"{theirs.pk}/"), {"body": "hi", "client_key": "x"}).status_code == 404
    with scope(organization=org):
        assert Message.objects.count() == 1


def test_another_business_gets_404(org, coach, olivia, other_org):
    conversation = conversation_of(olivia)
    say(conversation, coach, "Private")
    stranger = portal_client(other_org, first_name="Sam", last_name="Stranger")
    web = login_as(stranger.user)
    assert web.get(f"/portal/{other_org.slug}/chat/{conversation.pk}/").status_code == 404
    assert web.post(f"/portal/{other_org.slug}/chat/{conversation.pk}/",
                    {"body": "x", "client_key": "x"}).status_code == 404
    assert web.get(f"/portal/{other_org.slug}/chat/").context["rows"] == []
    assert web.get(portal_url(org)).status_code == 404  # not their business at all
    with scope(organization=other_org):
        ClientFactory(organization=other_org)
    with scope(organization=org):
        assert Message.objects.count() == 1


def test_the_team_does_not_use_the_portal_pages(org, web, olivia):
    conversation = conversation_of(olivia)
    assert web.get(portal_url(org, f"{conversation.pk}/")).status_code == 403


def test_unread_badge_counts_conversations_not_messages(org, coach, olivia):
    conversation = conversation_of(olivia)
    for i in range(3):
        say(conversation, coach, f"Note {i}", at=NOON_CHICAGO + timedelta(minutes=i))
    web = login_as(olivia.user)
    html = web.get(f"/portal/{org.slug}/").content.decode()
    assert "(1 unread)" in html
    web.get(portal_url(org, f"{conversation.pk}/"))
    assert "unread)" not in web.get(f"/portal/{org.slug}/").content.decode()
