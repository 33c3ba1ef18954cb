"""The team's "New group" page (/o/<slug>/chat/groups/new/) and the thread's Mute / Unmute button
(team and portal): the group gets the chosen members, a client the member may not see is refused
with nothing written, another business's and a client's logins get 404 / 403."""

from __future__ import annotations

import pytest
from django_scopes import scope

from coachos.chat.models import Conversation, ConversationState, GroupMember
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import OrganizationFactory, member

from .conftest import portal_client, team_member
from .test_pages import chat_url, conversation_of

pytestmark = pytest.mark.django_db
NEW = "groups/new/"


def groups(org):
    with scope(organization=org):
        return list(Conversation.objects.filter(kind=Conversation.Kind.GROUP))


def test_the_list_links_to_the_new_group_page(org, web):
    html = web.get(chat_url(org)).content.decode()
    assert f'href="/o/{org.slug}/chat/groups/new/"' in html and "New group" in html


def test_a_coach_creates_a_group_with_the_chosen_members(org, owner, coach, olivia, liam):
    web = login_as(coach.user)
    page = web.get(chat_url(org, NEW))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Olivia Martinez" in html and "Liam Johnson" in html and "Olga Owner" in html
    assert "Jordan Reyes" not in html  # the creator joins anyway; they are not offered
    with scope(organization=org):
        boss = Membership.objects.get(organization=org, user=owner)
    response = web.post(chat_url(org, NEW), {"title": "  Saturday   bootcamp ", "clients": [olivia.client.pk],
                                             "memberships": [boss.pk]})
    [group] = groups(org)
    assert response.status_code == 302 and response["Location"] == chat_url(org, f"{group.pk}/")
    assert group.title == "Saturday bootcamp"
    with scope(organization=org):
        members = GroupMember.objects.filter(conversation=group)
        assert {m.client_id for m in members if m.client_id} == {olivia.client.pk}
        assert {m.membership_id for m in members if m.membership_id} == {boss.pk, coach.membership.pk}
    thread = web.get(response["Location"])
    assert thread.status_code == 200 and "Saturday bootcamp" in thread.content.decode()


def test_a_client_the_coach_may_not_see_is_refused_and_nothing_is_written(org, coach, olivia):
    limited = team_member(org, Role.COACH, sees_all_clients=False, name="Lena Limited")
    own = portal_client(org, first_name="Owen", last_name="Own", coach=limited)
    web = login_as(limited.user)
    html = web.get(chat_url(org, NEW)).content.decode()
    assert "Owen Own" in html and "Olivia" not in html  # only the clients they may see are offered
    response = web.post(chat_url(org, NEW), {"title": "Evening class",
                                             "clients": [own.client.pk, olivia.client.pk]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No such client in this business." in html
    assert 'value="Evening class"' in html  # what was typed stays
    assert "Olivia" not in html
    assert groups(org) == []
    with scope(organization=org):
        assert not GroupMember.objects.exists()


def test_form_errors_keep_the_choices(org, web, olivia, liam):
    response = web.post(chat_url(org, NEW), {"title": "   ", "clients": [liam.client.pk]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html or "Give the group a name." in html
    checked = [line for line in html.split("<label") if 'type="checkbox"' in line and "checked" in line]
    assert len(checked) == 1 and "Liam Johnson" in checked[0]
    assert groups(org) == []


def test_another_business_gets_404_and_its_ids_are_refused(org, coach, olivia):
    other = OrganizationFactory(slug="elsewhere")
    stranger = member(other, Role.OWNER)
    web = login_as(stranger)
    assert web.get(chat_url(org, NEW)).status_code == 404
    assert web.post(chat_url(org, NEW), {"title": "Sneaky", "clients": [olivia.client.pk]}).status_code == 404
    # In their own business, this business's client and coach are no choice.
    response = web.post(f"/o/{other.slug}/chat/{NEW}", {"title": "Sneaky", "clients": [olivia.client.pk],
                                                         "memberships": [coach.membership.pk]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No such client in this business." in html and "No such team member in this business." in html
    assert groups(org) == [] and groups(other) == []
    conversation = conversation_of(olivia)
    assert web.post(f"/o/{other.slug}/chat/{conversation.pk}/mute/").status_code == 404
    assert web.post(chat_url(org, f"{conversation.pk}/mute/")).status_code == 404
    with scope(organization=org):
        assert not ConversationState.objects.filter(user=stranger).exists()


def test_a_client_cannot_use_the_new_group_page(org, olivia):
    web = login_as(olivia.user)
    assert web.get(chat_url(org, NEW)).status_code == 403
    assert web.post(chat_url(org, NEW), {"title": "Mine", "clients": [olivia.client.pk]}).status_code == 403
    assert groups(org) == []


# --- mute ----------------------------------------------------------------------------------------

def muted(conversation, user) -> bool:
    with scope(organization=conversation.organization):
        state = ConversationState.objects.filter(conversation=conversation, user=user).first()
    return bool(state and state.muted)


def test_the_team_mutes_and_unmutes_a_thread(org, coach, olivia):
    conversation = conversation_of(olivia)
    web = login_as(coach.user)
    thread = chat_url(org, f"{conversation.pk}/")
    html = web.get(thread).content.decode()
    assert f'action="/o/{org.slug}/chat/{conversation.pk}/mute/"' in html and ">Mute</button>" in html
    assert "data-chat-muted" not in html
    response = web.post(chat_url(org, f"{conversation.pk}/mute/"), {"muted": "1"})
    assert response.status_code == 302 and response["Location"] == thread
    assert muted(conversation, coach.user) and not muted(conversation, olivia.user)  # for this person only
    html = web.get(thread).content.decode()
    assert "data-chat-muted" in html and ">Unmute</button>" in html and 'name="muted" value="0"' in html
    web.post(chat_url(org, f"{conversation.pk}/mute/"), {"muted": "0"})
    assert not muted(conversation, coach.user)
    html = web.get(thread).content.decode()
    assert "data-chat-muted" not in html and ">Mute</button>" in html


def test_a_client_mutes_their_conversation_in_the_portal(org, olivia, liam):
    conversation = conversation_of(olivia)
    web = login_as(olivia.user)
    thread = f"/portal/{org.slug}/chat/{conversation.pk}/"
    assert f'action="/portal/{org.slug}/chat/{conversation.pk}/mute/"' in web.get(thread).content.decode()
    response = web.post(f"/portal/{org.slug}/chat/{conversation.pk}/mute/", {"muted": "1"})
    assert response.status_code == 302 and response["Location"] == thread
    assert muted(conversation, olivia.user)
    assert "data-chat-muted" in web.get(thread).content.decode()
    web.post(f"/portal/{org.slug}/chat/{conversation.pk}/mute/", {"muted": "0"})
    assert not muted(conversation, olivia.user)
    # Another client's conversation is a 404, and nothing is recorded for it.
    theirs = conversation_of(liam)
    assert web.post(f"/portal/{org.slug}/chat/{theirs.pk}/mute/", {"muted": "1"}).status_code == 404
    assert not muted(theirs, olivia.user)


def test_a_limited_coach_cannot_mute_another_coachs_client(org, coach, olivia):
    limited = team_member(org, Role.COACH, sees_all_clients=False, name="Lena Limited")
    conversation = conversation_of(olivia)
    assert login_as(limited.user).post(chat_url(org, f"{conversation.pk}/mute/")).status_code == 404
    assert not muted(conversation, limited.user)
