"""Texts from clients: unread first, mark read, reply by text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope

from coachos.comms.models import InboundMessage, OutboundMessage, SmsOptOut
from coachos.tenancy.models import AuditEntry

from ..factories import ClientFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db
NOON_CHICAGO = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def url(org, suffix: str = "") -> str:
    return f"/o/{org.slug}/messages/inbox/{suffix}"


def test_empty_inbox_explains(org, web):
    html = web.get(url(org)).content.decode()
    assert "No texts from clients yet" in html and "no SMS number yet" in html


def test_unread_first_then_newest(sms_org, web, texter):
    org = sms_org
    now = timezone.now()
    with scope(organization=org):
        old_read = InboundMessageFactory(organization=org, client=texter, body="old and read", read_at=now)
        new_read = InboundMessageFactory(organization=org, client=texter, body="new and read", read_at=now)
        unread = InboundMessageFactory(organization=org, client=texter, body="Can we move to 6?")
        InboundMessage.objects.filter(pk=old_read.pk).update(received_at=now - timedelta(days=2))
        InboundMessage.objects.filter(pk=unread.pk).update(received_at=now - timedelta(days=3))
    response = web.get(url(org))
    assert [r["text"].body for r in response.context["rows"]] == ["Can we move to 6?", "new and read",
                                                                   "old and read"]
    html = response.content.decode()
    assert "Tess Texter" in html and "unread" in html
    only_unread = web.get(url(org) + "?show=unread")
    assert [r["text"].pk for r in only_unread.context["rows"]] == [unread.pk]
    assert new_read.pk


def test_mark_read_and_mark_all(sms_org, web, texter):
    org = sms_org
    with scope(organization=org):
        one = InboundMessageFactory(organization=org, client=texter)
        two = InboundMessageFactory(organization=org, client=texter)
    response = web.post(url(org, f"{one.pk}/read/?show=unread"))
    assert response.status_code == 302 and response["Location"] == url(org) + "?show=unread"
    with scope(organization=org):
        one.refresh_from_db()
        two.refresh_from_db()
        assert one.read_at is not None and two.read_at is None
    web.post(url(org, "read-all/"))
    with scope(organization=org):
        assert not InboundMessage.objects.filter(read_at__isnull=True).exists()


def test_reply_sends_a_custom_text_to_the_number_that_wrote(sms_org, web, texter, sms_sent,
                                                            django_capture_on_commit_callbacks):
    org = sms_org
    with scope(organization=org):
        text = InboundMessageFactory(organization=org, client=texter, from_number=texter.phone,
                                     body="Can we move to 6?")
    with time_machine.travel(NOON_CHICAGO), django_capture_on_commit_callbacks(execute=True):
        response = web.post(url(org, f"{text.pk}/reply/"), {f"r{text.pk}-body": "Yes, 6 works, {client_first_name}!"})
    assert response.status_code == 302
    with scope(organization=org):
        reply = OutboundMessage.objects.get()
        text.refresh_from_db()
        assert AuditEntry.objects.filter(action="message.written", object_id=str(reply.pk)).exists()
    assert reply.kind == "custom" and reply.channel == "sms" and reply.client == texter
    assert reply.to == texter.phone and reply.body == "Yes, 6 works, Tess!"
    assert [s.body for s in sms_sent] == ["Yes, 6 works, Tess!"]
    assert text.read_at is not None


def test_reply_with_an_unknown_placeholder_keeps_what_was_typed(sms_org, web, texter):
    org = sms_org
    with scope(organization=org):
        text = InboundMessageFactory(organization=org, client=texter, from_number=texter.phone)
    response = web.post(url(org, f"{text.pk}/reply/"), {f"r{text.pk}-body": "See you {tomorow}"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "{tomorow} is not a placeholder we know" in html and "See you {tomorow}</textarea>" in html
    with scope(organization=org):
        assert not OutboundMessage.objects.exists()


def test_no_reply_to_a_number_that_opted_out(sms_org, web, texter):
    org = sms_org
    with scope(organization=org):
        text = InboundMessageFactory(organization=org, client=texter, from_number=texter.phone, body="STOP",
                                     handled_as="stop")
        SmsOptOut.objects.create(organization=org, phone=texter.phone, opted_out_at=timezone.now())
    html = web.get(url(org)).content.decode()
    assert "You cannot text back" in html and "opted out" in html
    response = web.post(url(org, f"{text.pk}/reply/"), {f"r{text.pk}-body": "Please come back"})
    assert "opted out" in response.content.decode()
    with scope(organization=org):
        assert not OutboundMessage.objects.exists()


def test_a_text_from_an_unknown_number(sms_org, web):
    org = sms_org
    with scope(organization=org):
        InboundMessageFactory(organization=org, client=None, from_number="+13125550777", body="Who is this?")
    html = web.get(url(org)).content.decode()
    assert "+13125550777" in html and "not a client on file" in html


def test_another_business_text_is_a_404(org, other_org, web):
    with scope(organization=other_org):
        theirs = InboundMessageFactory(organization=other_org, client=ClientFactory(organization=other_org))
    assert web.post(url(org, f"{theirs.pk}/read/")).status_code == 404
    assert web.post(url(org, f"{theirs.pk}/reply/"), {f"r{theirs.pk}-body": "hi"}).status_code == 404
    with scope(organization=other_org):
        theirs.refresh_from_db()
        assert theirs.read_at is None
