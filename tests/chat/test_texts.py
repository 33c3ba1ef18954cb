"""Texts in the same thread: a client's text to the business's number appears in their conversation;
the coach may answer by text (through the outbox: consent, STOP and quiet hours still apply) or by email."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django_scopes import scope

from coachos.chat.models import Conversation, Message
from coachos.comms import inbound
from coachos.comms.models import Notification, OutboundMessage

from .conftest import assert_problem, open_conversation, send

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def text_in(org, phone: str, body: str, sid: str = "SM0001") -> inbound.Received:
    return inbound.sms_receive(params={"MessageSid": sid, "From": phone, "To": org.sms_number, "Body": body})


def test_an_inbound_text_appears_in_the_clients_conversation(client, sms_org, coach, olivia, frames):
    received = text_in(sms_org, olivia.client.phone, "Running 5 min late, sorry!")
    assert received.handled_as == "message"
    with scope(organization=sms_org):
        conversation = Conversation.objects.get(client=olivia.client)
        message = Message.objects.get(conversation=conversation)
        assert message.kind == Message.Kind.SMS_IN and message.inbound == received.message
        # comms tells the team about the text (its bell); chat adds none of its own.
        assert Notification.objects.filter(kind="client_message").exists()
        assert not Notification.objects.filter(kind="chat_message").exists()
    thread = client.get(f"/api/v1/conversations/{conversation.pk}/messages", **coach.headers).json()
    assert [(m["kind"], m["channel"], m["body"], m["sender"]["name"]) for m in thread] == [
        ("sms_in", "sms", "Running 5 min late, sorry!", "Olivia Martinez")]
    assert thread[0]["state"] is None
    created = [f for f in frames if f["frame"]["type"] == "message.created"]
    assert coach.user.pk in created[0]["user_ids"] and created[0]["frame"]["message"]["kind"] == "sms_in"
    # The same text delivered twice by Twilio is still one message.
    assert text_in(sms_org, olivia.client.phone, "Running 5 min late, sorry!").handled_as == "duplicate"
    with scope(organization=sms_org):
        assert Message.objects.count() == 1
    listed = client.get("/api/v1/conversations", **coach.headers).json()["results"]
    assert listed[0]["unread"] == 1 and listed[0]["last_message"]["preview"] == "Running 5 min late, sorry!"


def test_keywords_and_unknown_numbers_do_not_make_messages(client, sms_org, olivia):
    text_in(sms_org, olivia.client.phone, "STOP", sid="SM1")
    text_in(sms_org, "+13125550188", "Do you run classes?", sid="SM2")
    with scope(organization=sms_org):
        assert not Message.objects.exists() and not Conversation.objects.exists()


def test_reply_by_text_goes_through_the_outbox(client, sms_org, coach, olivia, sms_sent,
                                               django_capture_on_commit_callbacks):
    conversation = open_conversation(client, olivia.client, coach.headers)
    with time_machine.travel(datetime(2026, 11, 24, 12, tzinfo=CHICAGO), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        response = send(client, conversation["id"], "Yes, there is parking {behind} the gym.", coach.headers,
                        "t1", channel="sms")
    assert response.status_code == 201
    message = response.json()
    assert message["kind"] == "sms_out" and message["channel"] == "sms" and message["state"] == "sending"
    with scope(organization=sms_org):
        outbound = OutboundMessage.objects.get(channel="sms")
        assert outbound.client == olivia.client and outbound.to == olivia.client.phone
        assert outbound.body == "Yes, there is parking {behind} the gym."  # as typed, no placeholders filled
        assert Message.objects.get().outbound == outbound
    assert [s.body for s in sms_sent] == ["Yes, there is parking {behind} the gym."]
    thread = client.get(f"/api/v1/conversations/{conversation['id']}/messages", **coach.headers).json()
    assert thread[0]["state"] == "sent"


def test_reply_by_text_respects_stop(client, sms_org, coach, olivia, sms_sent, django_capture_on_commit_callbacks):
    text_in(sms_org, olivia.client.phone, "STOP", sid="SMstop")
    conversation = open_conversation(client, olivia.client, coach.headers)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, conversation["id"], "Are you coming?", coach.headers, "t1", channel="sms")
    assert response.status_code == 201
    message = response.json()
    assert message["state"] == "failed" and "STOP" in message["error"]
    assert sms_sent == []
    with scope(organization=sms_org):
        assert OutboundMessage.objects.get(channel="sms").status == OutboundMessage.Status.SUPPRESSED


def test_reply_by_text_needs_consent_and_waits_for_quiet_hours(client, sms_org, coach, olivia, liam, sms_sent,
                                                               django_capture_on_commit_callbacks):
    no_consent = open_conversation(client, liam.client, coach.headers)
    refused = send(client, no_consent["id"], "Hi Liam", coach.headers, "t1", channel="sms").json()
    assert refused["state"] == "failed" and "agreed to texts" in refused["error"]
    conversation = open_conversation(client, olivia.client, coach.headers)
    with time_machine.travel(datetime(2026, 11, 24, 22, 30, tzinfo=CHICAGO), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        late = send(client, conversation["id"], "Late thought", coach.headers, "t2", channel="sms").json()
    assert late["state"] == "sending" and sms_sent == []
    with scope(organization=sms_org):
        held = OutboundMessage.objects.get(pk=Message.objects.get(pk=late["id"]).outbound_id)
        assert held.status == OutboundMessage.Status.DEFERRED
        assert held.scheduled_for.astimezone(CHICAGO).hour == 8


def test_reply_by_email(client, sms_org, coach, olivia, django_capture_on_commit_callbacks):
    conversation = open_conversation(client, olivia.client, coach.headers)
    mail.outbox.clear()
    with time_machine.travel(datetime(2026, 11, 24, 12, tzinfo=CHICAGO), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        message = send(client, conversation["id"], "Your programme for next week is below.", coach.headers, "e1",
                       channel="email").json()
    assert message["kind"] == "email_out" and message["channel"] == "email"
    assert [m.to for m in mail.outbox] == [[olivia.client.email]]
    assert "Your programme for next week is below." in mail.outbox[0].body


def test_clients_write_in_the_app_only(client, sms_org, olivia):
    conversation = open_conversation(client, olivia.client, olivia.headers)
    assert_problem(send(client, conversation["id"], "text me", olivia.headers, "c1", channel="sms"), 422)


def test_a_failing_chat_listener_never_loses_the_text(client, sms_org, olivia, monkeypatch):
    from coachos.chat import services
    from coachos.comms.models import InboundMessage

    def broken(**kwargs):
        raise RuntimeError("chat is down")

    monkeypatch.setattr(services, "inbound_text_add", broken)
    received = text_in(sms_org, olivia.client.phone, "Are we on for tomorrow?", sid="SMbroken")
    assert received.handled_as == "message"
    with scope(organization=sms_org):
        assert InboundMessage.objects.filter(provider_id="SMbroken").exists()
        assert not Message.objects.exists()
