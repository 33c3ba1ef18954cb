"""The team's conversation pages (/o/<slug>/chat/): the list with its filters and empty states, a
thread (rendered on the server, sent with a plain form), the client page's "Message" button, the
navigation; and 404 for every conversation or client one may not see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope

from coachos.chat import services
from coachos.chat.models import Conversation, ConversationState, Message
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import ChatMessageFactory, ClientFactory, ConversationFactory, OrganizationFactory, member

from .conftest import Person, portal_client, team_member

pytestmark = pytest.mark.django_db
NOON_CHICAGO = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def chat_url(org: Any, suffix: str = "") -> str:
    return f"/o/{org.slug}/chat/{suffix}"


def say(conversation: Conversation, person: Person, body: str, *, at: datetime | None = None) -> Message:
    """A message in the conversation, as the service writes it (frames go nowhere in tests)."""
    with scope(organization=conversation.organization):
        message, _created = services.message_send(conversation=conversation, actor=person.user, body=body,
                                                  client_key=f"k-{Message.objects.count()}-{body[:10]}", now=at)
    return message


def conversation_of(person: Person) -> Conversation:
    assert person.client is not None
    with scope(organization=person.client.organization):
        conversation, _created = services.conversation_get_or_create(client=person.client)
    return conversation


# --- the list ------------------------------------------------------------------------------------

def test_empty_list_says_what_to_do_and_offers_to_start(org, web):
    response = web.get(chat_url(org))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No conversations yet" in html
    assert f'action="/o/{org.slug}/chat/new/"' in html and "Start a conversation" in html
    # The outbox and the texts stay one tab away.
    assert f'href="/o/{org.slug}/messages/"' in html and f'href="/o/{org.slug}/messages/inbox/"' in html


def test_list_is_most_recent_first_with_preview_and_unread(org, owner, coach, olivia, liam):
    boss = Person(user=owner, headers={})
    older, newer = conversation_of(liam), conversation_of(olivia)
    say(older, boss, "Welcome aboard, Liam", at=timezone.now() - timedelta(hours=3))
    say(newer, olivia, "Can we move Thursday to 6 pm? https://example.com/plan")
    response = login_as(owner).get(chat_url(org))
    rows = response.context["rows"]
    assert [r["id"] for r in rows] == [newer.pk, older.pk]
    assert rows[0]["unread"] == 1 and rows[1]["unread"] == 0  # the owner wrote the other one
    html = response.content.decode()
    assert "Can we move Thursday to 6 pm?" in html and "Olivia Martinez" in html
    assert 'aria-label="1 unread message"' in html
    assert f'href="/o/{org.slug}/chat/{newer.pk}/"' in html


def test_filters_unread_mine_archived_and_search(org, owner, coach, olivia, liam):
    mine_for_coach, other = conversation_of(olivia), conversation_of(liam)  # olivia is the coach's client
    say(mine_for_coach, olivia, "Knee question")
    say(other, Person(user=owner, headers={}), "Hello Liam")
    web = login_as(coach.user)

    def ids(query: str) -> list[int]:
        return [r["id"] for r in web.get(chat_url(org) + query).context["rows"]]

    assert set(ids("")) == {mine_for_coach.pk, other.pk}
    assert ids("?show=mine") == [mine_for_coach.pk]
    assert set(ids("?show=unread")) == {mine_for_coach.pk, other.pk}  # the coach has read neither
    assert ids("?q=knee") == [mine_for_coach.pk]
    assert ids("?q=liam") == [other.pk]  # by the client's name

    response = web.post(chat_url(org, f"{other.pk}/archive/"), {"archived": "1", "next": chat_url(org)})
    assert response.status_code == 302 and response["Location"] == chat_url(org)
    assert ids("") == [mine_for_coach.pk]
    assert ids("?show=archived") == [other.pk]
    web.post(chat_url(org, f"{other.pk}/archive/"), {"archived": "0"})
    assert ids("?show=archived") == []
    html = web.get(chat_url(org) + "?show=archived").content.decode()
    assert "Nothing archived" in html


def test_filtered_empty_states(org, web, olivia):
    conversation_of(olivia)
    assert "all caught up" in web.get(chat_url(org) + "?show=unread").content.decode()
    html = web.get(chat_url(org) + "?q=zebra").content.decode()
    assert "No conversations match" in html and "Show all conversations" in html
    assert "No conversations with your clients" in web.get(chat_url(org) + "?show=mine").content.decode()


def test_a_bad_cursor_starts_again(org, web):
    response = web.get(chat_url(org) + "?cursor=not-a-cursor")
    assert response.status_code == 302 and response["Location"] == chat_url(org)


# --- a thread ------------------------------------------------------------------------------------

def test_thread_groups_by_day_in_the_business_zone_and_escapes_text(org, owner, olivia):
    conversation = conversation_of(olivia)
    with time_machine.travel(NOON_CHICAGO, tick=False):
        say(conversation, olivia, "Yesterday <b>bold</b> www.example.com/x", at=NOON_CHICAGO - timedelta(days=1))
        say(conversation, Person(user=owner, headers={}), "Today, see https://example.com/plan?a=1&b=2",
            at=NOON_CHICAGO)
        response = login_as(owner).get(chat_url(org, f"{conversation.pk}/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert [d["label"] for d in response.context["days"]] == ["Monday, November 23", "Tuesday, November 24"]
    assert "12:00\u202fPM" in html  # 18:00 UTC is noon in Chicago
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert '<a href="https://example.com/plan?a=1&amp;b=2" rel="nofollow">' in html
    assert 'href="http://www.example.com/x"' in html
    assert 'role="log"' in html and 'aria-live="polite"' in html
    assert '"zone": "America/Chicago"' in html and '"locale": "en-US"' in html


def test_opening_the_thread_marks_it_read(org, coach, olivia):
    conversation = conversation_of(olivia)
    last = say(conversation, olivia, "Are you there?")
    web = login_as(coach.user)
    assert web.get(chat_url(org)).context["rows"][0]["unread"] == 1
    web.get(chat_url(org, f"{conversation.pk}/"))
    with scope(organization=org):
        assert ConversationState.objects.get(conversation=conversation, user=coach.user).last_read_id == last.pk
    assert web.get(chat_url(org)).context["rows"][0]["unread"] == 0


def test_send_without_script_once_per_key(org, coach, olivia):
    conversation = conversation_of(olivia)
    web = login_as(coach.user)
    page = web.get(chat_url(org, f"{conversation.pk}/"))
    key = page.context["client_key"]
    for _attempt in range(2):  # a double click, or the form sent again
        response = web.post(chat_url(org, f"{conversation.pk}/"), {"body": "See you at 6", "client_key": key})
        assert response.status_code == 302
        assert response["Location"] == chat_url(org, f"{conversation.pk}/") + "#chat-composer"
    with scope(organization=org):
        assert list(Message.objects.values_list("body", "sender_id")) == [("See you at 6", coach.user.pk)]
    assert "See you at 6" in web.get(chat_url(org, f"{conversation.pk}/")).content.decode()


def test_an_empty_message_is_shown_again_with_the_reason(org, coach, olivia):
    conversation = conversation_of(olivia)
    response = login_as(coach.user).post(chat_url(org, f"{conversation.pk}/"), {"body": "   ", "client_key": "k1"})
    assert response.status_code == 200
    assert "Write a message first." in response.content.decode()
    with scope(organization=org):
        assert not Message.objects.exists()


def test_by_text_shown_when_the_client_has_a_phone_and_sends_through_the_outbox(sms_org, coach, olivia, liam):
    org = sms_org
    conversation = conversation_of(olivia)
    web = login_as(coach.user)
    html = web.get(chat_url(org, f"{conversation.pk}/")).content.decode()
    assert "Send by text" in html and "data-chat-by-text" in html and "No texts:" not in html
    web.post(chat_url(org, f"{conversation.pk}/"), {"body": "Running 5 min late", "client_key": "t1", "channel": "sms"})
    with scope(organization=org):
        message = Message.objects.get()
        assert message.kind == Message.Kind.SMS_OUT and message.outbound is not None
        assert message.outbound.to == olivia.client.phone
    # Liam has a phone but never agreed to texts: the choice is there, switched off, with the reason.
    html = web.get(chat_url(org, f"{conversation_of(liam).pk}/")).content.decode()
    assert "No texts: The client has not agreed to texts." in html


def test_no_by_text_without_a_phone(org, coach):
    nophone = portal_client(org, first_name="Nora", last_name="Nophone", coach=coach, phone="")
    html = login_as(coach.user).get(chat_url(org, f"{conversation_of(nophone).pk}/")).content.decode()
    assert "data-chat-by-text" not in html


def test_older_messages_page_back_and_search_inside(org, owner, olivia):
    conversation = conversation_of(olivia)
    boss = Person(user=owner, headers={})
    start = timezone.now() - timedelta(hours=2)
    with scope(organization=org):
        sent = [ChatMessageFactory(conversation=conversation, sender=boss.user, body=f"Message number {i}",
                                   created_at=start + timedelta(minutes=i)) for i in range(55)]
    web = login_as(owner)
    first = web.get(chat_url(org, f"{conversation.pk}/"))
    assert [r["id"] for r in first.context["rows"]] == [m.pk for m in sent[5:]]
    assert first.context["has_older"] and f'href="?before={sent[5].pk}"' in first.content.decode()
    back = web.get(chat_url(org, f"{conversation.pk}/?before={sent[5].pk}"))
    assert [r["id"] for r in back.context["rows"]] == [m.pk for m in sent[:5]]
    assert not back.context["has_older"] and back.context["newer_exists"]
    assert "data-chat-composer" not in back.content.decode()  # only the latest page has the composer
    found = web.get(chat_url(org, f"{conversation.pk}/?q=number+42"))
    assert [r["id"] for r in found.context["rows"]] == [sent[42].pk]
    assert f'href="?before={sent[42].pk + 1}#m-{sent[42].pk}"' in found.content.decode()


def test_own_messages_show_their_state_and_actions_data(org, coach, olivia):
    conversation = conversation_of(olivia)
    theirs = say(conversation, olivia, "Theirs")
    mine = say(conversation, coach, "Mine")  # after Olivia's: she has not read it
    response = login_as(coach.user).get(chat_url(org, f"{conversation.pk}/"))
    rows = {r["id"]: r for r in response.context["rows"]}
    assert rows[mine.pk]["mine"] and rows[mine.pk]["can_edit"] and rows[mine.pk]["state"] == "sent"
    assert not rows[theirs.pk]["mine"] and not rows[theirs.pk]["can_edit"] and not rows[theirs.pk]["can_delete"]
    assert not rows[theirs.pk]["can_report"]  # reporting is the client's
    html = response.content.decode()
    assert f'id="m-{mine.pk}"' in html and 'data-state="sent"' in html


def test_empty_thread_says_what_to_do(org, coach, olivia):
    html = login_as(coach.user).get(chat_url(org, f"{conversation_of(olivia).pk}/")).content.decode()
    assert "No messages yet." in html and "the client sees it in their portal" in html


# --- starting a conversation ---------------------------------------------------------------------

def test_picker_finds_clients_and_message_opens_their_conversation(org, coach, olivia, liam):
    web = login_as(coach.user)
    html = web.get(chat_url(org, "new/?q=oliv")).content.decode()
    assert "Olivia Martinez" in html and "Liam" not in html
    response = web.post(chat_url(org, f"clients/{olivia.client.pk}/"))
    with scope(organization=org):
        conversation = Conversation.objects.get(client=olivia.client)
    assert response.status_code == 302 and response["Location"] == chat_url(org, f"{conversation.pk}/")
    # Again: the same conversation; a GET goes to it too.
    assert web.post(chat_url(org, f"clients/{olivia.client.pk}/"))["Location"] == chat_url(org, f"{conversation.pk}/")
    assert web.get(chat_url(org, f"clients/{olivia.client.pk}/"))["Location"] == chat_url(org, f"{conversation.pk}/")
    with scope(organization=org):
        assert Conversation.objects.count() == 1


def test_get_before_a_conversation_exists_asks_first(org, coach, liam):
    response = login_as(coach.user).get(chat_url(org, f"clients/{liam.client.pk}/"))
    assert response.status_code == 200 and "Start the conversation" in response.content.decode()
    with scope(organization=org):
        assert not Conversation.objects.exists()


def test_picker_with_no_clients_offers_to_add_one(org, web):
    html = web.get(chat_url(org, "new/")).content.decode()
    assert "No clients yet" in html and f'href="/o/{org.slug}/clients/new/"' in html


def test_client_page_has_a_message_button(org, web, olivia):
    html = web.get(f"/o/{org.slug}/clients/{olivia.client.pk}/").content.decode()
    assert f'action="/o/{org.slug}/chat/clients/{olivia.client.pk}/"' in html
    assert 'data-action="message"' in html


# --- navigation ----------------------------------------------------------------------------------

def test_messages_in_the_navigation_opens_conversations_and_counts_unread(org, coach, olivia, liam):
    say(conversation_of(olivia), olivia, "One")
    say(conversation_of(liam), liam, "Two")
    web = login_as(coach.user)
    html = web.get(f"/o/{org.slug}/").content.decode()
    nav = html.split('id="backoffice-nav"')[1].split("</ul>")[0]
    assert f'href="/o/{org.slug}/chat/"' in nav and "(2 unread)" in nav
    for page in (chat_url(org), f"/o/{org.slug}/messages/", f"/o/{org.slug}/messages/inbox/"):
        html = web.get(page).content.decode()
        nav = html.split('id="backoffice-nav"')[1].split("</ul>")[0]
        assert f'href="/o/{org.slug}/chat/" aria-current="page"' in nav, page


# --- who may see what ----------------------------------------------------------------------------

def test_another_business_gets_404_on_every_page(org, coach, olivia):
    conversation = conversation_of(olivia)
    say(conversation, olivia, "Private")
    other = OrganizationFactory(slug="elsewhere")
    stranger = member(other, Role.OWNER)
    web = login_as(stranger)
    for url in (f"/o/{other.slug}/chat/{conversation.pk}/", f"/o/{other.slug}/chat/clients/{olivia.client.pk}/"):
        assert web.get(url).status_code == 404, url
    assert web.post(f"/o/{other.slug}/chat/{conversation.pk}/", {"body": "x", "client_key": "x"}).status_code == 404
    assert web.post(f"/o/{other.slug}/chat/{conversation.pk}/archive/").status_code == 404
    assert web.post(f"/o/{other.slug}/chat/clients/{olivia.client.pk}/").status_code == 404
    # Their own business's pages do not list it either.
    assert web.get(f"/o/{other.slug}/chat/").context["rows"] == []
    # And the business itself is not theirs.
    assert web.get(chat_url(org)).status_code == 404
    assert web.get(chat_url(org, f"{conversation.pk}/")).status_code == 404
    with scope(organization=org):
        assert Message.objects.count() == 1 and not ConversationState.objects.filter(user=stranger).exists()


def test_a_limited_coach_cannot_open_another_coachs_clients_thread(org, coach, olivia):
    limited = team_member(org, Role.COACH, sees_all_clients=False, name="Lena Limited")
    own = portal_client(org, first_name="Owen", last_name="Own", coach=limited)
    theirs = conversation_of(olivia)  # the other coach's client
    say(theirs, olivia, "For Jordan only")
    web = login_as(limited.user)
    assert web.get(chat_url(org, f"{theirs.pk}/")).status_code == 404
    assert web.post(chat_url(org, f"{theirs.pk}/"), {"body": "x", "client_key": "x"}).status_code == 404
    assert web.post(chat_url(org, f"{theirs.pk}/archive/")).status_code == 404
    assert web.post(chat_url(org, f"clients/{olivia.client.pk}/")).status_code == 404
    assert web.get(chat_url(org, f"clients/{olivia.client.pk}/")).status_code == 404
    assert "Olivia" not in web.get(chat_url(org, "new/?q=oli")).content.decode()
    assert [r["id"] for r in web.get(chat_url(org)).context["rows"]] == []
    mine = conversation_of(own)
    assert web.get(chat_url(org, f"{mine.pk}/")).status_code == 200


def test_a_client_cannot_use_the_team_pages(org, olivia):
    conversation = conversation_of(olivia)
    web = login_as(olivia.user)
    assert web.get(chat_url(org)).status_code == 403
    assert web.get(chat_url(org, f"{conversation.pk}/")).status_code == 403


def test_a_conversation_id_of_nothing_is_404(org, web):
    assert web.get(chat_url(org, "999999/")).status_code == 404
    with scope(organization=org):
        stray = ClientFactory(organization=org)
        conversation = ConversationFactory(client=stray)
        ChatMessageFactory(conversation=conversation)
    assert web.get(chat_url(org, f"{conversation.pk}/")).status_code == 200


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 50, 50)).save(out, format="PNG")
    return out.getvalue()


def test_files_go_with_the_plain_form_and_a_refused_one_leaves_nothing(org, coach, olivia):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coachos.chat.models import Attachment

    conversation = conversation_of(olivia)
    web = login_as(coach.user)
    url = chat_url(org, f"{conversation.pk}/")
    refused = web.post(url, {"body": "", "client_key": "f1",
                             "file": SimpleUploadedFile("page.html", b"<html><script>x</script></html>")})
    assert refused.status_code == 200 and "This kind of file cannot be sent." in refused.content.decode()
    with scope(organization=org):
        assert not Attachment.objects.exists() and not Message.objects.exists()
    # A good photo with a message that may not be sent (empty text is fine with a file; a text of 4001
    # characters is not): the photo is not kept either.
    web.post(url, {"body": "x" * 4001, "client_key": "f2", "file": SimpleUploadedFile("form.png", _png())})
    with scope(organization=org):
        assert not Attachment.objects.exists()
    response = web.post(url, {"body": "", "client_key": "f3", "file": SimpleUploadedFile("form.png", _png())})
    assert response.status_code == 302
    with scope(organization=org):
        attachment = Attachment.objects.get()
        assert attachment.message is not None and attachment.thumbnail
    html = login_as(olivia.user).get(f"/portal/{org.slug}/chat/{conversation.pk}/").content.decode()
    assert f'src="/portal/{org.slug}/chat/attachments/{attachment.pk}/thumbnail/"' in html
    assert 'alt="form.png"' in html
