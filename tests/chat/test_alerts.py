"""Telling people: a bell at once (not while they look at the conversation), a text once when a client
leaves an in-app message unread past the business's delay, one email grouping what stayed unread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_scopes import scope

from coachos.chat import alerts, realtime, services
from coachos.chat.models import ChatSettings, UnreadNotice
from coachos.chat.tasks import send_unread_notices
from coachos.comms.models import Notification, NotificationPreference, OutboundMessage, SmsOptOut

from .conftest import open_conversation, patch, portal_client, post, send

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # noon in Chicago: no quiet hours


def run_job(at: datetime) -> dict[str, int]:
    with time_machine.travel(at, tick=False):
        return send_unread_notices.delay().get()  # type: ignore[no-any-return]


def texts(org) -> list[OutboundMessage]:
    with scope(organization=org):
        return list(OutboundMessage.objects.filter(kind="chat_message_client", channel="sms").order_by("pk"))


def test_a_bell_at_once_for_the_client(client, sms_org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    sent = send(client, conversation["id"], "How did the run go?", coach.headers, "k").json()
    with scope(organization=sms_org):
        bell = Notification.objects.get(user=olivia.user)
    assert bell.kind == "chat_message_client" and bell.title == "Message from Jordan"
    assert bell.body == "How did the run go?" and bell.related_id == sent["id"]
    # The client's conversation in the portal (or, before the chat pages exist, the portal's home).
    assert bell.url in (f"/portal/{sms_org.slug}/chat/{conversation['id']}/", f"/portal/{sms_org.slug}/")


def test_no_bell_while_the_recipient_is_looking(client, sms_org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    realtime.presence_enter(user_id=olivia.user.pk, conversation_id=conversation["id"], socket_id="tab-1")
    send(client, conversation["id"], "Seen live", coach.headers, "k1")
    with scope(organization=sms_org):
        assert not Notification.objects.filter(user=olivia.user).exists()
    realtime.presence_leave(user_id=olivia.user.pk, conversation_id=conversation["id"], socket_id="tab-1")
    send(client, conversation["id"], "Not looking now", coach.headers, "k2")
    with scope(organization=sms_org):
        assert Notification.objects.filter(user=olivia.user).count() == 1


def test_a_clients_message_rings_their_coach_not_everyone(client, sms_org, boss, coach, olivia, liam):
    conversation = open_conversation(client, olivia.client, olivia.headers)
    send(client, conversation["id"], "Question about Saturday", olivia.headers, "k")
    with scope(organization=sms_org):
        assert [n.user for n in Notification.objects.filter(kind="chat_message")] == [coach.user]
        assert Notification.objects.get(kind="chat_message").title == "Message from Olivia Martinez"
    # A client with no coach: the owners hear of it.
    theirs = open_conversation(client, liam.client, liam.headers)
    send(client, theirs["id"], "Hello?", liam.headers, "k")
    with scope(organization=sms_org):
        assert [n.user for n in Notification.objects.filter(kind="chat_message", related_id__isnull=False)
                .exclude(user=coach.user)] == [boss.user]


def test_muted_and_switched_off_bells_stay_quiet(client, sms_org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    patch(client, f"/api/v1/conversations/{conversation['id']}", {"muted": True}, coach.headers)
    send(client, conversation["id"], "One", olivia.headers, "k1")
    with scope(organization=sms_org):
        assert not Notification.objects.filter(user=coach.user).exists()
        NotificationPreference.objects.create(organization=sms_org, user=olivia.user, kind="chat_message_client",
                                              via="in_app", enabled=False)
    send(client, conversation["id"], "Two", coach.headers, "k2")
    with scope(organization=sms_org):
        assert not Notification.objects.filter(user=olivia.user).exists()


def test_an_unread_message_is_texted_once_after_the_delay(client, sms_org, coach, olivia, settings):
    settings.PUBLIC_BASE_URL = "https://coach.example.com"
    conversation = open_conversation(client, olivia.client, coach.headers)
    with time_machine.travel(NOON, tick=False):
        send(client, conversation["id"], "Did you get the plan?", coach.headers, "k1")
    with time_machine.travel(NOON + timedelta(minutes=2), tick=False):
        send(client, conversation["id"], "It's in your inbox", coach.headers, "k2")
    assert run_job(NOON + timedelta(minutes=29)) == {}
    assert texts(sms_org) == []
    assert run_job(NOON + timedelta(minutes=31)) == {"texted": 1}
    [text] = texts(sms_org)
    assert text.to == olivia.client.phone and text.client == olivia.client
    assert text.body.startswith(f"{sms_org.name}: Jordan wrote: “Did you get the plan?”")
    assert f"https://coach.example.com/portal/{sms_org.slug}/" in text.body
    # The second message falls due two minutes later: the client has had their nudge and not read yet.
    assert run_job(NOON + timedelta(minutes=33)) == {"covered": 1}
    assert run_job(NOON + timedelta(minutes=40)) == {}
    assert len(texts(sms_org)) == 1
    with scope(organization=sms_org):
        assert UnreadNotice.objects.filter(done_at__isnull=True).count() == 0
    # Once they have read, the next unread message is news again.
    thread = client.get(f"/api/v1/conversations/{conversation['id']}/messages", **olivia.headers).json()
    post(client, f"/api/v1/conversations/{conversation['id']}/read", {"up_to": thread[-1]["id"]}, olivia.headers)
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        send(client, conversation["id"], "Tomorrow at 7?", coach.headers, "k3")
    assert run_job(NOON + timedelta(hours=3)) == {"texted": 1}
    assert "Tomorrow at 7?" in texts(sms_org)[-1].body


def test_messages_due_together_make_one_text(client, sms_org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    with time_machine.travel(NOON, tick=False):
        for n in range(3):
            send(client, conversation["id"], f"Part {n}", coach.headers, f"k{n}")
    run_job(NOON + timedelta(minutes=45))
    [text] = texts(sms_org)
    assert "3 new messages" in text.body and "Part 2" in text.body


def test_a_message_read_in_time_is_not_texted(client, sms_org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    with time_machine.travel(NOON, tick=False):
        sent = send(client, conversation["id"], "Quick one", coach.headers, "k").json()
    with time_machine.travel(NOON + timedelta(minutes=10), tick=False):
        post(client, f"/api/v1/conversations/{conversation['id']}/read", {"up_to": sent["id"]}, olivia.headers)
    assert run_job(NOON + timedelta(hours=1)) == {"read": 1}
    assert texts(sms_org) == []


def test_the_business_chooses_the_delay(client, sms_org, boss, coach, olivia):
    with scope(organization=sms_org):
        services.chat_settings_update(organization=sms_org, actor=boss.user, unread_text_after_minutes=10)
        assert ChatSettings.objects.get().unread_text_after_minutes == 10
    conversation = open_conversation(client, olivia.client, coach.headers)
    with time_machine.travel(NOON, tick=False):
        send(client, conversation["id"], "Soon", coach.headers, "k")
    assert run_job(NOON + timedelta(minutes=9)) == {}
    assert run_job(NOON + timedelta(minutes=11)) == {"texted": 1}


def test_no_consent_or_stop_means_an_email_instead(client, sms_org, coach, olivia, liam):
    with scope(organization=sms_org):
        SmsOptOut.objects.create(organization=sms_org, phone=olivia.client.phone, opted_out_at=NOON)
    for person in (olivia, liam):  # opted out; never agreed to texts
        conversation = open_conversation(client, person.client, coach.headers)
        with time_machine.travel(NOON, tick=False):
            send(client, conversation["id"], f"Hello {person.client.first_name}", coach.headers, "k")
    assert run_job(NOON + timedelta(minutes=31)) == {"emailed": 2}
    assert texts(sms_org) == []
    with scope(organization=sms_org):
        emails = OutboundMessage.objects.filter(kind="chat_message_client", channel="email").order_by("to")
        assert sorted(e.to for e in emails) == sorted([olivia.client.email, liam.client.email])
        assert all("unread message" in e.subject for e in emails)


def test_a_client_without_a_portal_login_is_texted_without_a_link(client, sms_org, coach):
    from tests.factories import ClientFactory

    with scope(organization=sms_org):
        walk_in = ClientFactory(organization=sms_org, first_name="Ava", phone="+13125550177", sms_consent=True)
    conversation = open_conversation(client, walk_in, coach.headers)
    with time_machine.travel(NOON, tick=False):
        send(client, conversation["id"], "See you Monday", coach.headers, "k")
    run_job(NOON + timedelta(minutes=31))
    [text] = texts(sms_org)
    assert "Reply to this text to answer." in text.body and "/portal/" not in text.body


def test_the_team_gets_one_email_grouping_what_stayed_unread(client, sms_org, coach, olivia, liam):
    with scope(organization=sms_org):
        from coachos.clients.models import Client

        Client.objects.filter(pk=liam.client.pk).update(coach_membership=coach.membership)
    a = open_conversation(client, olivia.client, olivia.headers)
    b = open_conversation(client, liam.client, liam.headers)
    with time_machine.travel(NOON, tick=False):
        send(client, a["id"], "Can we move Friday?", olivia.headers, "k1")
        send(client, b["id"], "Knee feels better", liam.headers, "k2")
    assert run_job(NOON + timedelta(minutes=31)) == {"emailed": 1}
    with scope(organization=sms_org):
        [email] = OutboundMessage.objects.filter(kind="chat_message", channel="email")
    assert email.to == coach.user.email and email.subject == f"2 unread messages at {sms_org.name}"
    assert "Olivia Martinez: Can we move Friday?" in email.body and "Liam Johnson: Knee feels better" in email.body
    assert run_job(NOON + timedelta(hours=2)) == {}  # once


def test_the_teams_email_follows_their_preference(client, sms_org, coach, olivia):
    with scope(organization=sms_org):
        NotificationPreference.objects.create(organization=sms_org, user=coach.user, kind="chat_message",
                                              via="email", enabled=False)
    conversation = open_conversation(client, olivia.client, olivia.headers)
    with time_machine.travel(NOON, tick=False):
        send(client, conversation["id"], "Hi", olivia.headers, "k")
    assert run_job(NOON + timedelta(minutes=31)) == {"skipped": 1}
    with scope(organization=sms_org):
        assert not OutboundMessage.objects.filter(kind="chat_message").exists()


def test_the_job_is_declared():
    from coachos import jobs

    assert "coachos.chat.tasks.send_unread_notices" in {job.task for job in jobs.JOBS}
    assert alerts.EMAIL_AFTER == timedelta(minutes=30)


def test_a_deleted_message_is_not_texted(client, sms_org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    with time_machine.travel(NOON, tick=False):
        sent = send(client, conversation["id"], "Wrong person", coach.headers, "k").json()
        client.delete(f"/api/v1/conversations/{conversation['id']}/messages/{sent['id']}", **coach.headers)
    run_job(NOON + timedelta(minutes=31))
    assert texts(sms_org) == []


def test_group_members_get_email_not_texts(client, sms_org, boss, coach, olivia):
    other = portal_client(sms_org, first_name="Mia", last_name="Anderson", phone="+13125550166", sms_consent=True)
    group = post(client, "/api/v1/conversations/groups", {"title": "Bootcamp", "clients": [olivia.client.pk,
                                                                                          other.client.pk]},
                 boss.headers).json()
    with time_machine.travel(NOON, tick=False):
        send(client, group["id"], "Class moved to 7", boss.headers, "k")
    run_job(NOON + timedelta(minutes=31))
    assert texts(sms_org) == []
    with scope(organization=sms_org):
        emails = OutboundMessage.objects.filter(kind="chat_message_client", channel="email")
        assert sorted(e.to for e in emails) == sorted([olivia.user.email, other.user.email])
